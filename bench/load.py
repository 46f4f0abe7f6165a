"""Throughput and latency of Claimbase against a raw reference and Datasette, under wrk.

Run by hand, not in CI (needs `wrk` on the PATH and `pip install -e '.[bench]'`):

    .venv/bin/python bench/load.py --db /tmp/load10k.db [--postgres-url URL] \\
        [--duration 10] [--connections 8] [--rounds 3]

What it starts, each on a free 127.0.0.1 port with gunicorn and 2 workers:
- Claimbase: `claimbase serve --workers 2` on the SQLite file (its access log goes to a file);
- the raw reference: bench/raw_reference.py (plain WSGI + sqlite3) on the same file;
- Datasette on the same file, through gunicorn's uvicorn worker, measured two ways: the same
  SQL as Claimbase's page through its JSON API (`?sql=…&_shape=array`, the fair comparison)
  and its table-filter page (`/db/table.json?column=value`);
- with --postgres-url, Claimbase again on a PostgreSQL database holding the same data;
- the stack's limit: bench/static_same_bytes.py, a static WSGI app under the same gunicorn
  answering each path with the very bytes Claimbase answered for it (fetched once, before the
  rounds). Claimbase/static says how much of the serving stack's capacity is left to it.

What it measures: for each query (a heavy speaker, a light speaker, an alias in another
script, status=contested, q= full text, deep keyset pages), each round and each target in
turn (round-robin, so machine noise spreads evenly), `wrk -t1 -cN -dDs --latency` gives
req/s and the 50% and 99% latency. Every URL is first fetched once and must answer 200 with
non-empty JSON rows, else that target is skipped for the query. Prints a Markdown table per
query (medians of the rounds; "—" where a target has no equivalent) and a summary of the
ratios Claimbase/raw and Claimbase/Datasette (req/s: below 1 means Claimbase is slower).

Every page has the same size (--limit, 50): Claimbase and the raw reference get `limit=`,
Datasette's SQL says `limit 50` and its table page `_size=50`. Datasette's SQL reads the
claims of the page only; Claimbase also embeds their stances, topics, reviews and
appearances (4 more statements), which is part of the price being measured. wrk runs on
the same machine as the servers and takes one core.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2
STARTUP_SECONDS = 60
WRK_TIMEOUT = "10s"  # wrk's default (2s) would drop slow requests from the percentiles

CLAIMBASE = "Claimbase"
CLAIMBASE_PG = "Claimbase (PostgreSQL)"
RAW = "raw reference"
DS_SQL = "Datasette ?sql="
DS_TABLE = "Datasette table page"
RAW_APP = "bench.raw_reference:app"
STATIC = "static, same bytes"
STATIC_APP = "bench.static_same_bytes:app"
DATASETTE_MODULE = """\
from datasette.app import Datasette

app = Datasette({files!r}, immutables={immutables!r}, settings={settings!r}).app()
"""
DATASETTE_SETTINGS = {"sql_time_limit_ms": 10_000}

SPEAKER_SQL = """\
select claim.* from claim
where claim.id in (
  select claim_id from stance where speaker_id in (
    select id from speaker where slug = :slug or key = :key
    union select speaker_id from alias where key = :key))
{after}order by claim.id limit {limit}"""
STATUS_SQL = "select * from claim where status = :status order by id limit {limit}"
SEARCH_SQL = """\
select claim.*, bm25(claim_fts) as score
from claim_fts join claim on claim.id = claim_fts.rowid
where claim_fts match :q
order by score, claim.id limit {limit}"""
DEEP_SQL = "select * from claim where id > :after order by id limit {limit}"


@dataclass
class Server:
    """A server process (its own process group) and where its output goes."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path


@dataclass
class Query:
    """One query: a title and, per target, the path to load (targets without one are skipped)."""

    title: str
    paths: dict


@dataclass
class Facts:
    """What the queries need from the database: ids, a deep cursor, a frequent word."""

    speaker_ids: dict
    last_claims: int
    last_heavy_claims: int
    word: str
    datasette_name: str = ""


# --- servers ------------------------------------------------------------------------------

