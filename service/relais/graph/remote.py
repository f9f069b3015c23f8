"""The remote backend: the service's store API over any SPARQL 1.1 store, through HTTP.

``RemoteStore`` implements the part of pyoxigraph's ``Store`` API that the service uses
(``query``, ``update``, ``quads_for_pattern``, ``named_graphs``, ``contains_named_graph``,
``len``, iteration, ``dump``, ``add_graph``, ``remove_graph``) with the SPARQL 1.1 Protocol and
the Graph Store Protocol, over one ``httpx.Client`` (connection reuse, timeouts, basic or bearer
credentials). It returns real pyoxigraph results: SELECT and ASK answers are parsed with
``pyoxigraph.parse_query_results`` (``QuerySolutions`` / ``QueryBoolean``); a CONSTRUCT or
DESCRIBE answer (N-Triples) is parsed into a scratch in-memory store and handed back as that
store's ``QueryTriples``, so every ``isinstance`` check and serialiser of the service works as is.

What the remote store must do (see the README, "Remote store backend"):

- its default graph for queries is the union of the named graphs (Oxigraph server
  ``--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph``; Virtuoso, GraphDB and QLever do
  it anyway);
- the statements the service reads one by one (resource pages, labels, update validation) are
  those of its named graphs (``GRAPH ?g``); its own default graph is read only through the
  Graph Store Protocol (``?default``) when a store URL is given;
- blank nodes of the remote cannot be named in a later request: a pattern with a blank node
  matches nothing, and a change that must name an existing blank node is refused (501).

Parameters of named queries (pyoxigraph's ``substitutions``) become a ``VALUES`` block put
right after the opening brace of the query's top-level WHERE group (``bind_values``).

Over 400 lines: the remote backend mirrors the part of pyoxigraph's Store API the service uses, with each store's quirks in one place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from relais.errors import BadGateway, BadRequest, GatewayTimeout, RelaisError, ServiceUnavailable
from relais.formats import NTRIPLES, SPARQL_JSON, SPARQL_XML, TURTLE, accept_header, by_media_type
from relais.sparql_text import keywords, scan

if TYPE_CHECKING:
    from relais.graph.store import GraphStore

log = logging.getLogger(__name__)

# What the remote is asked for and can answer in (its media aliases too: Virtuoso says application/json).
REMOTE_RESULT_FORMATS = (SPARQL_JSON, SPARQL_XML)
REMOTE_GRAPH_FORMATS = (NTRIPLES, TURTLE)
RESULTS_ACCEPT = accept_header(REMOTE_RESULT_FORMATS)
GRAPH_ACCEPT = accept_header(REMOTE_GRAPH_FORMATS)
GRAPHS_TTL_S = 5.0  # the list of named graphs is reused this long (our own writes clear it at once)


class RemoteError(BadGateway):
    """502: the remote store answered with an error."""


class RemoteUnavailable(ServiceUnavailable):
    """503: the remote store cannot be reached."""

    headers = {"Retry-After": "5"}


class RemoteTimeout(GatewayTimeout):
    """504: the remote store did not answer in time."""


class RemoteUnsupported(RelaisError):
    """501: what was asked cannot be done on a remote store (e.g. name an existing blank node)."""

    status = 501


@dataclass(frozen=True)
class RemoteConfig:
    """Where the remote store answers and how to authenticate to it."""

    query_url: str
    update_url: str | None = None
    store_url: str | None = None  # Graph Store Protocol
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout_s: float | None = 35.0  # HTTP read timeout of one request

    def client(self, max_connections: int = 20) -> httpx.Client:
        auth: httpx.Auth | None = None
        headers = {"User-Agent": "relais"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.user:
            auth = httpx.BasicAuth(self.user, self.password or "")
        return httpx.Client(
            auth=auth,
            headers=headers,
            timeout=httpx.Timeout(self.timeout_s, connect=5.0),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )


# --- binding values without string formatting of user text -------------------------------------

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _term_text(term: Any) -> str:
    """A term in SPARQL syntax, written by pyoxigraph itself (N-Triples form: quotes escaped)."""
    if isinstance(term, BlankNode):
        raise BadRequest("a blank node cannot be bound as a query parameter on the remote backend")
    if isinstance(term, Triple):
        return f"<< {_term_text(term.subject)} {_term_text(term.predicate)} {_term_text(term.object)} >>"
    text = str(term)
    if not text or text[0] not in '<"':
        raise BadRequest(f"cannot bind {term!r} as a query parameter")
    return text


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE ("" if none is found).

    >>> query_form('PREFIX ex: <http://ex/construct#> # DESCRIBE\\nASK { ?s ex:p "SELECT" }')
    'ASK'
    """
    for _, token in scan(query):
        if token.upper() in _FORMS:
            return token.upper()
    return ""


