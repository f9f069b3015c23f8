"""What the endpoint lets through: update tokens, SERVICE and LOAD allow-lists, parsed before evaluation.

pyoxigraph runs SERVICE (in queries and updates) and LOAD (in updates) against any address it is
given, so every target is checked here, on the parsed operation, before pyoxigraph sees it: a
SERVICE whose IRI is a variable is refused, and so is anything that cannot be parsed for checking.
The endpoint is never a proxy to arbitrary addresses.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib.term import URIRef, Variable

from relais.config import Settings
from relais.errors import BadRequest, Forbidden, PayloadTooLarge, Unauthorized
from relais.graph.shacl import RDFLIB_PARSE_LOCK
from relais.sparql_text import IRIREF, keywords, nesting, scan, unescape_codepoints
from relais.vocab import PREFIXES

# The keywords as SPARQL tokens: not inside a name, an IRI path or a variable (cpsv:PublicService,
# <…/service>, ?from). A false positive only costs a parse; the parse has the last word.


class UpdatesDisabled(Forbidden):
    """No token is configured: the endpoint is read-only."""


def authenticate(tokens: tuple[tuple[str, str], ...], authorization: str | None) -> str:
    """The name of the token in ``Authorization: Bearer …``; 401 without one, 403 with a wrong one.

    Every configured token is compared (in constant time), so the time taken does not tell
    which token, or which prefix of one, was close.

    >>> authenticate((("alice", "s3cret"),), "Bearer s3cret")
    'alice'
    """
    if not tokens:
        raise UpdatesDisabled("updates are disabled on this server: set RELAIS_UPDATE_TOKEN to enable them")
    scheme, _, presented = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Unauthorized("this operation needs 'Authorization: Bearer <token>' (a token from RELAIS_UPDATE_TOKEN)")
    given = presented.strip().encode()
    found: str | None = None
    for name, token in tokens:
        if hmac.compare_digest(given, token.encode()) and found is None:
            found = name
    if found is None:
        raise Forbidden("the bearer token is not valid for updates on this server")
    return found


def allowed(iri: str, allow_list: Iterable[str]) -> bool:
    """An IRI is allowed if listed exactly, or if a listed entry ending in ``*`` is its prefix.

    >>> allowed("https://query.wikidata.org/sparql", ["https://query.wikidata.org/sparql"])
    True
    >>> allowed("https://query.wikidata.org/sparql?x", ["https://query.wikidata.org/sparql"])
    False
    >>> allowed("http://127.0.0.1:7878/query", ["http://127.0.0.1:7878/*"])
    True
    """
    for entry in allow_list:
        if entry.endswith("*") and iri.startswith(entry[:-1]):
            return True
        if iri == entry:
            return True
    return False


def _walk(node: Any) -> Iterator[Any]:
    """Every CompValue, term and value in a parse tree or algebra, depth first."""
    from pyparsing import ParseResults

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, (URIRef, Variable)))
        elif isinstance(item, (list, tuple, set, ParseResults)):
            stack.extend(item)


@dataclass
class QueryCheck:
    """What the query parse told us: its SERVICE targets and whether it names its own dataset."""

    services: list[str | None] = field(default_factory=list)  # None: a variable
    has_dataset_clause: bool = False


def _is_node(item: Any, *names: str) -> bool:
    """A parse-tree node (rdflib CompValue) with one of these names."""
    return isinstance(item, dict) and getattr(item, "name", None) in names


def _get(node: Any, key: str) -> Any:
    """A field of a parse-tree node, or None (CompValue.get returns the key itself when missing)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _resolve(term: Any, prologue: dict[str, str], base: str | None) -> Any:
    """Resolve a parse-tree IRI or prefixed name to a URIRef (rdflib's parse tree keeps pnames)."""
    if _is_node(term, "pname"):
        prefix = _get(term, "prefix") or ""
        if prefix not in prologue:
            known = PREFIXES.get(prefix)
            raise BadRequest(f"unknown prefix {prefix}: declare it with PREFIX {prefix}: <{known or '...'}>")
        return URIRef(prologue[prefix] + (_get(term, "localname") or ""))
    if isinstance(term, URIRef) and base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", term):
        from urllib.parse import urljoin

        return URIRef(urljoin(base, str(term)))
    return term


