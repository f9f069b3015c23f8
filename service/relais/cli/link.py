"""``relais link wikidata|insee`` finds candidate links and writes a review CSV; ``relais link accept`` writes the accepted rows.

Accepted rows go to data/links.ttl with their provenance, validated with shapes/ first.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from relais.cli.common import add_graph_options, open_graph, problems, violation
from relais.config import Settings
from relais.errors import ShapeViolation

# The open graphs links are found in: the kinds of resource each can link (the first is the default), its endpoint.
TARGETS = (
    ("wikidata", "organisation|person|territory", "https://query.wikidata.org/sparql"),
    ("insee", "territory", "https://rdf.insee.fr/sparql"),
)


def add_parser(subparsers: Any) -> None:
    link = subparsers.add_parser(
        "link",
        help="find links to Wikidata or INSEE, and accept reviewed ones",
        description="Find candidate links to another open graph (a review CSV), then write the rows a person accepted to data/links.ttl with their provenance.",
    )
    link_sub = link.add_subparsers(dest="link_command", required=True, metavar="wikidata|insee|accept")
    for target, kinds, endpoint in TARGETS:
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
        add_graph_options(find)
        find.set_defaults(target=target)
    accept = link_sub.add_parser(
        "accept",
        help="write the accepted rows of a review CSV as links",
        description="Append the rows a person set to 'accepted' to data/links.ttl with their provenance, validated with shapes/ first. Refuses ambiguous and conflicting rows. Idempotent. Exit 0 written, 1 SHACL violations, 2 refused.",
    )
    accept.add_argument("file", type=Path, metavar="FILE.csv", help="the review file")
    accept.add_argument("--by", default=None, metavar="NAME", help="who accepted the rows whose decided_by is empty")
    accept.add_argument("-o", "--output", type=Path, metavar="FILE.ttl", help="links file to append to (default data/links.ttl)")
    link.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return _accept(args) if args.link_command == "accept" else _find(args)


def _find(args: argparse.Namespace) -> int:
    from relais.pipelines import linker

    kind = args.kind or linker.TARGET_KINDS[args.target][0]
    output = args.output or Path(f"links-review-{args.target}-{kind}.csv")
    result = linker.find_links(
        open_graph(args),
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


def _accept(args: argparse.Namespace) -> int:
    from relais import resources
    from relais.pipelines import linker

    settings = Settings.from_env()
    output = args.output or resources.data_dir() / "links.ttl"
    try:
        result = linker.accept_review(
            args.file, output, accepted_by=args.by, shapes_dir=settings.shapes_dir, ontology_dir=resources.ontology_dir()
        )
    except linker.ReviewRefused as exc:
        return problems([f"{args.file}: {problem}" for problem in exc.problems])
    except ShapeViolation as exc:
        return violation(exc.report_text, exc)
    print(f"added {len(result.added)} links to {result.output} ({result.already_there} already there)")
    return 0
