"""Speaker resolution at scale: a name that matches nobody against a known one.

Run by hand, not in CI:

    .venv/bin/python bench/identity.py --speakers 10000 --quotes 100000 \\
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--rounds 200]

1. bench/generate.py writes a data set with that many speakers (Zipf activity, a third with
   Cyrillic/Hangul/French aliases);
2. `claimbase import --format ndjson` loads it into a new SQLite database (and, with
   --postgres, a new PostgreSQL database on that server), which also fills the resolution
   index (speaker_name_key and its trigram index);
3. each query is sent `--rounds` times through Flask's test client (in process: the server's
   own time, no HTTP or client noise), interleaved so that load on the shared machine hits
   every query alike; the median and p90 are printed with the ratio to the known name.

Prints a Markdown table for bench/README.md.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote
from urllib.parse import urlparse
from urllib.parse import urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = {  # label → speaker= value (filled with real names of the data set)
    "known name (exact key)": None,
    "known slug": "speaker-heavy",
    "surname alone (tokens)": None,
    "misspelt name (similar)": None,
    "unknown name (suggestions)": "Zorbulak Quenditsky",
    "unknown one-word name": "Xyloquartz",
}


def claimbase(*args, url):
    script = Path(sys.executable).parent / "claimbase"
    subprocess.run([str(script), *args], check=True, env={**os.environ, "DATABASE_URL": url},
                   stdout=subprocess.DEVNULL)


def load(url, data):
    claimbase("init-db", url=url)
    started = time.perf_counter()
    claimbase("import", "--format", "ndjson", *[str(data / f"{name}.ndjson") for name in (
        "topics", "speakers", "sources", "quotes", "claims")], url=url)
    return time.perf_counter() - started


def names_of(app):
    """speaker-light's name (a person with 5 claims: the cheapest known page), the surname
    of a person with a long name alone, and that long name misspelt (one letter dropped)."""
    from peewee import fn

    from service.db import bind
    from service.models import Speaker

    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        light = Speaker.get(Speaker.slug == "speaker-light")
        person = (Speaker.select().where((Speaker.kind == "person")
                                         & (fn.LENGTH(Speaker.name) >= 14))
                  .order_by(Speaker.id).first())
    long_name = person.name
    surname = long_name.split()[-1]
    misspelt = long_name[:-2] + long_name[-1]  # drop the next-to-last letter
    return light.name, surname, misspelt


def measure(url, rounds):
    from service import create_app

    app = create_app({"DATABASE_URL": url, "DATABASE_POOL": True})
    client = app.test_client()
    name, surname, misspelt = names_of(app)
    values = dict(QUERIES)
    values["known name (exact key)"] = name
    values["surname alone (tokens)"] = surname
    values["misspelt name (similar)"] = misspelt
    paths = {label: f"/claims?speaker={quote(value)}&limit=20" for label, value in values.items()}
    times = {label: [] for label in paths}
    answers = {}
    for label, path in paths.items():  # warm-up, and what each one resolved to
        meta = client.get(path).get_json()["meta"]
        answers[label] = ([m["matched_by"] for m in meta["speakers"]][:1]
                          or [f"{len(meta['unmatched'][0]['suggestions'])} suggestions"])[0]
    for _ in range(rounds):
        for label, path in paths.items():
            started = time.perf_counter()
            response = client.get(path)
            times[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return values, times, answers


def new_postgres(admin_url):
    name = f"claimbase_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))


def drop_postgres(admin_url, name):
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(backend, speakers, quotes, seconds, values, times, answers):
    known = statistics.median(times["known name (exact key)"])
    print(f"\n{backend}, {speakers:,} speakers, {quotes:,} quotes (imported in {seconds:.0f} s)")
    print("\n| query | resolved by | median ms | p90 ms | × known name |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, samples in times.items():
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"| {label}: `{values[label]}` | {answers[label]} | {median:.1f} | {p90:.1f} | "
              f"{median / known:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", type=int, default=10_000)
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--postgres", help="an admin URL: also measure PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"{datetime.date.today()} {platform.node()} {platform.python_version()} "
          f"{os.cpu_count()} CPUs", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--quotes",
                        str(args.quotes), "--speakers", str(args.speakers), "--out", str(data)],
                       check=True)
        if not args.skip_sqlite:
            url = f"sqlite:///{tmp}/bench.db"
            seconds = load(url, data)
            report("SQLite", args.speakers, args.quotes, seconds, *measure(url, args.rounds))
        if args.postgres:
            name, url = new_postgres(args.postgres)
            try:
                seconds = load(url, data)
                report("PostgreSQL", args.speakers, args.quotes, seconds,
                       *measure(url, args.rounds))
            finally:
                drop_postgres(args.postgres, name)


if __name__ == "__main__":
    main()