def _prologue(tree: Any, prefixes: dict[str, str] | None = None, base: str | None = None) -> tuple[dict[str, str], str | None]:
    prefixes = dict(prefixes or {})
    for item in _walk(tree):
        if _is_node(item, "PrefixDecl"):
            prefixes[_get(item, "prefix") or ""] = str(_get(item, "iri"))
        elif _is_node(item, "Base"):
            base = str(_get(item, "iri"))
    return prefixes, base


def _services(tree: Any, prefixes: dict[str, str], base: str | None) -> list[str | None]:
    found: list[str | None] = []
    for item in _walk(tree):
        if _is_node(item, "ServiceGraphPattern"):
            term = _resolve(_get(item, "term"), prefixes, base)
            found.append(str(term) if isinstance(term, URIRef) else None)
    return found


# rdflib's pyparsing grammar is not thread-safe: one parse at a time in the whole process (the SHACL
# validation's queries take the same lock). Only the texts that need rdflib take it: FROM / SERVICE
# queries and updates other than INSERT DATA / DELETE DATA (is_data_update).
_PARSER_LOCK = RDFLIB_PARSE_LOCK


# A SERVICE keyword anywhere in the raw text, whatever a lexer makes of its surroundings: the policy
# never depends on the lexer being perfect (an escaped local name or a stray quote cannot hide it).
_RAW_SERVICE = re.compile(r"(?<![\w:\\])service(?!\w)", re.IGNORECASE)


def mentions_service(text: str) -> bool:
    """True when the query could contain a SERVICE clause: then it is parsed and its targets checked.

    >>> mentions_service("SELECT * WHERE { ?s cpsv:PublicService ?o }"), mentions_service(r"SELECT * WHERE { ex:a\\#b SERVICE <http://x/> {} }")
    (False, True)
    """
    if "SERVICE" in set(keywords(text)):
        return True
    # IRIs like <http://x/service> may go: an IRIREF holds no space, brace or "<", so a SERVICE
    # clause (keyword, target, then "{") cannot be completed inside one.
    raw = IRIREF.sub(" ", unescape_codepoints(text))
    return bool(_RAW_SERVICE.search(raw))


def check_limits(text: str, settings: Settings, what: str = "query") -> None:
    """Refuse, before any parser sees it, a query or update too long or too deeply nested to parse safely."""
    size = len(text.encode("utf-8"))
    if size > settings.max_query_bytes:
        raise PayloadTooLarge(f"the {what} has {size} bytes; the limit is {settings.max_query_bytes} (RELAIS_MAX_QUERY_BYTES)")
    depth, groups = nesting(text)
    if depth > settings.max_query_depth:
        raise BadRequest(
            f"the {what} nests {{ ( [ {depth} levels deep; the limit is {settings.max_query_depth} (RELAIS_MAX_QUERY_DEPTH): flatten it"
        )
    if groups > settings.max_query_groups:
        raise BadRequest(
            f"the {what} has {groups} {{ }} groups; the limit is {settings.max_query_groups} (RELAIS_MAX_QUERY_GROUPS): split it or use VALUES"
        )


# The operations of SPARQL 1.1 Update other than INSERT DATA / DELETE DATA all need one of these
# keywords (Modify and DELETE WHERE need WHERE; LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY are their
# own; WITH and USING only come with WHERE). pyoxigraph accepts keywords glued together
# ("DELETEWHERE", "CLEARALL"), so they are looked for inside words too.
_NON_DATA_KEYWORD = re.compile(r"WHERE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH|USING|SERVICE", re.IGNORECASE)
_DATA_KEYWORDS = re.compile(r"(?:PREFIX|BASE|INSERT|DELETE|DATA|GRAPH|A|TRUE|FALSE)+", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9][0-9.eE+-]*")
# LOAD starts an operation (after ";", ">" or a space, never after a letter or digit): it is looked
# for in the raw text, strings and comments included, whatever a lexer makes of them.
_RAW_LOAD = re.compile(r"(?<![A-Za-z0-9_])load", re.IGNORECASE)


