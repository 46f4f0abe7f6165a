"""Facet counts against a plain page, on a database already holding a generated data set.

Run by hand, not in CI (issue 17's target: at 1M quotes, p99 with facets ≤ 2× a plain page):

    .venv/bin/python bench/generate.py --quotes 1000000 --out /tmp/q1m
    DATABASE_URL=sqlite:////tmp/q1m.db .venv/bin/claimbase migrate
    DATABASE_URL=sqlite:////tmp/q1m.db .venv/bin/claimbase import --format ndjson \\
        /tmp/q1m/topics.ndjson /tmp/q1m/speakers.ndjson /tmp/q1m/sources.ndjson \\
        /tmp/q1m/quotes.ndjson /tmp/q1m/claims.ndjson
    DATABASE_URL=sqlite:////tmp/q1m.db .venv/bin/python bench/facets.py [--requests 500]

Starts `claimbase serve` (gunicorn, 2 workers) on DATABASE_URL, then for each pair (a page,
the same page with facets=rating,publisher) sends the requests from a thread pool, the two
of a pair alternately in rounds so that machine noise falls on both, and prints req/s, p50,
p99 and the p99 ratio. The load generator shares the machine with the server.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from read_api import free_port  # noqa: E402
from read_api import get  # noqa: E402
from read_api import measure  # noqa: E402

FACETS = "facets=rating,publisher"
PAIRS = [
    "/claims?limit=50",
    "/claims?limit=50&rating=false",
    "/claims?limit=50&speaker=speaker-light",
    "/quotes?limit=50&speaker=speaker-light",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    claimbase = Path(sys.executable).parent / "claimbase"
    port = free_port()
    # The bench measures throughput: rate limits (on by default) would answer 429s.
    server = subprocess.Popen([str(claimbase), "serve", "--port", str(port), "--workers", "2"],
                              env={**os.environ, "CLAIMBASE_RATELIMIT_ENABLED": "0"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                get(port, "/topics")
                break
            except OSError:
                time.sleep(0.1)
        print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {os.cpu_count()} cores, "
              f"python {platform.python_version()}, {url.split(':')[0]}, {args.requests} "
              f"requests x {args.concurrency} threads, median of {args.rounds} rounds")
        print("| query | req/s | p50 ms | p99 ms | with facets: req/s | p50 ms | p99 ms "
              "| p99 ratio |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for path in PAIRS:
            plain, faceted = [], []
            for _ in range(args.rounds):
                plain.append(measure(port, path, args.requests, args.concurrency))
                faceted.append(measure(port, f"{path}&{FACETS}", args.requests,
                                       args.concurrency))
            a = [sorted(x)[len(x) // 2] for x in zip(*plain, strict=True)]
            b = [sorted(x)[len(x) // 2] for x in zip(*faceted, strict=True)]
            print(f"| `{path}` | {a[0]:.0f} | {a[1]:.1f} | {a[2]:.1f} | {b[0]:.0f} | "
                  f"{b[1]:.1f} | {b[2]:.1f} | {b[2] / a[2]:.2f} |")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
