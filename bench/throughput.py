"""Lookup throughput of Relais against the Oxigraph server, side by side, in about a minute.

    python bench/throughput.py [--rounds 3] [--duration 5] [--connections 16]

The question of issue #17 point 1, and nothing else: the same data (bench's 10k dataset, the
shipped graph plus 10k synthetic triples and graph ``inferred``, cached under bench/.cache/) is
served by ``relais serve --data`` and by ``oxigraph serve-read-only --union-default-graph`` (after
``oxigraph load``); then ``wrk`` (one thread, ``--connections`` connections, ``--duration``
seconds, bench's Lua script rotating over 200 synthetic programmes, JSON results) runs against
each, Relais and Oxigraph alternately, ``--rounds`` times. It prints every round, the medians and
the ratio of the medians (Relais / Oxigraph requests per second), and Relais' p99.

Both servers stay up for the whole run (started once each, each load test against a warm
server); the machine has 2 cores shared with the load generator, so the ratio is what to
compare across runs, not the absolute rates. Exit status 1 if wrk saw errors.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402  (bench/run.py: the data, the servers and the wrk load test)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="load tests per server, alternating (default 3)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load test (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    args = parser.parse_args(argv)
    if not bench.shutil.which("wrk") or not bench.shutil.which("oxigraph"):
        print("throughput: error: needs `wrk` and the `oxigraph` server binary on PATH", file=sys.stderr)
        return 2
    data, quads = bench.dataset_file(10_000)
    bench.log(f"data: {data.name}, {quads} quads; load average {bench._loadavg()}")
    results: dict[str, list[bench.LoadResult]] = {"Relais": [], "Oxigraph": []}
    with tempfile.TemporaryDirectory(prefix="relais-throughput-") as tmp:
        workdir = Path(tmp)
        location, _ = bench.load_oxigraph(workdir, data)
        oxigraph = start_oxigraph_read_only(workdir, location)
        try:
            relais = bench.start_relais(workdir, data, 30, 120)
            try:
                for round_ in range(1, args.rounds + 1):
                    for name, server in (("Relais", relais), ("Oxigraph", oxigraph)):
                        load = bench.load_test(server.url, args.connections, args.duration)
                        results[name].append(load)
                        bench.log(
                            f"round {round_} {name:8} {load.rps or 0:8.0f} req/s  p50 {load.p50_ms or 0:.2f} ms  "
                            f"p99 {load.p99_ms or 0:.2f} ms  errors {load.errors}"
                        )
            finally:
                relais.stop()
        finally:
            oxigraph.stop()
    relais_rps = statistics.median(r.rps or 0 for r in results["Relais"])
    oxigraph_rps = statistics.median(r.rps or 0 for r in results["Oxigraph"])
    relais_p99 = statistics.median(r.p99_ms or 0 for r in results["Relais"])
    oxigraph_p99 = statistics.median(r.p99_ms or 0 for r in results["Oxigraph"])
    errors = sum(r.errors for rs in results.values() for r in rs)
    print(
        f"median of {args.rounds}: Relais {relais_rps:.0f} req/s (p99 {relais_p99:.2f} ms), "
        f"Oxigraph {oxigraph_rps:.0f} req/s (p99 {oxigraph_p99:.2f} ms), ratio {relais_rps / oxigraph_rps:.2f}, errors {errors}; "
        f"load average {bench._loadavg()}"
    )
    return 1 if errors else 0


def start_oxigraph_read_only(workdir: Path, location: Path) -> bench.Server:
    """``oxigraph serve-read-only --union-default-graph`` on a loaded store (no timeout: see bench/run.py)."""
    port = bench.free_port()
    log_path = workdir / f"oxigraph-{port}.log"
    process = bench.subprocess.Popen(
        ["oxigraph", "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=open(log_path, "wb"),
        stderr=bench.subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    startup = bench._wait_ready(process, f"{base}/query?query={bench.quote('ASK {}')}", 60, log_path)
    return bench.Server("Oxigraph server", process, f"{base}/query", startup, log_path)


if __name__ == "__main__":
    sys.exit(main())