def is_data_update(text: str) -> bool:
    """True when the update can only be INSERT DATA / DELETE DATA operations (or a syntax error).

    Decided without rdflib's parser (seconds per 100 KB): every bare word of the text must be a
    keyword of the data operations, and LOAD and SERVICE may not appear in the raw text (strings
    included), so no lexer mistake can let a network access through. A lexer mistake could only
    send a data update to the slow path, or compute its change against fewer quads; that change is
    still checked and validated like any other. Codepoint escapes (``\\u0057HERE``) take the slow path.

    >>> is_data_update('PREFIX ex: <http://e/> INSERT DATA { GRAPH ex:g { ex:a ex:b "where?"@en, 3 } }')
    True
    >>> is_data_update("DELETE WHERE { ?s ?p ?o }"), is_data_update("INSERT DATA { <a:b> <a:c> 'x' } ; CLEARALL")
    (False, False)
    >>> is_data_update("INSERT DATA { <a:b> <a:c> 'LOAD <http://x/>' }"), is_data_update("ADD:a TO:b")
    (False, False)
    """
    if unescape_codepoints(text) != text or _RAW_LOAD.search(IRIREF.sub(" ", text)) or mentions_service(text):
        return False
    for index, token in scan(text):
        if token in ("{", "}", "(", ")", "[", "]", "<iri>") or (index > 0 and text[index - 1] == "@"):
            continue  # brackets, IRIs, language tags
        if token[0] in "?$" or _NUMBER.fullmatch(token):
            continue  # variables (refused by pyoxigraph in data), numbers
        if ":" in token:  # a prefixed name or a blank node label: its prefix must not hide a keyword (ADD:g)
            if _NON_DATA_KEYWORD.search(token.split(":", 1)[0]):
                return False
            continue
        if _NON_DATA_KEYWORD.search(token) or not _DATA_KEYWORDS.fullmatch(token):
            return False
    return True


def check_query(text: str) -> QueryCheck:
    """Parse the query (only when it mentions SERVICE or FROM: the common query costs nothing)."""
    # Comments, strings and IRIs can say "service" or "from" (a named query's description does):
    # only the words of the query itself decide whether it needs the (slow) rdflib parse.
    words = set(keywords(text))
    has_service = mentions_service(text)
    mentions_from = "FROM" in words
    if not has_service and not mentions_from:
        return QueryCheck()
    from rdflib.plugins.sparql.parser import parseQuery  # heavy: only for queries that need it

    try:
        with _PARSER_LOCK:
            tree = parseQuery(text)
    except Exception as exc:  # pyparsing raises several types
        if has_service:
            raise BadRequest(f"the query mentions SERVICE but could not be parsed to check its target: {exc}") from None
        # No SERVICE: pyoxigraph has the last word on syntax; a textual FROM is taken as a dataset clause.
        return QueryCheck(has_dataset_clause=bool(re.search(r"\bfrom\s+(named\s+)?<", text, re.IGNORECASE)))
    prefixes, base = _prologue(tree[0])
    check = QueryCheck()
    check.has_dataset_clause = bool(_get(tree[1], "datasetClause"))
    if has_service:
        check.services = _services(tree[1], prefixes, base)
    return check


def refuse_services(services: list[str | None], allow_list: tuple[str, ...]) -> None:
    """400 for any SERVICE target not on the allow-list (a variable target is never allowed)."""
    for target in services:
        if target is None:
            raise BadRequest("SERVICE with a variable IRI is not allowed: name the endpoint, one from RELAIS_SERVICE_ALLOW")
        if not allowed(target, allow_list):
            listed = ", ".join(allow_list) or "none"
            raise BadRequest(f"SERVICE <{target}> is not allowed on this server; allowed endpoints: {listed}")


@dataclass
class UpdateCheck:
    """The parsed update: its operations, targets and the graphs it names."""

    operations: list[str]
    services: list[str | None]
    loads: list[str]
    graphs: set[str]  # every IRI the update mentions (candidates for named graphs it reads or writes)
    all_graphs: bool  # GRAPH ?g, CLEAR ALL, ... : the update may touch any graph
    has_dataset_clause: bool  # USING, USING NAMED or WITH
    data_only: bool  # only INSERT DATA / DELETE DATA
    tree: Any


DATA_OPERATIONS = {"InsertData", "DeleteData"}


