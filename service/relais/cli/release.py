"""``relais release -o DIR``: a versioned, citable release of the graph (``relais.pipelines.release`` writes it).

The dumps and the VoID/DCAT description are the ones ``/dumps`` and ``/dataset`` serve
(``relais.web.dataset``); pipelines sit below web, so this command hands them in.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relais import __version__
from relais.cli.common import add_graph_options, open_graph
from relais.config import Settings

if TYPE_CHECKING:
    import rdflib

    from relais.graph.store import GraphStore
    from relais.pipelines.release import ReleaseInfo
    from relais.web.dataset import DumpFile


def add_parser(subparsers: Any) -> None:
    release = subparsers.add_parser(
        "release",
        help="write a versioned, citable release (dumps, sums, VoID/DCAT, RO-Crate, CITATION.cff, changes)",
        description="Write DIR/VERSION/: every dump format (sorted, reproducible), SHA256SUMS, void.ttl (VoID + DCAT with the "
        "version IRI), ro-crate-metadata.json (RO-Crate 1.2), CITATION.cff, CHANGES.md and, with --previous, added.nq and "
        "removed.nq. Written under a temporary name, then renamed. RELAIS_PUBLIC_URL names the endpoint, RELAIS_RELEASE_URL "
        "the release's address. Exit 0 written, 2 error.",
    )
    release.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="the folder that holds the releases")
    release.add_argument(
        "--version", dest="release_version", metavar="V", help=f"the release's version and folder name (default {__version__})"
    )
    release.add_argument("--previous", type=Path, metavar="DIR", help="an earlier release's folder: CHANGES.md, added.nq, removed.nq")
    release.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the release date (default today)")
    release.add_argument("--force", action="store_true", help="replace DIR/VERSION if it exists")
    add_graph_options(release, store=False)
    release.set_defaults(handler=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


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


def run(args: argparse.Namespace) -> int:
    from relais.pipelines.release import make_release

    settings = Settings.from_env()
    if settings.public_url is None:
        print(
            f"relais release: note: RELAIS_PUBLIC_URL is not set, so void.ttl names {settings.base_url}/sparql as the endpoint",
            file=sys.stderr,
        )
    report = make_release(
        open_graph(args),
        args.output,
        _release_files,
        version=args.release_version or __version__,
        released=args.date,
        base_url=settings.base_url,
        previous=args.previous,
        release_url=settings.release_url,
        force=args.force,
    )
    since = f"; since {report.previous}: {report.added} added, {report.removed} removed" if report.previous else ""
    print(f"wrote release {report.version} to {report.path}: {len(report.files)} files, {report.quads} statements{since}")
    print(f"check it with: (cd {report.path} && sha256sum -c SHA256SUMS)")
    return 0
