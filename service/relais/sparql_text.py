"""A small lexical scan of SPARQL text: the one place that knows how to skip comments, strings and IRIs.

Used where a decision must be made before (or instead of) a full parse: where the top-level
WHERE group starts, whether a query mentions SERVICE or FROM, whether it sorts or aggregates.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# A keyword, variable or prefixed name is one word: ``ex:where`` and ``?service`` are not keywords.
# A local name may hold escapes (PN_LOCAL_ESC): in ``ex:a\#b`` the ``\#`` is part of the name,
# not a comment, and in ``ex:a\'b`` the ``\'`` does not open a string.
_WORD = re.compile(r"[?$]?(?:[\w:]|\\.)(?:[\w\-:.]|\\.)*")
# SPARQL 1.1 (section 19.2) lets a query spell any character as \uXXXX or \UXXXXXXXX.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
OPENERS, CLOSERS = "{([", "})]"


def scan(query: str) -> Iterator[tuple[int, str]]:
    """Braces, parentheses and words of a query with their index; IRIs as ``<iri>``; comments and strings skipped.

    >>> [t for _, t in scan('SELECT ?s WHERE { ?s <http://e/p> "{ WHERE }" } # WHERE')]
    ['SELECT', '?s', 'WHERE', '{', '?s', '<iri>', '}']
    """
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            m = IRIREF.match(query, i)
            if m:
                yield i, "<iri>"
                i = m.end()
                continue
        if c in "{}()[]":
            yield i, c
        else:
            m = _WORD.match(query, i)
            if m:
                yield i, m.group(0)
                i = m.end()
                continue
        i += 1


def skeleton(query: str) -> str:
    """The query with its comments, strings and IRIs blanked out (same length): the punctuation left
    is the query's own, so a ``.`` or ``*`` found in it is syntax, never text.

    >>> q = 'ASK { <http://e/a*b> ?p "x.y" } # a/b'
    >>> skeleton(q).split(), len(skeleton(q)) == len(q)
    (['ASK', '{', '?p', '}'], True)
    """
    out = list(query)
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        end = i + 1
        if c == "#":
            newline = query.find("\n", i)
            end = n if newline < 0 else newline
        elif c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            end = i + len(quote)
            while end < n and not query.startswith(quote, end):
                end += 2 if query[end] == "\\" else 1
            end = min(n, end + len(quote))
        elif c == "<" and (m := IRIREF.match(query, i)):
            end = m.end()
        else:
            i += 1
            continue
        out[i:end] = " " * (end - i)
        i = end
    return "".join(out)


def keywords(query: str) -> list[str]:
    """The words of a query in upper case, in order (no IRIs, strings, comments or brackets).

    >>> keywords('SELECT ?s WHERE { ?s ex:service "from" } ORDER BY ?s')
    ['SELECT', '?S', 'WHERE', '?S', 'EX:SERVICE', 'ORDER', 'BY', '?S']
    """
    return [t.upper() for _, t in scan(query) if t not in ("{", "}", "(", ")", "[", "]", "<iri>")]


def unescape_codepoints(query: str) -> str:
    r"""The query with its ``\uXXXX`` escapes applied, as a SPARQL parser sees it.

    >>> unescape_codepoints(r"\u0053ERVICE <x>")
    'SERVICE <x>'
    """

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return _CODEPOINT.sub(char, query)


def nesting(query: str) -> tuple[int, int]:
    """The deepest nesting of ``{ ( [`` and the number of ``{`` groups, outside strings, IRIs and comments.

    >>> nesting("SELECT * WHERE { { ?s ?p (1 (2)) } UNION { ?s ?p [ ?q ?o ] } }")
    (4, 3)
    """
    _, deepest, groups = summary(query)
    return deepest, groups


def summary(query: str) -> tuple[list[str], int, int]:
    """In one scan: the words in upper case (no IRIs, strings, comments or brackets), the deepest
    nesting of ``{ ( [`` and the number of ``{`` groups.

    >>> summary("ASK { ?s a <http://e/C> }")
    (['ASK', '?S', 'A'], 1, 1)
    """
    words: list[str] = []
    depth = deepest = groups = 0
    for _, token in scan(query):
        if token in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
            groups += token == "{"
        elif token in CLOSERS:
            depth = max(0, depth - 1)
        elif token != "<iri>":
            words.append(token.upper())
    return words, deepest, groups


# SPARQL 1.1 keywords, for "did you mean ...?" on a misspelt one.
KEYWORDS = (
    "SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET "
    "GROUP HAVING OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES EXISTS NOT AS UNDEF "
    "INSERT DELETE DATA LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING DEFAULT ALL INTO TO "
    "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE "
    "REGEX SUBSTR STRLEN REPLACE CONTAINS STRSTARTS STRENDS LCASE UCASE COALESCE IF"
).split()
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")
_PREFIXED = re.compile(r"(?<![\w<?$:\\])([A-Za-z][\w.-]*)?:(?![/\d])")


def explain_syntax_error(query: str, message: str, known_prefixes: dict[str, str] | None = None) -> str:
    """A parser message made readable: line and column, the line with a caret, and a hint.

    >>> print(explain_syntax_error("SELCT * WHERE { ?s ?p ?o }", "error at 1:10: expected CONSTRUCT"))
    SPARQL syntax error at line 1, column 10: did you mean SELECT instead of SELCT?
      SELCT * WHERE { ?s ?p ?o }
               ^
    >>> print(explain_syntax_error("SELECT * WHERE { ?s foo:bar ?o }", "error at 1:28: expected one of Prefix not found, ['%']"))
    SPARQL syntax error at line 1, column 28: unknown prefix foo: declare it with PREFIX foo: <...>
      SELECT * WHERE { ?s foo:bar ?o }
                                 ^
    """
    match = _ERROR_AT.match(message.strip())
    if not match:
        return f"SPARQL syntax error: {message}"
    line_no, column, expected = int(match.group(1)), int(match.group(2)), match.group(3)
    lines = query.splitlines() or [""]
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    hint = _hint(query, expected, known_prefixes or {})
    caret = " " * (max(column, 1) - 1) + "^"
    return f"SPARQL syntax error at line {line_no}, column {column}: {hint}\n  {line}\n  {caret}"


def _hint(query: str, expected: str, known_prefixes: dict[str, str]) -> str:
    # An undeclared prefix is always an error, whatever the parser expected at that point (in
    # INSERT DATA pyoxigraph says "expected GRAPH"), so it is looked for first.
    declared = {m.group(1) or "" for m in _DECLARED.finditer(query)}
    text = " ".join(t for _, t in scan(query) if t not in ("{", "}", "(", ")", "[", "]", "<iri>"))
    unknown = [m.group(1) or "" for m in _PREFIXED.finditer(text) if (m.group(1) or "") not in declared]
    if unknown:
        name = unknown[0]
        iri = known_prefixes.get(name)
        return f"unknown prefix {name}: declare it with PREFIX {name}: <{iri or '...'}>"
    words = [t for _, t in scan(query) if t[:1].isalpha() and ":" not in t]
    for word in words:
        if word.upper() not in KEYWORDS:
            close = difflib.get_close_matches(word.upper(), KEYWORDS, n=1, cutoff=0.75)
            if close:
                return f"did you mean {close[0]} instead of {word}?"
    expected = " ".join(expected.split())
    return f"expected {expected[:200]}{'…' if len(expected) > 200 else ''}" if not expected.startswith("expected") else expected[:200]
