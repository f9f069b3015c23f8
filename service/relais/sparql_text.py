"""A small lexical scan of SPARQL text: the one place that knows how to skip comments, strings and IRIs.

Used where a decision must be made before (or instead of) a full parse: where the top-level
WHERE group starts, whether a query mentions SERVICE or FROM, whether it sorts or aggregates.
"""

from __future__ import annotations

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
    depth = deepest = groups = 0
    for _, token in scan(query):
        if token in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
            groups += token == "{"
        elif token in CLOSERS:
            depth = max(0, depth - 1)
    return deepest, groups