def free_port():
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(name, argv, env, logdir, cwd=ROOT):
    """Start a server in its own process group, its output to a log file; a Server.

    Each gets its own XDG_RUNTIME_DIR so that gunicorn's control socket (gunicorn ≥ 25.1)
    is not shared between the servers of one run."""
    port = free_port()
    argv = [arg.replace("{port}", str(port)) for arg in argv]
    runtime = Path(tempfile.mkdtemp(prefix="run-", dir=logdir))
    log = logdir / f"{name.split()[0].lower()}-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env, "XDG_RUNTIME_DIR": str(runtime),
                                        "CLAIMBASE_RATELIMIT_ENABLED": "0"},
                                   start_new_session=True)
    return Server(name, f"http://127.0.0.1:{port}", process, log)


def stop(server):
    """Stop a server and its workers: TERM to the process group, KILL after 10 s."""
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def wait_ready(server, path):
    """Wait until the server answers `path` (any HTTP status); exit with its log if it dies."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"{server.name} exited:\n{server.log.read_text(errors='replace')[-3000:]}")
        try:
            urllib.request.urlopen(server.url + path, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{server.name} did not answer within {STARTUP_SECONDS} s; see {server.log}")


def start_claimbase(name, database_url, logdir):
    """`claimbase serve` (gunicorn, sync workers) on a database URL."""
    argv = [str(BIN / "claimbase"), "serve", "--workers", str(WORKERS), "--port", "{port}"]
    return start(name, argv, {"DATABASE_URL": database_url}, logdir)


def start_raw(db_path, app, logdir):
    """The raw WSGI reference under gunicorn, from the repository root."""
    argv = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", "127.0.0.1:{port}", app]
    return start(RAW, argv, {"CLAIMBASE_RAW_DB": str(db_path)}, logdir)


def start_static(queries, servers, logdir):
    """The static same-bytes app, serving what Claimbase answers for every query's path."""
    pages = {}
    for query in queries:
        path = query.paths.get(CLAIMBASE)
        if path is None:
            continue
        try:
            with urllib.request.urlopen(servers[CLAIMBASE].url + path, timeout=60) as response:
                pages[path] = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            print(f"<!-- {STATIC}: {path} skipped: Claimbase answered {error.code} -->")
    file = logdir / "static-pages.json"
    file.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    argv = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", "127.0.0.1:{port}", STATIC_APP]
    return start(STATIC, argv, {"CLAIMBASE_STATIC_PAGES": str(file)}, logdir)


def start_datasette(db_path, immutable, logdir):
    """Datasette on the file, as an ASGI app generated in the log folder, under gunicorn with
    uvicorn workers."""
    files, immutables = ([], [str(db_path)]) if immutable else ([str(db_path)], [])
    module = DATASETTE_MODULE.format(files=files, immutables=immutables,
                                     settings=DATASETTE_SETTINGS)
    (logdir / "datasette_app.py").write_text(module)
    argv = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-k", "uvicorn_worker.UvicornWorker",
            "-b", "127.0.0.1:{port}", "datasette_app:app"]
    return start("Datasette", argv, {}, logdir, cwd=logdir)


# --- the database -------------------------------------------------------------------------

def claimbase_helpers():
    """(encode_cursor, name_key) from Claimbase itself, so cursors and keys are its own."""
    sys.path.insert(0, str(ROOT))
    import service  # noqa: F401  (first: schemas.common imports the service package)
    from schemas.common import encode_cursor
    from service.text import name_key

    return encode_cursor, name_key


def frequent_word(connection, sample=500):
    """The most frequent word of 6 letters or more in the first claims (for q=)."""
    counts = collections.Counter()
    for (text,) in connection.execute("select text from claim order by id limit ?", (sample,)):
        counts.update(word.lower() for word in re.findall(r"[^\W\d_]{6,}", text))
    if not counts:
        sys.exit("no claim text with a word of 6 letters or more: pass --word")
    return counts.most_common(1)[0][0]


def id_before_last(connection, sql, params, rows):
    """The id after which `rows` rows of an id-ordered query remain (a deep cursor)."""
    found = connection.execute(f"{sql} order by 1 desc limit 1 offset ?", (*params, rows))
    row = found.fetchone()
    return row[0] if row else 0