def where_brace(query: str) -> int:
    """The index of the opening brace of the query's top-level WHERE group.

    Comments, strings and IRIs are skipped; the brace must be at nesting level 0. ``WHERE`` is
    optional before the group of a SELECT or ASK query. Raise ``BadRequest`` when there is none.

    >>> q = 'SELECT ?x WHERE { ?x <http://ex/p> "{" }'
    >>> q[where_brace(q):]
    '{ ?x <http://ex/p> "{" }'
    """
    braces = parens = 0
    previous = ""  # the last token at level 0
    form = ""
    first_group = -1
    for i, token in scan(query):
        if token == "{":
            if braces == 0 and parens == 0:
                if previous == "WHERE":
                    if form == "CONSTRUCT" and first_group < 0:
                        raise BadRequest(
                            "a CONSTRUCT WHERE { } short form cannot take parameters on the remote backend; write CONSTRUCT { ... } WHERE { ... }"
                        )
                    return i
                if first_group < 0:
                    first_group = i
            braces += 1
        elif token == "}":
            braces -= 1
        elif token == "(":
            parens += 1
        elif token == ")":
            parens -= 1
        elif braces == 0:
            previous = token.upper()
            if not form and previous in _FORMS:
                form = previous
    if form in ("SELECT", "ASK") and first_group >= 0:
        return first_group
    raise BadRequest("cannot find the top-level WHERE group of the query to bind its parameters")


def bind_values(query: str, substitutions: Mapping[Variable, Any]) -> str:
    """The query with ``VALUES (?a ?b) { (term term) }`` first in its top-level WHERE group.

    Terms are written by pyoxigraph (never raw user text), so a literal cannot close the block:

    >>> from pyoxigraph import Literal
    >>> bind_values("SELECT ?x ?_n WHERE { ?x ?p ?_n }", {Variable("_n"): Literal('a" } DROP ALL #')})
    'SELECT ?x ?_n WHERE { VALUES (?_n) { ("a\\\\" } DROP ALL #") } ?x ?p ?_n }'
    """
    if not substitutions:
        return query
    names = " ".join(str(v) for v in substitutions)
    terms = " ".join(_term_text(t) for t in substitutions.values())
    at = where_brace(query) + 1
    return f"{query[:at]} VALUES ({names}) {{ ({terms}) }}{query[at:]}"


# --- the store -----------------------------------------------------------------------------------


def _node(position: str, term: Any) -> str:
    return f"?{position}" if term is None else _term_text(term)


