"""The ``relais`` command line: serve, query, validate, import, link, export.

Exit codes: 0 ok, 1 violations found (validate), 2 error. Errors are one line on stderr
(a traceback only with ``--debug``). Logging is configured here and nowhere else.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from relais import __version__
from relais.config import DEFAULT_HOST, DEFAULT_PORT, Settings
from relais.errors import RelaisError
from relais.graph.store import GraphStore, shipped_sources, sources_from_paths
from relais.named_queries.catalog import resolve
from relais.sparql.protocol import FORMAT_ALIASES, GRAPH_FORMATS, RESULT_FORMATS, render_table, result_kind, serialize

if TYPE_CHECKING:
    import rdflib

    from relais.pipelines.release import ReleaseInfo
    from relais.web.dataset import DumpFile

log = logging.getLogger("relais")

EXPORT_FORMATS = ("nq", "trig", "ttl", "nt", "jsonld")


class CliError(Exception):
    """A usage problem the CLI reports in one line with exit code 2."""


def _graph(args: argparse.Namespace) -> GraphStore:
    sources = sources_from_paths(args.data) if args.data else shipped_sources()
    return GraphStore.open(sources, args.store)


def _bind_listen_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves: a port in use is one clear line, and TCP_NODELAY is set."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from relais.web.app import create_app, open_graph

    settings = Settings.from_env(
        host=args.host, port=args.port, store_path=args.store, data_paths=tuple(args.data or ()) or None, backend=args.backend
    )
    sock = _bind_listen_socket(settings.host, settings.port)
    graph = open_graph(settings)
    app = create_app(settings, graph)
    log.info("serving %d quads on http://%s:%d/sparql", graph.quad_count(), settings.host, settings.port)
    config = uvicorn.Config(app, log_config=None, access_log=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CliError(f"-p {pair!r}: write parameters as key=value")
        values[key] = value
    return values


def _table_width() -> int | None:
    """The terminal's width for tables; None (no truncation) when the output is a pipe or a file.

    ``COLUMNS`` wins, as with ``ls``: ``COLUMNS=100 relais query relays | less`` fits 100 columns.
    """
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def cmd_query(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    query = resolve(args.query, settings.queries_dir)
    graph = _graph(args)
    result = graph.query(query.text, substitutions=query.substitutions(_parse_params(args.param)) or None)
    if args.format == "table":
        print(render_table(result, width=_table_width()))
        return 0
    name = FORMAT_ALIASES.get(args.format, args.format)
    fmt = (GRAPH_FORMATS if result_kind(result) == "graph" else RESULT_FORMATS).get(name)
    if fmt is None:
        raise CliError(f"--format {args.format} does not fit a {result_kind(result)} result")
    sys.stdout.buffer.write(serialize(result, fmt))
    sys.stdout.flush()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from relais.graph.shacl import validate_sources

    settings = Settings.from_env()
    if args.files:
        # The given files are validated together with the shipped ontology (for its class hierarchy).
        sources = [s for s in shipped_sources() if s.graph is not None and s.graph.value.endswith("/ontology")]
        sources += sources_from_paths(args.files)
    else:
        sources = shipped_sources()
    report = validate_sources(sources, settings.shapes_dir)
    if report.conforms:
        print(f"conforms: {len(sources)} files validated against {settings.shapes_dir}")
        return 0
    print(report.text)
    return 1


def cmd_export(args: argparse.Namespace) -> int:
    fmt = GRAPH_FORMATS[FORMAT_ALIASES.get(args.format, args.format)]
    graph = _graph(args)
    if args.output:
        tmp = args.output.with_name(args.output.name + ".part")
        with open(tmp, "wb") as handle:
            graph.dump(handle, fmt.rdf)  # type: ignore[arg-type]
        tmp.replace(args.output)  # never leave a half-written dump under the real name
    else:
        graph.dump(sys.stdout.buffer, fmt.rdf)  # type: ignore[arg-type]
        sys.stdout.flush()
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    fmt = (args.format or args.output.suffix.lstrip(".")).lower()
    if fmt not in ("svg", "png"):
        raise CliError(f"-o {args.output}: write a .svg or .png file (or give --format svg|png)")
    from relais.named_queries.catalog import load_queries
    from relais.views import models as views
    from relais.views import plot  # matplotlib loads only when a picture is drawn

    named = load_queries(Settings.from_env().queries_dir)
    filters = {"space": args.space, "target": args.target, "since": args.since, "until": args.until} if args.view == "trace" else {}
    filters.update({"kind": args.kind} if args.view == "timeline" else {})
    filters.update({"actor_type": args.actor_type, "phase": args.phase, "volet": args.volet} if args.view in ("coverage", "map") else {})
    data = views.view_data(args.view, _graph(args), named, args.lang, **filters)
    tmp = args.output.with_name(args.output.name + ".part")
    tmp.write_bytes(plot.render(args.view, data, fmt, args.lang))
    tmp.replace(args.output)
    print(f"wrote {args.output} ({args.view}, {fmt.upper()}, lang={args.lang})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from relais import resources
    from relais.pipelines import inventory

    settings = Settings.from_env()
    data = resources.data_dir()
    output = args.output or data / "inventory.ttl"
    illustrative = args.illustrative_output or data / "illustrative.ttl"
    try:
        result = inventory.import_inventory(args.file, output, illustrative, mapping_path=args.mapping, shapes_dir=settings.shapes_dir)
    except inventory.InventoryError as exc:
        return _problems([problem.render(exc.path) for problem in exc.problems])  # FILE:LINE: reason
    except inventory.InventoryTablesError as exc:
        return _problems([p.render() for p in exc.problems])
    except inventory.InventoryViolation as exc:
        return _violation(exc.report_text, exc)
    print(f"imported {result.sourced_count} records into {output} and {result.illustrative_count} illustrative records into {illustrative}")
    if result.tables is not None:
        counts = Counter(result.tables.records.values())
        shown = ", ".join(f"{n} {kind.replace(':', ' ')}" for kind, n in sorted(counts.items()))
        print(
            f"imported {len(result.tables.records)} records of the reconstructed inventory ({shown}) with their citations and territories"
        )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from relais.graph.store import backup_store

    count = backup_store(args.store, args.output)
    print(f"backed up {count} quads from {args.store} to {args.output}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from relais.graph.store import restore_store

    count = restore_store(args.backup, args.store)
    print(f"restored {count} quads into {args.store}; start it with: relais serve --store {args.store}")
    return 0


def _problems(lines: Sequence[str]) -> int:
    """One ``relais: error:`` line per problem of the input; exit 2 (malformed input, nothing written)."""
    for line in lines:
        print(f"relais: error: {line}", file=sys.stderr)
    return 2


def _violation(report: str, exc: Exception) -> int:
    """The SHACL report on stdout, one line on stderr; exit 1 (the data violates the shapes)."""
    print(report)
    print(f"relais: error: {exc}", file=sys.stderr)
    return 1


def cmd_examples(args: argparse.Namespace) -> int:
    import rdflib

    from relais import resources
    from relais.named_queries.catalog import load_queries
    from relais.named_queries.examples import examples_graph

    settings = Settings.from_env()
    ontology = rdflib.Graph()
    for path in sorted(resources.ontology_dir().glob("*.ttl")):
        ontology.parse(path)
    graph = examples_graph(load_queries(settings.queries_dir).values(), ontology, settings.sparql_base_iri)
    output = args.output or resources.data_dir() / "examples.ttl"
    header = (
        "# Graph <https://w3id.org/relais/graph/examples>: every named query as a SHACL SPARQL executable.\n"
        "# GENERATED by `relais examples` from queries/: do not edit by hand; edit the .rq files and re-run.\n\n"
    )
    tmp = output.with_name(output.name + ".part")
    tmp.write_text(header + graph.serialize(format="turtle"), encoding="utf-8")
    tmp.replace(output)
    print(f"wrote {output} ({len(set(graph.subjects()))} examples)")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from relais.pipelines.synth import SYNTHETIC_GRAPH, parse_size, synthesize, write_file

    triples = parse_size(args.triples)
    if args.output is None or str(args.output) == "-":
        stats = synthesize(sys.stdout, triples=triples, seed=args.seed)
        sys.stdout.flush()
    else:
        stats = write_file(args.output, triples=triples, seed=args.seed)
    print(
        f"wrote {stats.triples} synthetic triples ({stats.blocks} territorial blocks, seed {args.seed}) in graph {SYNTHETIC_GRAPH}",
        file=sys.stderr,
    )
    return 0


def cmd_link_find(args: argparse.Namespace) -> int:
    from relais.pipelines import linker

    kind = args.kind or linker.TARGET_KINDS[args.target][0]
    output = args.output or Path(f"links-review-{args.target}-{kind}.csv")
    result = linker.find_links(
        _graph(args),
        args.target,
        kind,
        output,
        endpoint=args.endpoint,
        batch_size=args.batch_size,
        timeout=args.timeout,
        retries=args.retries,
        user_agent=args.user_agent or linker.USER_AGENT,
    )
    note = "" if result.entities else f" (the graph has no {kind} to link)"
    print(
        f"{len(result.rows)} candidates for {result.with_candidates} of {result.entities} {kind} resources{note} "
        f"({result.ambiguous} ambiguous, {result.requests} requests); review {output}, then: relais link accept {output} --by NAME"
    )
    return 0


def cmd_link_accept(args: argparse.Namespace) -> int:
    from relais import resources
    from relais.pipelines import linker

    settings = Settings.from_env()
    output = args.output or resources.data_dir() / "links.ttl"
    try:
        result = linker.accept_review(
            args.file, output, accepted_by=args.by, shapes_dir=settings.shapes_dir, ontology_dir=resources.ontology_dir()
        )
    except linker.ReviewRefused as exc:
        return _problems([f"{args.file}: {problem}" for problem in exc.problems])
    except linker.LinkViolation as exc:
        return _violation(exc.report_text, exc)
    print(f"added {len(result.added)} links to {result.output} ({result.already_there} already there)")
    return 0


def _release_files(graph: GraphStore, info: ReleaseInfo) -> tuple[list[DumpFile], rdflib.Graph]:
    """The dumps and the VoID/DCAT description /dumps and /dataset serve, for a release (web sits above pipelines)."""
    from relais.web.dataset import Dumps, dataset_description

    dumps = Dumps(graph, canonical=True)
    description = dataset_description(
        graph,
        dumps,
        info.base_url,
        version=info.version,
        release_url=info.release_url,
        released=info.released,
        previous_version=info.previous_version,
        files_url=info.files_url,
    )
    return dumps.all(), description


def _add_graph_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, nargs="+", metavar="PATH", help="RDF files or folders to use instead of the shipped graph")
    parser.add_argument("--store", type=Path, metavar="PATH", help="on-disk store folder, reused while its sources are unchanged")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relais", description="Relais: the knowledge graph of the 2020 'sortie de crise' initiative.")
    parser.add_argument("--version", action="version", version=f"relais {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the SPARQL endpoint and API", description="Load the graph and serve it over HTTP.")
    serve.add_argument("--host", default=None, help=f"address to listen on (default {DEFAULT_HOST}, or RELAIS_HOST)")
    serve.add_argument("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}, or RELAIS_PORT)")
    serve.add_argument(
        "--backend",
        choices=["embedded", "remote"],
        default=None,
        help="embedded pyoxigraph (default) or a remote SPARQL store (RELAIS_BACKEND, RELAIS_REMOTE_*)",
    )
    _add_graph_options(serve)
    serve.set_defaults(func=cmd_serve)

    from relais.pipelines.push import add_parser as add_load_parser
    from relais.pipelines.release import add_parser as add_release_parser

    add_load_parser(sub)
    add_release_parser(sub, _release_files)

    query = sub.add_parser(
        "query", help="run a named query or a .rq file", description="Run a named query (queries/NAME.rq) or a .rq file."
    )
    query.add_argument("query", metavar="NAME|FILE.rq")
    query.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter (repeatable)")
    query.add_argument(
        "--format",
        default="table",
        choices=["table", "json", "csv", "tsv", "xml", "turtle", "ttl", "ntriples", "jsonld"],
        help="output format (default: a readable table)",
    )
    _add_graph_options(query)
    query.set_defaults(func=cmd_query)

    validate = sub.add_parser(
        "validate", help="validate the graph against shapes/", description="Validate with SHACL. Exit 0 conforms, 1 violations, 2 error."
    )
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to validate (default: the shipped graph)")
    validate.set_defaults(func=cmd_validate)

    imp = sub.add_parser(
        "import",
        help="import a source file as validated RDF",
        description="Import a source file (KIND inventory: the inventory CSV) as RDF, validated with shapes/ before anything is written. Exit 0 written, 1 SHACL violations, 2 malformed input.",
    )
    imp.add_argument("kind", choices=["inventory"], help="what the file holds")
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV to import (format: data/sources/README.md)")
    imp.add_argument("-o", "--output", type=Path, metavar="FILE.ttl", help="Turtle for the sourced rows (default: data/inventory.ttl)")
    imp.add_argument(
        "--illustrative-output", type=Path, metavar="FILE.ttl", help="Turtle for the illustrative rows (default: data/illustrative.ttl)"
    )
    imp.add_argument("--mapping", type=Path, metavar="FILE.toml", help="the column mapping (default: data/sources/inventory-mapping.toml)")
    imp.set_defaults(func=cmd_import)

    link = sub.add_parser(
        "link",
        help="find links to Wikidata or INSEE, and accept reviewed ones",
        description="Find candidate links to another open graph (a review CSV), then write the rows a person accepted to data/links.ttl with their provenance.",
    )
    link_sub = link.add_subparsers(dest="link_command", required=True, metavar="wikidata|insee|accept")
    for target, kinds, endpoint in (
        ("wikidata", "organisation|person|territory", "https://query.wikidata.org/sparql"),
        ("insee", "territory", "https://rdf.insee.fr/sparql"),
    ):
        find = link_sub.add_parser(
            target,
            help=f"find candidate links to {target}",
            description=f"Query {target}'s SPARQL endpoint for candidates matching the graph's resources (labels fr/en, type, identifiers) and write a review CSV. Nothing is accepted. Exit 0 written, 2 error.",
        )
        find.add_argument("--kind", choices=kinds.split("|"), default=None, help=f"what to link ({kinds}; default {kinds.split('|')[0]})")
        find.add_argument("--endpoint", default=None, metavar="URL", help=f"SPARQL endpoint (default {endpoint})")
        find.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help=f"review file (default links-review-{target}-KIND.csv)")
        find.add_argument("--batch-size", type=int, default=20, metavar="N", help="resources per remote query (default 20)")
        find.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per remote query (default 30)")
        find.add_argument("--retries", type=int, default=3, metavar="N", help="retries on network errors, 429 and 5xx (default 3)")
        find.add_argument(
            "--user-agent", default=None, help="User-Agent sent to the endpoint (default: relais-linker with a contact address)"
        )
        _add_graph_options(find)
        find.set_defaults(func=cmd_link_find, target=target)
    accept = link_sub.add_parser(
        "accept",
        help="write the accepted rows of a review CSV as links",
        description="Append the rows a person set to 'accepted' to data/links.ttl with their provenance, validated with shapes/ first. Refuses ambiguous and conflicting rows. Idempotent. Exit 0 written, 1 SHACL violations, 2 refused.",
    )
    accept.add_argument("file", type=Path, metavar="FILE.csv", help="the review file")
    accept.add_argument("--by", default=None, metavar="NAME", help="who accepted the rows whose decided_by is empty")
    accept.add_argument("-o", "--output", type=Path, metavar="FILE.ttl", help="links file to append to (default data/links.ttl)")
    accept.set_defaults(func=cmd_link_accept)

    export = sub.add_parser("export", help="dump the graph", description="Dump the whole graph; nq and trig keep the named graphs.")
    export.add_argument("--format", default="nq", choices=EXPORT_FORMATS, help="serialisation (default nq)")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    _add_graph_options(export)
    export.set_defaults(func=cmd_export)

    plot = sub.add_parser(
        "plot",
        help="draw the relay trace, timeline, coverage matrix or territories map as SVG or PNG",
        description="Draw a view of the graph for a paper (the same data as /views/VIEW), with matplotlib. The format comes from the file's extension. Exit 0 written, 2 error.",
    )
    plot.add_argument(
        "view",
        choices=["trace", "timeline", "coverage", "map"],
        help="trace: spaces → deliverables → relays → targets and events; timeline: the 2020 chronology; coverage: needs × programmes and the gaps; map: programmes and needs by région and département",
    )
    plot.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.svg|png", help="the picture to write")
    plot.add_argument("--format", choices=["svg", "png"], default=None, help="override the format the extension gives")
    plot.add_argument("--lang", choices=["fr", "en"], default="fr", help="language of the labels (default fr)")
    plot.add_argument("--space", metavar="IRI", help="trace: only this dialogue space")
    plot.add_argument("--target", metavar="IRI", help="trace: only relays to this organisation or at this event")
    plot.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="trace: only relays on or after this date")
    plot.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="trace: only relays on or before this date")
    plot.add_argument("--kind", help="timeline: only this kind (démarche, report, programme, event, inventory count)")
    plot.add_argument("--actor-type", metavar="SLUG|IRI", help="coverage, map: only records of this actor type (or a narrower one)")
    plot.add_argument("--phase", metavar="SLUG|IRI", help="coverage, map: only this phase (urgence, relance)")
    plot.add_argument("--volet", metavar="SLUG|IRI", help="coverage, map: only this volet (u1 … r3)")
    _add_graph_options(plot)
    plot.set_defaults(func=cmd_plot)
    backup = sub.add_parser(
        "backup", help="snapshot an on-disk store", description="Snapshot the on-disk store of a stopped server into a new folder."
    )
    backup.add_argument("--store", type=Path, required=True, metavar="PATH", help="the store folder (as given to relais serve --store)")
    backup.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="a new, empty folder for the backup")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a store from a backup", description="Copy a backup into a new store folder.")
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="a folder written by relais backup")
    restore.add_argument("--store", type=Path, required=True, metavar="PATH", help="the new store folder (absent or empty)")
    restore.set_defaults(func=cmd_restore)
    synth = sub.add_parser(
        "synth",
        help="generate synthetic data of the Relais model",
        description="Write seeded synthetic data of the Relais model (territories, actors, needs, programmes, dialogue spaces, deliverables, relays, events, studies) in graph https://w3id.org/relais/graph/synthetic, for tests and benchmarks. Never mixed into the shipped data.",
    )
    synth.add_argument("--triples", default="10k", metavar="N", help="how many triples, e.g. 10000, 100k, 1M (default 10k)")
    synth.add_argument("--seed", type=int, default=0, help="random seed: the same seed and size give the same bytes (default 0)")
    synth.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="FILE.nq (N-Quads), FILE.nt or FILE.ttl (triples; loaded into graph FILE's stem); default: N-Quads on standard output",
    )
    synth.set_defaults(func=cmd_synth)
    examples = sub.add_parser(
        "examples",
        help="publish the named queries as SHACL SPARQL executables (graph examples)",
        description="Write every named query of queries/ as a SHACL SPARQL executable (sh:select / sh:construct / sh:ask, comments in English and French, the classes and properties it uses, its parameters) to data/examples.ttl, loaded as graph https://w3id.org/relais/graph/examples.",
    )
    examples.add_argument("-o", "--output", type=Path, metavar="FILE.ttl", help="where to write (default: data/examples.ttl)")
    examples.set_defaults(func=cmd_examples)
    return parser


def _configure_logging(debug: bool, command: str) -> None:
    """The server logs JSON lines (with request ids); other commands log plain warnings."""
    level = logging.DEBUG if debug else (logging.INFO if command == "serve" else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    if command == "serve":
        from relais.observability import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _reader_went_away() -> int:
    """The reader of standard output closed it (``relais export | head``): stop quietly.

    The standard recipe (Python's signal documentation): point stdout at /dev/null so that the
    interpreter's final flush does not fail a second time and print "Exception ignored ... BrokenPipeError".
    Exit 0, not 141 (128 + SIGPIPE, what ``yes`` gets killed with) nor 120 (Python's failed final
    flush): the reader had all it asked for, so this is no error, and a script that pipes us into
    ``head`` under ``set -o pipefail`` must not fail because ``head`` stopped reading.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.debug, args.command)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        code = func(args)
        sys.stdout.flush()  # inside the try: a reader that went away shows up here, at the latest
        return code
    except BrokenPipeError:
        return _reader_went_away()
    except (RelaisError, CliError, ValueError) as exc:
        if args.debug:
            raise
        # One line even when a parser's message has several (pyoxigraph lists expected characters over lines).
        print("relais: error: " + " ".join(line.strip() for line in str(exc).splitlines()), file=sys.stderr)
        return exc.exit_code if isinstance(exc, RelaisError) else 2  # 1: the data breaks the shapes; 2: a usage error
    except KeyboardInterrupt:
        return 130
