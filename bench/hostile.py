"""Hostile traffic against a running `claimbase serve`, on loopback only. Run by hand.

    .venv/bin/python bench/hostile.py --base http://127.0.0.1:5000 [--token T] SCENARIO…

Scenarios (each bounded in clients, requests and seconds):

- slow:     --slow-clients connections (50) send a request head a byte-group at a time,
            held open for --seconds (60), while one client runs ordinary reads;
            prints the share of reads answered and their p50/p99.
- searches: --rounds (3) rounds of 10 concurrent worst-case searches (WORST_SEARCHES: the
            most terms and prefix terms the caps allow, each matching most rows, with
            facets and phrases; plus one over the caps), while ordinary reads run; prints
            each search's status and time, and the reads' share answered and p99.
- misses:   1,000 anonymous GETs of speakers that do not exist, then the same with a
            token (--token); prints how many met 429.
- export:   GET --export (/claims.ndjson) to the end; prints rows, bytes and seconds.
- import:   POST a generated NDJSON file of --records claims (--token needed); prints the
            status and seconds (over the job threshold it is a job: see `job`).
- job:      POST --file (NDJSON of --resource) as an import job (--token needed; the server
            needs CLAIMBASE_IMPORT_MAX_BYTES above the file's size), then follow
            GET /imports/{id} every --poll seconds, printing its progress, to the end.

Start the server with rate limits as you want to measure them (for `slow` and `searches`,
CLAIMBASE_RATELIMIT_ENABLED=0 keeps the reads from meeting the costly budget).
"""

import argparse
import http.client
import json
import os
import socket
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlparse

ORDINARY_READS = ["/claims?limit=5", "/speakers?limit=5", "/topics", "/claims?status=contested"]
# Worst cases within the caps (16 terms, 4 prefix terms of 3+ letters), on bench/generate.py's
# vocabulary: every term matches most texts (and is stemmed in every language, the query
# having no lang), so every row is a match to rank, count and snippet.
COMMON = ["the", "our", "we", "are", "to", "and", "is", "not", "in", "of", "again", "this"]
PREFIXES = ["sup*", "gov*", "par*", "acc*"]
PHRASES = ['"the people"', '"our partners"', '"the truth"', '"and again"']
WORST_SEARCHES = [
    ("/quotes", " OR ".join(COMMON + PREFIXES), ""),
    ("/claims", " OR ".join(COMMON + PREFIXES), "&facets=rating,publisher"),
    ("/quotes", " OR ".join(PHRASES + PREFIXES + COMMON[:8]), "&facets=rating,publisher"),
    ("/claims", " OR ".join(PHRASES + PREFIXES + COMMON[:8]), "&limit=100"),
    ("/sources", " OR ".join(COMMON + PREFIXES), "&limit=100"),
]
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
          f"p99 {1000 * percentile(answered, 0.99):.0f} ms, "
          f"max {1000 * max(answered, default=float('nan')):.0f} ms")


def load_average():
    """The machine's 1-minute load average (the bench shares its cores with the server and
    anything else running): printed with every scenario."""
    return f"load average {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores"


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
    print(f"slow: {clients} slow clients for {seconds} s; ends at {load_average()}")
    report_reads(results)


def searches(host, port, rounds):
    """`rounds` rounds of 10 worst-case searches at once (and one over the caps), with
    ordinary reads alongside the whole time."""
    stop = threading.Event()
    results = []
    reader = threading.Thread(target=reads_while, args=(host, port, stop, results))
    reader.start()
    time.sleep(2)
    chosen = [WORST_SEARCHES[i % len(WORST_SEARCHES)] for i in range(10)]
    paths = [f"{path}?q={quote(q)}{extra}" for path, q, extra in chosen]
    paths.append(f"/quotes?q={quote(OVER_THE_CAPS)}")
    answers = []
    for _ in range(rounds):
        with ThreadPoolExecutor(len(paths)) as pool:
            answers += list(pool.map(lambda p: (p, *get(host, port, p, timeout=60)), paths))
    time.sleep(1)
    stop.set()
    reader.join()
    print(f"searches: {rounds} round(s) of 10 worst-case searches at once, and one over the "
          f"caps; ends at {load_average()}")
    for path, status, seconds, body in answers:
        detail = "" if status == 200 else " — " + json.loads(body).get("detail", "")[:70]
        print(f"  {status} in {seconds:5.2f} s  {unquote(path)[:70]}{detail}")
    worst = [seconds for path, _, seconds, _ in answers if "w1*" not in path]
    statuses = Counter(status for _, status, _, _ in answers)
    print(f"  worst-case searches: {len(worst)}, slowest {max(worst):.2f} s, "
          f"statuses {dict(statuses)}")
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