def check_update(text: str) -> UpdateCheck:
    """Parse an update with rdflib's parser to learn its targets before pyoxigraph runs it."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        with _PARSER_LOCK:
            tree = parseUpdate(text)
    except Exception as exc:
        raise BadRequest(f"SPARQL Update syntax error: {exc}") from None
    operations: list[str] = []
    services: list[str | None] = []
    loads: list[str] = []
    graphs: set[str] = set()
    all_graphs = False
    has_dataset_clause = False
    prefixes: dict[str, str] = {}
    base: str | None = None
    prologues = list(_get(tree, "prologue") or [])
    for index, op in enumerate(_get(tree, "request") or []):
        # Each operation has its prologue; declarations stay in scope for the operations after it.
        if index < len(prologues):
            prefixes, base = _prologue(prologues[index], prefixes, base)
        operations.append(op.name)
        services += _services(op, prefixes, base)
        if op.name == "Load":
            loads.append(str(_resolve(_get(op, "iri"), prefixes, base)))
        if _get(op, "using") or _get(op, "withClause") is not None:
            has_dataset_clause = True
        for item in _walk(op):
            if _is_node(item, *("GraphGraphPattern", "QuadsNotTriples", "pname", "GraphRefAll", "GraphRef", "GraphOrDefault")):
                if item.name in ("GraphGraphPattern", "QuadsNotTriples") and isinstance(_get(item, "term"), Variable):
                    all_graphs = True
                elif item.name == "pname":
                    graphs.add(str(_resolve(item, prefixes, base)))
                elif item.name in ("GraphRefAll", "GraphRef", "GraphOrDefault") and (
                    _get(item, "all") or _get(item, "named") or _get(item, "graphiri") in ("ALL", "NAMED")
                ):
                    all_graphs = True
            elif isinstance(item, URIRef):
                graphs.add(str(_resolve(item, prefixes, base)))
            elif isinstance(item, str) and item.upper() in ("ALL", "NAMED") and op.name in ("Clear", "Drop"):
                all_graphs = True
    return UpdateCheck(
        operations=operations,
        services=services,
        loads=loads,
        graphs=graphs,
        all_graphs=all_graphs,
        has_dataset_clause=has_dataset_clause,
        data_only=bool(operations) and all(op in DATA_OPERATIONS for op in operations),
        tree=tree,
    )


def refuse_loads(loads: list[str], allow_list: tuple[str, ...]) -> None:
    for source in loads:
        if not allowed(source, allow_list):
            listed = ", ".join(allow_list) or "none"
            raise BadRequest(f"LOAD <{source}> is not allowed on this server; allowed sources (RELAIS_LOAD_ALLOW): {listed}")


def add_using(text: str, using: tuple[str, ...], using_named: tuple[str, ...]) -> str:
    """Insert the protocol's using-graph-uri / using-named-graph-uri as USING clauses before each WHERE.

    SPARQL 1.1 Protocol §2.2.3: these parameters act as USING / USING NAMED on every operation
    with a WHERE clause. A small scanner finds the top-level WHERE keywords (outside braces,
    strings, IRIs and comments).

    >>> add_using("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ("http://g",), ())
    'DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }'
    """
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    out: list[str] = []
    depth, last, previous_word = 0, 0, ""
    for i, token in scan(text):
        if token in ("{", "}"):
            depth += 1 if token == "{" else -1
            previous_word = ""
        elif depth == 0 and token not in ("(", ")", "[", "]", "<iri>"):
            word = token.upper()
            if word == "WHERE":
                if previous_word == "DELETE":
                    raise BadRequest("using-graph-uri cannot apply to DELETE WHERE { … }: write DELETE { … } WHERE { … }")
                out.append(text[last:i])
                out.append(clause)
                last = i
            previous_word = word
    out.append(text[last:])
    return "".join(out)


_AGGREGATES = {"COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT", "SAMPLE", "DISTINCT", "REDUCED"}


def is_heavy(text: str) -> bool:
    """A query that must see every solution before its first row (sorting, grouping, aggregates,
    DISTINCT) holds a thread and a core until it ends, whatever its timeout: it is "heavy".

    >>> is_heavy("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), is_heavy('SELECT * WHERE { ?s ?p "order by" }')
    (True, False)
    >>> is_heavy("SELECT ?s WHERE { ?s <http://e/COUNT> ?o } # ORDER BY")
    False
    """
    words = keywords(text)
    return bool(_AGGREGATES.intersection(words)) or any(
        first in ("ORDER", "GROUP") and second == "BY" for first, second in zip(words, words[1:])
    )
