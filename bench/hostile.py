"""Hostile traffic against a running `claimbase serve`, on loopback only. Run by hand.

    .venv/bin/python bench/hostile.py --base http://127.0.0.1:5000 [--token T] SCENARIO…

Scenarios (each bounded in clients, requests and seconds):

- slow:     --slow-clients connections (50) send a request head a byte-group at a time,
            held open for --seconds (60), while one client runs ordinary reads;
            prints the share of reads answered and their p50/p99.
- searches: 10 concurrent worst-case searches (the most terms and prefix terms the caps
            allow, plus one over the caps), while ordinary reads run; prints each
            search's status and time, and the reads' p99.
- misses:   1,000 anonymous GETs of speakers that do not exist, then the same with a
            token (--token); prints how many met 429.
- export:   GET /claims.ndjson to the end; prints rows, bytes and seconds.
- import:   POST a generated NDJSON file of --records claims (--token needed); prints the
            status and seconds (an import is one request: it must fit in 64 MiB).

Start the server with rate limits as you want to measure them (for `slow` and `searches`,
CLAIMBASE_RATELIMIT_ENABLED=0 keeps the reads from meeting the costly budget).
"""

import argparse
import http.client
import json
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

ORDINARY_READS = ["/claims?limit=5", "/speakers?limit=5", "/topics", "/claims?status=contested"]
WORST_SEARCH = " OR ".join(["tax*", "pens*", "clim*", "war*"]
                           + [f"word{i}" for i in range(12)])
OVER_THE_CAPS = " OR ".join(f"w{i}*" for i in range(60))


def get(host, port, path, headers=None, timeout=30):
    """(status, seconds, body bytes) of one GET on a new connection."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.monotonic() - started, body
    finally:
        connection.close()


def percentile(values, share):
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def reads_while(host, port, stop, results):
    """Ordinary reads, one after another, until `stop` is set: (answered, seconds)."""
    i = 0
    while not stop.is_set():
        path = ORDINARY_READS[i % len(ORDINARY_READS)]
        i += 1
        try:
            status, seconds, _ = get(host, port, path, timeout=5)
            results.append((status == 200, seconds))
        except OSError:
            results.append((False, 5.0))
        time.sleep(0.02)


def report_reads(results):
    answered = [s for ok, s in results if ok]
    share = 100 * len(answered) / max(1, len(results))
    print(f"  reads: {len(results)} sent, {share:.1f}% answered, "
          f"p50 {1000 * percentile(answered, 0.5):.0f} ms, "
          f"p99 {1000 * percentile(answered, 0.99):.0f} ms")


def slow(host, port, clients, seconds):
    """Clients that send their request head slowly, held open for `seconds`."""
    stop = threading.Event()

    def slow_client():
        while not stop.is_set():
            try:
                with socket.create_connection((host, port), timeout=10) as sock:
                    sock.sendall(b"GET /claims HTTP/1.1\r\nHost: x\r\n")
                    while not stop.is_set():
                        sock.sendall(b"X-Slow: y\r\n")
                        stop.wait(2)
            except OSError:
                stop.wait(0.5)

    threads = [threading.Thread(target=slow_client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    results = []
    reader = threading.Thread(target=reads_while, args=(host, port, stop, results))
    reader.start()
    time.sleep(seconds)
    stop.set()
    reader.join()
    print(f"slow: {clients} slow clients for {seconds} s")
    report_reads(results)


def searches(host, port):
    """10 worst-case searches at once (and one over the caps), with reads alongside."""
    stop = threading.Event()
    results = []
    reader = threading.Thread(target=reads_while, args=(host, port, stop, results))
    reader.start()
    queries = [WORST_SEARCH] * 10 + [OVER_THE_CAPS]
    paths = [f"/quotes?q={q.replace(' ', '%20')}" for q in queries]
    with ThreadPoolExecutor(len(paths)) as pool:
        answers = list(pool.map(lambda p: get(host, port, p, timeout=60), paths))
    time.sleep(1)
    stop.set()
    reader.join()
    print("searches: 10 worst-case searches at once, and one over the caps")
    for (status, seconds, body), query in zip(answers, queries, strict=True):
        kind = "over caps" if query is OVER_THE_CAPS else "worst case"
        detail = "" if status == 200 else " — " + json.loads(body).get("detail", "")[:80]
        print(f"  {kind}: {status} in {seconds:.2f} s{detail}")
    report_reads(results)


def misses(host, port, token):
    """1,000 anonymous misses, then 1,000 with a token."""
    print("misses: 1,000 GET /speakers/<nobody> from one address")
    for label, headers in (("anonymous", {}), ("with a token", {"Authorization":
                                                                f"Bearer {token}"})):
        if label == "with a token" and not token:
            continue
        statuses = [get(host, port, f"/speakers/nobody-{label[0]}{i}", headers)[0]
                    for i in range(1000)]
        print(f"  {label}: {statuses.count(404)} × 404, {statuses.count(429)} × 429, "
              f"first 429 at request {statuses.index(429) + 1 if 429 in statuses else '-'}")


def export(host, port):
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=120)
    connection.request("GET", "/claims.ndjson")
    response = connection.getresponse()
    rows = size = 0
    while chunk := response.read(1 << 20):
        rows += chunk.count(b"\n")
        size += len(chunk)
    connection.close()
    print(f"export: /claims.ndjson {response.status}: {rows:,} rows, {size / 1e6:.1f} MB "
          f"in {time.monotonic() - started:.1f} s")


def import_records(host, port, token, records):
    lines = (json.dumps({"text": f"Hostile bench claim number {i}.", "lang": "en"}).encode()
             + b"\n" for i in range(records))
    body = b"".join(lines)
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=600)
    connection.request("POST", "/imports?format=ndjson&resource=claims", body=body,
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": "application/x-ndjson"})
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    print(f"import: {records:,} records ({len(body) / 1e6:.1f} MB): {response.status} in "
          f"{time.monotonic() - started:.1f} s — {answer[:160]!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--token", help="An editor token (misses with a token; import).")
    parser.add_argument("--slow-clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("scenarios", nargs="+",
                        choices=["slow", "searches", "misses", "export", "import"])
    args = parser.parse_args()
    address = urlparse(args.base)
    if address.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("loopback only: this script floods the server it is given")
    if not (1 <= args.slow_clients <= 500 and 1 <= args.seconds <= 300
            and 1 <= args.records <= 1_000_000):
        sys.exit("bounded: at most 500 slow clients, 300 s and 1,000,000 records")
    host, port = address.hostname, address.port or 80
    for scenario in args.scenarios:
        if scenario == "slow":
            slow(host, port, args.slow_clients, args.seconds)
        elif scenario == "searches":
            searches(host, port)
        elif scenario == "misses":
            misses(host, port, args.token)
        elif scenario == "export":
            export(host, port)
        elif scenario == "import":
            if not args.token:
                sys.exit("import needs --token")
            import_records(host, port, args.token, args.records)


if __name__ == "__main__":
    main()