def export(host, port, path="/claims.ndjson"):
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=120)
    connection.request("GET", path)
    response = connection.getresponse()
    rows = size = 0
    while chunk := response.read(1 << 20):
        rows += chunk.count(b"\n")
        size += len(chunk)
    connection.close()
    print(f"export: {path} {response.status}: {rows:,} rows, {size / 1e6:.1f} MB "
          f"in {time.monotonic() - started:.1f} s")


def import_job(host, port, token, path, resource, poll):
    """POST a file as an import job and follow its progress to the end."""
    size = path.stat().st_size
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=600)
    with open(path, "rb") as body:
        connection.request("POST", f"/imports?format=ndjson&resource={resource}", body=body,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/x-ndjson",
                                    "Content-Length": str(size)})
        response = connection.getresponse()
        answer = json.loads(response.read())
    connection.close()
    location = response.headers.get("Location")
    print(f"job: {path.name} ({size / 1e6:.1f} MB): {response.status} in "
          f"{time.monotonic() - started:.1f} s, Location {location}")
    if response.status != 202:
        print(f"  {answer}")
        return
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        time.sleep(poll)
        try:
            _, _, body = get(host, port, location, headers)
        except OSError as error:
            print(f"  {time.monotonic() - started:7.1f} s: no answer ({error})")
            continue
        job = json.loads(body)
        print(f"  {time.monotonic() - started:7.1f} s: {job['status']:8} {job['records']:>9,} "
              f"records, {job['bytes_read'] / 1e6:7.1f} MB read", flush=True)
        if job["status"] in ("done", "failed"):
            report = job["report"] or {}
            print(f"  report: records {report.get('records')}, created {report.get('created')}"
                  f", unchanged {report.get('unchanged')}, rejected {report.get('rejected')}, "
                  f"committed {report.get('committed')}; error {job['error']}")
            return


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
    parser.add_argument("--rounds", type=int, default=3, help="searches: rounds of 10.")
    parser.add_argument("--export", default="/claims.ndjson", help="The export to read.")
    parser.add_argument("--file", type=Path, help="job: the NDJSON file to import.")
    parser.add_argument("--resource", default="claims", help="job: what the file holds.")
    parser.add_argument("--poll", type=float, default=10, help="job: seconds between polls.")
    parser.add_argument("scenarios", nargs="+",
                        choices=["slow", "searches", "misses", "export", "import", "job"])
    args = parser.parse_args()
    address = urlparse(args.base)
    if address.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("loopback only: this script floods the server it is given")
    if not (1 <= args.slow_clients <= 500 and 1 <= args.seconds <= 300
            and 1 <= args.records <= 1_000_000):
        sys.exit("bounded: at most 500 slow clients, 300 s and 1,000,000 records")
    host, port = address.hostname, address.port or 80
    for scenario in args.scenarios:
        print(f"{scenario}: starts at {load_average()}")
        if scenario == "slow":
            slow(host, port, args.slow_clients, args.seconds)
        elif scenario == "searches":
            searches(host, port, args.rounds)
        elif scenario == "misses":
            misses(host, port, args.token)
        elif scenario == "export":
            export(host, port, args.export)
        elif scenario == "job":
            if not (args.token and args.file):
                sys.exit("job needs --token and --file")
            import_job(host, port, args.token, args.file, args.resource, args.poll)
        elif scenario == "import":
            if not args.token:
                sys.exit("import needs --token")
            import_records(host, port, args.token, args.records)


if __name__ == "__main__":
    main()