class RemoteStore:
    """The subset of pyoxigraph's ``Store`` API the service uses, over a remote SPARQL 1.1 store."""

    def __init__(self, config: RemoteConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client or config.client()
        self._graph_pattern_ok: bool | None = None
        self._graphs: tuple[float, list[NamedNode]] | None = None  # (when, graphs): listing is a scan on some stores

    def __repr__(self) -> str:
        return f"<RemoteStore {self.config.query_url}>"

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise RemoteTimeout(f"the remote store ({url}) did not answer the {what} within {self.config.timeout_s:g} s") from None
        except httpx.TransportError as exc:
            raise RemoteUnavailable(f"cannot reach the remote store at {url}: {exc}") from None
        if response.status_code >= 400:
            text = response.text.strip()[:800]
            if response.status_code in (408, 504) or (response.status_code in (500, 503) and "timeout" in text.lower()):
                raise RemoteTimeout(f"the remote store timed out on the {what}: {text}")
            if response.status_code in (400, 422) and what == "query":
                raise SyntaxError(f"the remote store refused the query: {text}")
            if response.status_code in (400, 422):
                raise BadRequest(f"the remote store refused the {what}: {text}")
            if response.status_code in (401, 403):
                raise RemoteError(
                    f"the remote store refused our credentials for the {what} ({response.status_code}); check RELAIS_REMOTE_USER/PASSWORD/TOKEN"
                )
            raise RemoteError(f"the remote store failed on the {what} ({response.status_code}): {text}")
        return response

    # -- queries ------------------------------------------------------------------------------
    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[Any] | None = None,
        named_graphs: Sequence[Any] | None = None,
        substitutions: Mapping[Variable, Any] | None = None,
        base_iri: str | None = None,
        **_: Any,
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Evaluate on the remote; the union default graph is the remote's own setting.

        ``base_iri`` becomes a BASE declaration, so relative IRIs resolve as on the embedded store.
        """
        text = bind_values(query, substitutions) if substitutions else query
        if base_iri and "BASE" not in keywords(text):
            text = f"BASE <{base_iri}>\n{text}"
        data: dict[str, Any] = {"query": text}
        if default_graph:
            data["default-graph-uri"] = [g.value for g in default_graph if isinstance(g, NamedNode)]
        if named_graphs:
            data["named-graph-uri"] = [g.value for g in named_graphs if isinstance(g, NamedNode)]
        # Ask for the form's own formats: some stores (Virtuoso) would write a CONSTRUCT result as SPARQL JSON.
        form = query_form(text)
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        response = self._request("POST", self.config.query_url, "query", data=data, headers={"Accept": accept})
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = response.content
        answered = by_media_type(media, (*REMOTE_RESULT_FORMATS, *REMOTE_GRAPH_FORMATS))
        if answered is not None and answered.results is not None:
            results = answered.results
            # A store that gives up mid-answer (Oxigraph server's --timeout-s) has already sent 200:
            # the body then ends with its message instead of the closing bracket.
            if not body.rstrip().endswith(b"}" if results == QueryResultsFormat.JSON else b">"):
                tail = body[-300:].decode("utf-8", "replace")
                if any(word in tail.lower() for word in ("cancel", "timeout", "timed out")):
                    raise RemoteTimeout(f"the remote store stopped the query: {tail.strip()[-200:]}")
                raise RemoteError(f"the remote store's answer was cut: ...{tail.strip()[-200:]}")
            try:
                parsed = parse_query_results(body, format=results)
            except SyntaxError as exc:
                raise RemoteError(f"the remote store's {media} answer does not parse: {exc}") from None
            if isinstance(parsed, QuerySolutions) and form == "ASK":
                # Virtuoso 7 answers ASK in JSON as one row of ?__ASK_RETVAL (1) or no row at all.
                rows = list(parsed)
                truth = bool(rows) and all(r[0] is None or r[0].value not in ("0", "false") for r in rows)
                return _boolean(truth)
            return parsed
        rdf = answered.rdf if answered is not None else None
        if rdf is None:
            raise RemoteError(f"the remote store answered a query with {media or 'no content type'}, which Relais cannot read")
        try:
            triples = list(parse(body, format=rdf))
        except SyntaxError as exc:
            raise RemoteError(f"the remote store's {media} answer does not parse: {exc}") from None
        scratch = Store()
        scratch.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def _select(self, query: str) -> QuerySolutions:
        result = self.query(query)
        if not isinstance(result, QuerySolutions):
            raise RemoteError("the remote store did not answer a SELECT query with solutions")
        return result

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[Quad]:  # noqa: A002
        """The quads matching the pattern, in the named graphs (``graph_name`` None) or one graph."""
        if any(isinstance(t, BlankNode) for t in (subject, predicate, object, graph_name)):
            return iter(())  # a remote blank node cannot be named in a query
        if isinstance(graph_name, DefaultGraph):
            return iter([q for q in self._default_graph() if _matches(q, subject, predicate, object)])
        pattern = f"{_node('s', subject)} {_node('p', predicate)} {_node('o', object)}"
        graph = _node("g", graph_name)
        quads: list[Quad] = []
        for row in self._select(f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }}"):
            quads.append(
                Quad(
                    subject if subject is not None else row["s"],
                    predicate if predicate is not None else row["p"],
                    object if object is not None else row["o"],
                    graph_name if graph_name is not None else row["g"],
                )
            )
        return iter(quads)

    def _default_graph(self) -> list[Quad]:
        """The remote's own default graph, through the Graph Store Protocol (empty without a store URL)."""
        if not self.config.store_url:
            return []
        response = self._request(
            "GET", self.config.store_url, "graph read", params={"default": ""}, headers={"Accept": NTRIPLES.media_type}
        )
        return [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in parse(response.content, format=RdfFormat.N_TRIPLES)]

    def __iter__(self) -> Iterator[Quad]:
        return iter([*self._default_graph(), *self.quads_for_pattern(None, None, None, None)])

    def __len__(self) -> int:
        rows = list(self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        named = int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0
        return named + len(self._default_graph())

    # `GRAPH ?g { }` lists graphs without reading them (Oxigraph); some stores (Virtuoso) answer it
    # with nothing, so an empty answer is checked with a triple pattern.
    def named_graphs(self) -> Iterator[NamedNode]:
        cached = self._graphs
        if cached is not None and time.monotonic() - cached[0] < GRAPHS_TTL_S:
            return iter(cached[1])
        graphs = self._list_graphs()
        self._graphs = (time.monotonic(), graphs)
        return iter(graphs)

    def _list_graphs(self) -> list[NamedNode]:
        graphs = [row["g"] for row in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }") if isinstance(row["g"], NamedNode)]
        if not graphs:
            graphs = [
                row["g"] for row in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") if isinstance(row["g"], NamedNode)
            ]
        return graphs

    def contains_named_graph(self, graph_name: Any) -> bool:
        if not isinstance(graph_name, NamedNode):
            return False
        graph = _term_text(graph_name)
        if self._empty_graph_pattern_works():
            return bool(self.query(f"ASK {{ GRAPH {graph} {{ }} }}"))
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def _empty_graph_pattern_works(self) -> bool:
        """Does ``ASK { GRAPH <g> { } }`` tell whether ``<g>`` exists? (Virtuoso says yes to any IRI.)"""
        if self._graph_pattern_ok is None:
            self._graph_pattern_ok = not bool(self.query("ASK { GRAPH <urn:relais:no-such-graph> { } }"))
        return self._graph_pattern_ok

    def dump(self, output: BinaryIO, format: RdfFormat, *, from_graph: Any = None, **_: Any) -> None:  # noqa: A002
        if from_graph is not None:
            serialize((q.triple for q in self.quads_for_pattern(None, None, None, from_graph)), output, format=format)
        else:
            serialize(iter(self), output, format=format)

    # -- changes ------------------------------------------------------------------------------
    def update(self, update: str, *, custom_functions: Any = None, **_: Any) -> None:
        if custom_functions:
            raise RemoteUnsupported(
                "this change names blank nodes that already exist, which a remote store cannot address; "
                "give those nodes IRIs, or use the embedded backend"
            )
        if not self.config.update_url:
            raise RemoteUnsupported("updates need the remote store's update endpoint: set RELAIS_REMOTE_UPDATE_URL")
        self._graphs = None
        self._request("POST", self.config.update_url, "update", data={"update": update})

    def add_graph(self, graph: NamedNode) -> None:
        self.update(f"CREATE SILENT GRAPH {_term_text(graph)}")

    def remove_graph(self, graph: NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {_term_text(graph)}")

    def clear_graph(self, graph: Any) -> None:
        self.update("CLEAR SILENT DEFAULT" if isinstance(graph, DefaultGraph) else f"CLEAR SILENT GRAPH {_term_text(graph)}")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.client.close()


def _boolean(value: bool) -> QueryBoolean:
    answer = parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"), format=QueryResultsFormat.JSON)
    assert isinstance(answer, QueryBoolean)
    return answer


def _matches(quad: Quad, subject: Any, predicate: Any, object: Any) -> bool:  # noqa: A002
    return all(t is None or t == v for t, v in ((subject, quad.subject), (predicate, quad.predicate), (object, quad.object)))


def quads_text(quads: Iterable[Quad]) -> bytes:
    """N-Triples of the quads' triples (for the Graph Store Protocol)."""
    return serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b""


def open_remote(settings: Any) -> GraphStore:
    """The service's ``GraphStore`` over the remote store the settings name (nothing is loaded)."""
    from typing import cast

    from relais.graph.store import GraphStore

    assert settings.remote_query_url
    timeout = settings.query_timeout_s
    config = RemoteConfig(
        query_url=settings.remote_query_url,
        update_url=settings.remote_update_url,
        store_url=settings.remote_store_url,
        user=settings.remote_user,
        password=settings.remote_password,
        token=settings.remote_token,
        # a little longer than the query budget: the remote's own timeout should answer first
        timeout_s=(timeout + 5.0) if timeout else None,
    )
    store = RemoteStore(config, config.client(max_connections=settings.max_running_queries + 4))
    log.info("remote backend: queries to %s, updates to %s", config.query_url, config.update_url or "(off)")
    return GraphStore(cast(Store, store), reloaded=False, source_count=0)
