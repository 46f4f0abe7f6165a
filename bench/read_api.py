"""Baseline latency and throughput of the read API on the seeded database.

Run by hand, not in CI:  .venv/bin/python bench/read_api.py [--requests 2000] [--concurrency 8]

Starts `claimbase serve` (gunicorn, 2 workers) on a new seeded SQLite database (or on
DATABASE_URL if set), sends each query a fixed number of times from a thread pool on this
machine, and prints req/s, p50 and p99 per query. The load generator shares the machine's
cores with the server, so the figures are a floor, not the hardware limit (issue 7 adds a
wrk harness and a raw reference).
"""

import argparse
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

QUERIES = [
    "/claims?speaker=Poutine",
    "/claims?speaker=%C3%89tats-Unis",
    "/claims?status=contested",
    "/quotes?speaker=Kim%20Jong%20Un",
    "/claims?speaker=Poutin",
    "/speakers/vladimir-putin",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path):
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return time.perf_counter() - started


def measure(port, path, requests, concurrency):
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: get(port, path), range(50)))  # warm-up
        started = time.perf_counter()
        latencies = sorted(pool.map(lambda _: get(port, path), range(requests)))
        elapsed = time.perf_counter() - started
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return requests / elapsed, statistics.median(latencies) * 1000, p99 * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    claimbase = Path(sys.executable).parent / "claimbase"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        # Rate limits (on by default) would answer a throughput bench with 429s.
        env = {"DATABASE_URL": f"sqlite:///{tmp}/bench.db", **os.environ,
               "CLAIMBASE_RATELIMIT_ENABLED": "0"}
        server = subprocess.Popen([str(claimbase), "serve", "--port", str(port), "--workers", "2"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    get(port, "/topics")
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"# {time.strftime('%Y-%m-%d')} {platform.node()} {os.cpu_count()} cores, "
                  f"python {platform.python_version()}, {env['DATABASE_URL'].split(':')[0]}, "
                  f"{args.requests} requests x {args.concurrency} threads")
            print("| query | req/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |")
            for path in QUERIES:
                rate, p50, p99 = measure(port, path, args.requests, args.concurrency)
                print(f"| `{path}` | {rate:.0f} | {p50:.1f} | {p99:.1f} |")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
