"""Claim matching, measured: ranking quality on CLEF 2020 CheckThat! Task 2, and latency.

Run by hand, not in CI (../shared/data/clef2020-checkthat-task2, see its SOURCE.md):

    .venv/bin/python bench/matching.py quality [--split train dev] [--k1 1.2 --b 0.75 ...]
    .venv/bin/python bench/matching.py latency --claims 10000 [--postgres URL]
    .venv/bin/python bench/matching.py latency --database URL   # an existing database

`quality` imports verified_claims.docs.tsv into a new SQLite database through the
`checkthat` adapter (the same import as `claimbase import --format checkthat`), asks
`service.matching.similar_claims` for each tweet of a split, and scores the ranking against
the qrels: MAP@1/3/5/10 (MAP@5 is the lab's official measure), MRR and Recall@k. Parameters
are tuned on train only; dev is reported.

`latency` fills a new database with N claims (the 10,375 verified claims, then synthetic
claims drawn from their word frequencies: a realistic vocabulary, unlike generate.py's
template claims), indexes them as imports do, and times GET /claims/similar for the dev
tweets through the Flask test client: p50, p95 and p99 in milliseconds. With --database, it
times an existing database instead (a copy of a generated data set, say; never the original).
"""

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse
from urllib.parse import urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service import matching  # noqa: E402
from service.db import bind  # noqa: E402
from service.db import migrate  # noqa: E402
from service.db import refresh_statistics  # noqa: E402
from service.db import write_transaction  # noqa: E402
from service.importer import import_stream  # noqa: E402
from service.models import Claim  # noqa: E402
from service.write.rows import insert_rows  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "clef2020-checkthat-task2"
CUTOFFS = (1, 3, 5, 10)


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream, delimiter="\t"))
    return rows[1:]


def read_qrels(path):
    relevant = defaultdict(set)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            tweet, _, vclaim, grade = line.split()
            if int(grade) > 0:
                relevant[tweet].add(vclaim)
    return relevant


def new_database(postgres=None):
    """The URL of a new, empty database: a SQLite file in a temporary directory, or a new
    database on the PostgreSQL server of `postgres` (an admin URL; dropped by drop())."""
    if not postgres:
        return f"sqlite:///{tempfile.mkdtemp(prefix='claimbase-matching-')}/bench.db"
    name = f"claimbase_bench_matching_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(postgres)._replace(path=f"/{name}"))


def drop(postgres, url):
    if postgres:
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path[1:]}" WITH (FORCE)')


def fresh_app(url):
    app = create_app({"DATABASE_URL": url, "DATABASE_POOL": False})
    db = bind(app.extensions["claimbase.db"])
    db.connect(reuse_if_open=True)
    migrate(db)
    return app, db


def import_verified(db):
    """Import the verified claims; {claim id: {vclaim ids}} (equal texts are one claim)."""
    started = time.perf_counter()
    with open(DATA / "verified_claims.docs.tsv", newline="", encoding="utf-8") as stream:
        report = import_stream(stream, "checkthat", "bench")
    seconds = time.perf_counter() - started
    print(f"imported {report.records} records in {seconds:.1f} s "
          f"({report.records / seconds:,.0f}/s): {report.summary()}")
    return verified_ids()


def verified_ids():
    """{claim id: {vclaim ids}} of the verified claims in the database (equal texts are one
    claim); every other claim (the synthetic ones of `latency`) maps to no vclaim."""
    by_text = defaultdict(set)
    for vclaim_id, text, _title in read_tsv(DATA / "verified_claims.docs.tsv"):
        by_text[text.strip()].add(vclaim_id)
    found = Claim.select(Claim.id, Claim.text).where(Claim.text.in_(list(by_text)))
    return defaultdict(set, {claim_id: by_text[text] for claim_id, text in found.tuples()})


def average_precision(ranked, relevant, cutoff):
    hits, total = 0, 0.0
    for rank, found in enumerate(ranked[:cutoff], start=1):
        if found & relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), cutoff) if relevant else 0.0


def score_split(split, vclaims_of):
    tweets = read_tsv(DATA / f"{split}.tweets.tsv")
    relevant = read_qrels(DATA / f"{split}.qrels")
    sums = defaultdict(float)
    for tweet_id, text in tweets:
        if tweet_id not in relevant:
            continue
        matches = matching.similar_claims(text, "en", limit=max(CUTOFFS))
        ranked = [vclaims_of[m.claim_id] for m in matches]
        for k in CUTOFFS:
            sums[f"MAP@{k}"] += average_precision(ranked, relevant[tweet_id], k)
            sums[f"R@{k}"] += any(found & relevant[tweet_id] for found in ranked[:k])
        sums["MRR"] += next((1 / r for r, found in enumerate(ranked, start=1)
                             if found & relevant[tweet_id]), 0.0)
        sums["n"] += 1
    n = sums.pop("n")
    return {name: value / n for name, value in sums.items()}, int(n)


