"""``relais plot``: draw a view of the graph (the data of ``/views/VIEW``) as SVG or PNG, with matplotlib."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from relais.cli.common import CliError, add_graph_options, open_graph, written_whole
from relais.config import Settings


def add_parser(subparsers: Any) -> None:
    plot = subparsers.add_parser(
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
    add_graph_options(plot)
    plot.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
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
    data = views.view_data(args.view, open_graph(args), named, args.lang, **filters)
    picture = plot.render(args.view, data, fmt, args.lang)
    with written_whole(args.output) as handle:
        handle.write(picture)
    print(f"wrote {args.output} ({args.view}, {fmt.upper()}, lang={args.lang})")
    return 0