def read_facts(db_path, names, limit, word, name_key):
    """Look up what the queries need, read-only."""
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        ids = {}
        for name in names:
            found = connection.execute(
                "select id from speaker where slug = ? or key = ? "
                "union select speaker_id from alias where key = ?",
                (name.strip().lower(), name_key(name), name_key(name))).fetchall()
            if len(found) != 1:
                sys.exit(f"{name!r} names {len(found)} speakers in {db_path}, not one")
            ids[name] = found[0][0]
        heavy_claims = "select distinct claim_id from stance where speaker_id = ?"
        return Facts(
            speaker_ids=ids,
            last_claims=id_before_last(connection, "select id from claim", (), limit),
            last_heavy_claims=id_before_last(connection, heavy_claims,
                                             (ids[names[0]],), limit),
            word=word or frequent_word(connection),
        )
    finally:
        connection.close()


# --- queries ------------------------------------------------------------------------------

def path(base, **params):
    """A path with its query string, every value URL-encoded."""
    return f"{base}?{urllib.parse.urlencode(params)}"


def speaker_query(title, name, facts, args, helpers, after=None):
    """The claims of a speaker (a page after `after` when given), on every target."""
    encode_cursor, name_key = helpers
    page = {"speaker": name, "limit": args.limit}
    if after is not None:
        page["cursor"] = encode_cursor(after)
    condition = "and claim.id > :after\n" if after is not None else ""
    sql = SPEAKER_SQL.format(after=condition, limit=args.limit)
    sql_params = {"slug": name.strip().lower(), "key": name_key(name)}
    if after is not None:
        sql_params["after"] = after
    table = None
    if after is None and name != args.alias:  # the alias gives the same page as --heavy
        table = path(f"/{facts.datasette_name}/stance.json",
                     speaker_id=facts.speaker_ids[name], _size=args.limit, _shape="array")
    return Query(title, {
        CLAIMBASE: path("/claims", **page),
        RAW: path("/claims", **page),
        DS_SQL: path(f"/{facts.datasette_name}.json", sql=sql, **sql_params, _shape="array"),
        DS_TABLE: table,
    })


def build_queries(facts, args, helpers):
    """Every query of the run, with its path on each target."""
    encode_cursor, _ = helpers
    db = facts.datasette_name
    limit = args.limit
    queries = [
        speaker_query(f"heavy speaker `{args.heavy}`", args.heavy, facts, args, helpers),
        speaker_query(f"light speaker `{args.light}`", args.light, facts, args, helpers),
        speaker_query(f"alias `{args.alias}`", args.alias, facts, args, helpers),
        Query("`status=contested`", {
            CLAIMBASE: path("/claims", status="contested", limit=limit),
            DS_SQL: path(f"/{db}.json", sql=STATUS_SQL.format(limit=limit),
                         status="contested", _shape="array"),
            DS_TABLE: path(f"/{db}/claim.json", status="contested", _size=limit,
                           _shape="array"),
        }),
        Query(f"full text `q={facts.word}`", {
            CLAIMBASE: path("/claims", q=facts.word, limit=limit),
            DS_SQL: path(f"/{db}.json", sql=SEARCH_SQL.format(limit=limit), q=facts.word,
                         _shape="array"),
        }),
        Query(f"deep keyset page, all claims (after id {facts.last_claims})", {
            CLAIMBASE: path("/claims", limit=limit, cursor=encode_cursor(facts.last_claims)),
            DS_SQL: path(f"/{db}.json", sql=DEEP_SQL.format(limit=limit),
                         after=facts.last_claims, _shape="array"),
            DS_TABLE: path(f"/{db}/claim.json", _next=facts.last_claims, _size=limit,
                           _shape="array"),
        }),
        speaker_query(f"deep keyset page of `{args.heavy}` (after claim "
                      f"{facts.last_heavy_claims})", args.heavy, facts, args, helpers,
                      after=facts.last_heavy_claims),
    ]
    for query in queries:  # Claimbase on PostgreSQL and the static app answer the same paths
        query.paths[CLAIMBASE_PG] = query.paths[CLAIMBASE]
        query.paths[STATIC] = query.paths[CLAIMBASE]
    return queries


# --- measuring ----------------------------------------------------------------------------

def check(url):
    """Fetch once: (rows, bytes) of a 200 answer with JSON rows, else raise ValueError."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise ValueError(f"HTTP {error.code}") from None
    data = json.loads(body)
    rows = data if isinstance(data, list) else data.get("data") or data.get("rows") or []
    if not rows:
        raise ValueError("no rows in the answer")
    return len(rows), len(body)


def seconds(text):
    """wrk's time ('812.00us', '12.5ms', '1.02s', '1.5m') in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def parse_wrk(output):
    """{rps, p50, p99 (ms), errors} from wrk's --latency output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:responses|connect|read|write|timeout):? (\d+)",
                                            output))
    return {"rps": float(rps.group(1)), "p50": seconds(p50.group(1)),
            "p99": seconds(p99.group(1)), "errors": errors}


def run_wrk(url, duration, connections):
    """One wrk run against a URL: its parsed figures."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", WRK_TIMEOUT,
            "--latency", url]
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


