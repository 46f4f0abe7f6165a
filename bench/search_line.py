"""One search (`/claims?q=WORD&limit=50`) on several servers, alternated round by round as
bench/scale.py alternates them: req/s, p50 and p99 of each (median of the rounds), and each
round's p99. Run by hand, not in CI. Each server is `claimbase serve` (2 workers) on a URL,
with environment variables of its own (a code directory through PYTHONPATH, the search
slots), e.g. this checkout against main, and without the search-slot cap:

    .venv/bin/python bench/search_line.py --rounds 5 \\
        --server 10k=sqlite:////tmp/10k.sqlite \\
        --server 10k-main=sqlite:////tmp/10k.sqlite,PYTHONPATH=/tmp/main \\
        --server 10k-no-cap=sqlite:////tmp/10k.sqlite,CLAIMBASE_SEARCH_SLOTS=0

(Issue 16: with 4 clients and one search slot, a search's p99 measured how the slot was
shared more than the search; see bench/README.md.)
"""

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import path  # noqa: E402
from read_api import measure  # noqa: E402
from scale import serve  # noqa: E402


def parse_server(value):
    """LABEL=URL[,NAME=VALUE…] → (label, url, {name: value})."""
    label, rest = value.split("=", 1)
    url, *assignments = rest.split(",")
    return label, url, dict(assignment.split("=", 1) for assignment in assignments)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", action="append", required=True,
                        help="LABEL=URL[,NAME=VALUE...]: a server and its environment")
    parser.add_argument("--word", default="secret")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    servers = {}
    try:
        for label, url, env in map(parse_server, args.server):
            with mock.patch.dict(os.environ, env):
                servers[label] = serve(url)
        query = path("/claims", q=args.word, limit=50)
        samples = {label: [] for label in servers}
        for _ in range(args.rounds):
            for label, (_, port) in servers.items():
                samples[label].append(measure(port, query, args.requests, args.concurrency))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"# {time.strftime('%Y-%m-%d %H:%M')} {query}: {args.requests} requests x "
              f"{args.concurrency} threads, median of {args.rounds} rounds; load {load}")
        print("| server | req/s | p50 ms | p99 ms | p99 of each round |")
        print("| --- | ---: | ---: | ---: | --- |")
        for label, rounds in samples.items():
            rate, p50, p99 = (sorted(x)[len(x) // 2] for x in zip(*rounds, strict=True))
            each = ", ".join(f"{r[2]:.1f}" for r in rounds)
            print(f"| {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {each} |")
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
