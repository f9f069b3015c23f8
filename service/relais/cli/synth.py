"""``relais synth``: seeded synthetic data of the Relais model, for tests and benchmarks (never mixed into the shipped data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    synth = subparsers.add_parser(
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
    synth.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
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