def quality(args):
    for name in ("K1", "B", "NAME_WEIGHT", "NUMBER_WEIGHT", "POSTINGS_PER_TERM", "CANDIDATES"):
        value = getattr(args, name.lower())
        if value is not None:
            setattr(matching, name, value)
    if args.database:  # one that holds the verified claims already (a latency database)
        _, db = fresh_app(args.database)
        vclaims_of = verified_ids()
    else:
        _, db = fresh_app(new_database())
        vclaims_of = import_verified(db)
    print(f"k1={matching.K1} b={matching.B} names×{matching.NAME_WEIGHT} "
          f"numbers×{matching.NUMBER_WEIGHT} postings per term {matching.POSTINGS_PER_TERM} "
          f"candidates {matching.CANDIDATES}")
    for split in args.split:
        figures, n = score_split(split, vclaims_of)
        print(f"{split} ({n} tweets): " + "  ".join(f"{k} {v:.4f}" for k, v in figures.items()))


def synthetic_claims(count, rng):
    """Claims drawn word by word from the verified claims' word frequencies."""
    words = [w for _, text, _ in read_tsv(DATA / "verified_claims.docs.tsv")
             for w in text.split()]
    for _ in range(count):
        yield " ".join(rng.choices(words, k=rng.randint(8, 24)))


def fill(count):
    """Insert `count` synthetic claims in batches and index them as an import does."""
    rng = random.Random("claimbase-bench-matching")
    started = time.perf_counter()
    batch = []
    for number, text in enumerate(synthetic_claims(count, rng), start=1):
        batch.append({"text": f"{text} ({number})", "lang": "en"})
        if len(batch) == 5000 or number == count:
            with write_transaction():
                matching.index_claims(insert_rows(Claim, batch))
            batch = []
            print(f"\r{number:,} synthetic claims", end="", flush=True)
    print(f" in {time.perf_counter() - started:.0f} s")


def latency(args):
    if args.database:  # an existing database (a copy of the shared bench data, migrated)
        time_queries(args, served_app(args.database))
        return
    url = new_database(args.postgres)
    try:
        _, db = fresh_app(url)
        import_verified(db)
        if args.claims > Claim.select().count():
            fill(args.claims - Claim.select().count())
        refresh_statistics(db)
        db.close()
        time_queries(args, served_app(url))
    finally:
        drop(args.postgres, url)


def served_app(url):
    """The app as served (pooled connections), without rate limits: a bench is one client."""
    return create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})


def percentiles(times):
    times = sorted(times)
    p95, p99 = (times[min(len(times) - 1, int(len(times) * q))] for q in (0.95, 0.99))
    return (f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
            f"max {times[-1]:.1f} ms")


def time_queries(args, app):
    """Time GET /claims/similar (the whole request: matching, then each claim's details and
    their JSON), and the matching alone (service.matching.similar_claims), for each dev tweet,
    after ten of them warmed the caches."""
    client = app.test_client()
    tweets = [text[:280] for _, text in read_tsv(DATA / "dev.tweets.tsv")]
    for text in tweets[:10]:
        client.get("/claims/similar", query_string={"text": text})
    requests, matches = [], []
    for text in tweets:
        started = time.perf_counter()
        response = client.get("/claims/similar", query_string={"text": text})
        requests.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    db = app.extensions["claimbase.db"]
    with app.app_context(), db.connection_context():
        for text in tweets:
            started = time.perf_counter()
            matching.similar_claims(text, "en", limit=10)
            matches.append((time.perf_counter() - started) * 1000)
        claims = Claim.select().count()
    print(f"{type(db).__name__}, {claims:,} claims, {len(tweets)} dev tweets, limit 10\n"
          f"  GET /claims/similar: {percentiles(requests)}\n"
          f"  matching alone:      {percentiles(matches)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    q = commands.add_parser("quality")
    q.add_argument("--split", nargs="+", default=["train", "dev"])
    for name in ("k1", "b", "name_weight", "number_weight"):
        q.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float)
    for name in ("postings_per_term", "candidates"):
        q.add_argument(f"--{name.replace('_', '-')}", dest=name, type=int)
    q.add_argument("--database", help="score an existing database holding the verified "
                   "claims (say, one `latency --claims 1000000` filled) instead of a new one")
    q.set_defaults(run=quality)
    lat = commands.add_parser("latency")
    lat.add_argument("--claims", type=int, default=10_000)
    lat.add_argument("--postgres", help="a PostgreSQL admin URL: the bench creates its own "
                     "database there, and drops it (else SQLite)")
    lat.add_argument("--database", help="time an existing, migrated database instead (e.g. "
                     "a copy of the shared bench data); --claims and --postgres are ignored")
    lat.set_defaults(run=latency)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
