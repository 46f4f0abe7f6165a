"""The hot queries of bench/load.py at two sizes and on both backends, in one run.

Run by hand, not in CI (issue 16's target: at 1M quotes every hot query's p99 is at most
1.3× its p99 at 10k, and PostgreSQL serves at least 0.8× of SQLite's req/s on each):

    .venv/bin/python bench/scale.py --requests 200 --rounds 3 \\
        --db 10k=/tmp/10k.sqlite --db 1m=/tmp/1m.sqlite \\
        --pg 10k=postgresql://postgres@127.0.0.1:5432/db10k \\
        --pg 1m=postgresql://postgres@127.0.0.1:5432/db1m

Each SQLite file and PostgreSQL database (holding the same data as the SQLite file of the
same label) gets its own `claimbase serve` (gunicorn, 2 workers). For each hot query, each
round sends the same number of requests to every server in turn, so that the machine's
noise (it is shared) falls on all of them alike; the tables give the medians of the rounds
and the ratios within the run: p99 at each size against the smallest, and PostgreSQL's
req/s against SQLite's. The queries are load.py's, their cursors and word read from each
SQLite file as load.py reads them.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import claimbase_helpers  # noqa: E402
from load import path  # noqa: E402
from load import read_facts  # noqa: E402
from read_api import free_port  # noqa: E402
from read_api import get  # noqa: E402
from read_api import measure  # noqa: E402

LIMIT = 50


def hot_queries(facts, word, helpers):
    """(title, path) of load.py's Claimbase queries for one data set."""
    encode_cursor, _ = helpers
    return [
        ("heavy speaker", path("/claims", speaker="speaker-heavy", limit=LIMIT)),
        ("light speaker", path("/claims", speaker="speaker-light", limit=LIMIT)),
        ("alias", path("/claims", speaker="Кирмесем Енчи", limit=LIMIT)),
        ("status=contested", path("/claims", status="contested", limit=LIMIT)),
        (f"q={word}", path("/claims", q=word, limit=LIMIT)),
        ("deep page, all claims", path("/claims", limit=LIMIT,
                                       cursor=encode_cursor(facts.last_claims))),
        ("deep page of speaker-heavy", path("/claims", speaker="speaker-heavy", limit=LIMIT,
                                            cursor=encode_cursor(facts.last_heavy_claims))),
    ]


def serve(url, code=None):
    """Start `claimbase serve` on a database (with the code in directory `code` when given,
    else this checkout's); (process, port) once it answers."""
    claimbase = Path(sys.executable).parent / "claimbase"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "CLAIMBASE_RATELIMIT_ENABLED": "0"}
    if code:
        env["PYTHONPATH"] = str(Path(code).resolve())
    server = subprocess.Popen([str(claimbase), "serve", "--port", str(port), "--workers", "2"],
                              env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            get(port, "/topics")
            return server, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"claimbase serve on {url} did not answer")


def labelled(values):
    return [tuple(value.split("=", 1)) for value in values or []]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="LABEL=SQLITE_FILE")
    parser.add_argument("--pg", action="append", help="LABEL=POSTGRESQL_URL (same data)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--word", default="secret")
    parser.add_argument("--before", help="Also serve every database with the code in this "
                        "directory (e.g. `git archive main | tar -x -C DIR`), as `… before`.")
    args = parser.parse_args()
    helpers = claimbase_helpers()
    files = labelled(args.db)
    targets = [(label, "sqlite", f"sqlite:///{Path(file).resolve()}") for label, file in files]
    targets += [(label, "postgresql", url) for label, url in labelled(args.pg)]
    if args.before:
        targets += [(label, f"{backend} before", url) for label, backend, url in targets]
    queries = {label: hot_queries(read_facts(Path(file), ["speaker-heavy"], LIMIT, args.word,
                                             helpers[1]), args.word, helpers)
               for label, file in files}
    servers = {}
    try:
        for label, backend, url in targets:
            servers[label, backend] = serve(url, args.before if "before" in backend else None)
        print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()} {os.cpu_count()} cores "
              f"(shared), python {platform.python_version()}; {args.requests} requests x "
              f"{args.concurrency} threads per server and round, median of {args.rounds} "
              f"rounds; servers: {', '.join(f'{size} {b}' for size, b, _ in targets)}")
        results = run(queries, targets, servers, args)
        titles = [title for title, _ in next(iter(queries.values()))]
        report(results, [(label, backend) for label, backend, _ in targets], files, titles)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(10)


def run(queries, targets, servers, args):
    """{(query index, label, backend): (req/s, p50, p99)} medians of the rounds."""
    samples = {}
    for index in range(len(next(iter(queries.values())))):
        for _ in range(args.rounds):
            for label, backend, _ in targets:
                _, port = servers[label, backend]
                path_ = queries[label][index][1]
                samples.setdefault((index, label, backend), []).append(
                    measure(port, path_, args.requests, args.concurrency))
    return {key: [sorted(x)[len(x) // 2] for x in zip(*values, strict=True)]
            for key, values in samples.items()}


def report(results, columns, files, titles):
    """One table: req/s (p99 ms) per query and server, then the ratios within the run."""
    base = files[0][0]
    grown = [(size, b) for size, b in columns if size != base]
    print("| query | " + " | ".join(f"{size} {b} req/s (p99 ms)" for size, b in columns)
          + "".join(f" | p99 {size}/{base} {b}" for size, b in grown)
          + "".join(f" | PG/SQLite req/s {size}" for size, _ in files) + " |")
    print("| --- |" + " ---: |" * (len(columns) + len(grown) + len(files)))
    for index, title in enumerate(titles):
        cells = [f"{results[index, size, b][0]:.0f} ({results[index, size, b][2]:.1f})"
                 for size, b in columns]
        growth = [f"{results[index, size, b][2] / results[index, base, b][2]:.2f}"
                  for size, b in grown]
        pg = [f"{results[index, size, 'postgresql'][0] / results[index, size, 'sqlite'][0]:.2f}"
              if (index, size, "postgresql") in results else "—" for size, _ in files]
        print(f"| {title} | " + " | ".join(cells + growth + pg) + " |")
    if any("before" in backend for _, backend in columns):
        print("\nreq/s after / before (this checkout's code against --before's), same run:\n")
        now = [(size, b) for size, b in columns if "before" not in b]
        print("| query | " + " | ".join(f"{size} {b}" for size, b in now) + " |")
        print("| --- |" + " ---: |" * len(now))
        for index, title in enumerate(titles):
            print(f"| {title} | " + " | ".join(
                f"{results[index, size, b][0] / results[index, size, b + ' before'][0]:.2f}"
                for size, b in now) + " |")


if __name__ == "__main__":
    main()