def checked_targets(query, servers):
    """{target: (url, rows, bytes)} of the targets that answer this query properly."""
    urls = {}
    for target, query_path in query.paths.items():
        if query_path is None or target not in servers:
            continue
        url = servers[target].url + query_path
        try:
            rows, size = check(url)
        except ValueError as error:
            print(f"<!-- {target}: {url} skipped: {error} -->", flush=True)
            continue
        urls[target] = (url, rows, size)
    return urls


def measure(query, servers, args):
    """Every round of one query, targets in turn: {target: (figures per round, rows, bytes)}."""
    urls = checked_targets(query, servers)
    order = list(urls)
    if args.warmup:
        for target in order:
            run_wrk(urls[target][0], args.warmup, args.connections)
    runs = {target: [] for target in order}
    for round_number in range(args.rounds):
        shift = round_number % len(order) if order else 0
        for target in order[shift:] + order[:shift]:  # who goes first changes every round
            runs[target].append(run_wrk(urls[target][0], args.duration, args.connections))
    return {target: (runs[target], urls[target][1], urls[target][2]) for target in order}


# --- reporting ----------------------------------------------------------------------------

def medians(runs):
    """The median req/s, p50 and p99 of the rounds, and the total of errors."""
    return {"rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "errors": sum(r["errors"] for r in runs)}


def ratio(numerator, denominator):
    """'0.42' for req/s ratios, '—' when one side is missing."""
    if numerator is None or denominator is None:
        return "—"
    return f"{numerator / denominator:.2f}"


def print_query(query, results, targets):
    """The Markdown table of one query; {target: median req/s}."""
    figures = {t: medians(runs) for t, (runs, _, _) in results.items()}
    rates = {t: f["rps"] for t, f in figures.items()}
    print(f"\n### {query.title}\n")
    print("| target | req/s | p50 ms | p99 ms | Claimbase/target req/s | rows | KB | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for target in targets:
        if target not in figures:
            print(f"| {target} | — | — | — | — | — | — | — |")
            continue
        f, (_, rows, size) = figures[target], results[target]
        print(f"| {target} | {f['rps']:.0f} | {f['p50']:.1f} | {f['p99']:.1f} | "
              f"{ratio(rates.get(CLAIMBASE), f['rps'])} | {rows} | {size / 1024:.1f} | "
              f"{f['errors']} |")
    sys.stdout.flush()
    return rates


def print_summary(all_rates):
    """The ratios of every query in one table."""
    print("\n### Ratios (req/s; below 1: Claimbase serves fewer requests per second)\n")
    print("| query | Claimbase req/s | Claimbase/raw | Claimbase/static | "
          "Claimbase/Datasette ?sql= | Claimbase/Datasette table |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for title, rates in all_rates:
        own = rates.get(CLAIMBASE)
        print(f"| {title} | {f'{own:.0f}' if own else '—'} | {ratio(own, rates.get(RAW))} | "
              f"{ratio(own, rates.get(STATIC))} | {ratio(own, rates.get(DS_SQL))} | "
              f"{ratio(own, rates.get(DS_TABLE))} |")


def print_logs(servers):
    """Per server: lines logged (Claimbase logs every request) and error lines, if any."""
    notes = []
    for server in {id(s): s for s in servers.values()}.values():
        lines = server.log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if "Traceback" in line or "[ERROR]" in line]
        notes.append(f"{server.name} {len(lines)} lines, {len(errors)} errors")
        for line in errors[:5]:
            print(f"<!-- {server.name}: {line} -->")
    print(f"\nServer logs: {'; '.join(notes)}.")


def print_header(args, facts):
    """Machine, versions and settings of the run."""
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    size = Path(args.db).stat().st_size / 2**20
    print(f"# {datetime.date.today()} {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{wrk.split(' [')[0].strip()}")
    print(f"# {args.db} ({size:.1f} MB); gunicorn -w {WORKERS} for every server; "
          f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} round(s), "
          f"medians; page size {args.limit}; Datasette "
          f"{'immutable' if args.datasette_immutable else 'mutable (mode=ro)'}; "
          f"q={facts.word}")


# --- main ---------------------------------------------------------------------------------

def parse_args():
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="The SQLite file to serve.")
    parser.add_argument("--postgres-url", help="Also Claimbase on this PostgreSQL database "
                        "(holding the same data).")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1,
                        help="Seconds of wrk per target and query before the rounds (0: none).")
    parser.add_argument("--limit", type=int, default=50, help="Rows per page, on every target.")
    parser.add_argument("--heavy", default="speaker-heavy")
    parser.add_argument("--light", default="speaker-light")
    parser.add_argument("--alias", default="Кирмесем Енчи")
    parser.add_argument("--word", help="The q= word (default: a frequent word of the claims).")
    parser.add_argument("--raw-app", help=f"The raw reference, as gunicorn's MODULE:APP "
                        f"(default: {RAW_APP} when the file is there).")
    parser.add_argument("--only", action="append", help="Measure only the queries whose title "
                        "contains this text (repeatable), e.g. --only 'heavy speaker'.")
    parser.add_argument("--datasette-immutable", action="store_true",
                        help="Open the file immutable in Datasette (no locks, WAL ignored).")
    return parser.parse_args()


def preflight(args):
    """Exit early, with the fix, when a tool or the file is missing."""
    if not args.db.is_file():
        sys.exit(f"no such file: {args.db}")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    for script in ("claimbase", "gunicorn"):
        if not (BIN / script).exists():
            sys.exit(f"{BIN / script} is missing: pip install -e '.[bench]'")
    try:
        import datasette  # noqa: F401
        import uvicorn_worker  # noqa: F401
    except ImportError:
        sys.exit("Datasette is missing: pip install -e '.[bench]'")


def start_servers(args, logdir, stack):
    """Start every server (stopped when the stack closes); {target: Server} once all answer."""
    db_path = args.db.resolve()
    servers = {CLAIMBASE: start_claimbase(CLAIMBASE, f"sqlite:///{db_path}", logdir)}
    stack.callback(stop, servers[CLAIMBASE])
    raw_app = args.raw_app or (RAW_APP if (ROOT / "bench" / "raw_reference.py").exists()
                               else None)
    if raw_app:
        servers[RAW] = start_raw(db_path, raw_app, logdir)
        stack.callback(stop, servers[RAW])
    else:
        print("<!-- bench/raw_reference.py is missing: no raw reference in this run -->")
    servers[DS_SQL] = start_datasette(db_path, args.datasette_immutable, logdir)
    stack.callback(stop, servers[DS_SQL])
    servers[DS_TABLE] = servers[DS_SQL]
    if args.postgres_url:
        servers[CLAIMBASE_PG] = start_claimbase(CLAIMBASE_PG, args.postgres_url, logdir)
        stack.callback(stop, servers[CLAIMBASE_PG])
    ready = {CLAIMBASE: "/topics", CLAIMBASE_PG: "/topics", RAW: "/claims?speaker=x",
             DS_SQL: "/-/versions.json"}
    for target, server in servers.items():
        if target in ready:
            wait_ready(server, ready[target])
    return servers


def main():
    """Start the servers, measure every query, print the tables, stop the servers."""
    args = parse_args()
    preflight(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    helpers = claimbase_helpers()
    facts = read_facts(args.db, [args.heavy, args.light, args.alias], args.limit, args.word,
                       helpers[1])
    facts.datasette_name = urllib.parse.quote(args.db.stem)
    targets = [CLAIMBASE, RAW, STATIC, DS_SQL, DS_TABLE] + (
        [CLAIMBASE_PG] if args.postgres_url else [])
    with tempfile.TemporaryDirectory(prefix="claimbase-load-") as tmp, ExitStack() as stack:
        servers = start_servers(args, Path(tmp), stack)
        queries = [q for q in build_queries(facts, args, helpers)
                   if not args.only or any(text in q.title for text in args.only)]
        servers[STATIC] = start_static(queries, servers, Path(tmp))
        stack.callback(stop, servers[STATIC])
        wait_ready(servers[STATIC], "/")
        print_header(args, facts)
        all_rates = []
        for query in queries:
            rates = print_query(query, measure(query, servers, args), targets)
            all_rates.append((query.title, rates))
        print_summary(all_rates)
        print_logs(servers)


if __name__ == "__main__":
    main()
