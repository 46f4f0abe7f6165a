"""Dump and restore throughput and peak memory, through the CLI.

Run by hand, not in CI:

    .venv/bin/python bench/dump.py --data DIR            # DIR from bench/generate.py
    .venv/bin/python bench/dump.py --database sqlite:///big.db   # an already-imported database
    ... --postgres postgresql://postgres@127.0.0.1:5432/postgres  # also restore into PostgreSQL

Steps, each the real `claimbase` command under /usr/bin/time (seconds include start-up,
memory is the process's peak RSS):
1. (with --data) the generated NDJSON files are imported, in order, into a new SQLite file;
2. `claimbase dump` writes that database to a file;
3. `claimbase restore` loads it into a new SQLite database (and a new PostgreSQL one with
   --postgres), which verifies counts and checksums before committing;
4. (with --postgres) the PostgreSQL copy is dumped again and the two dumps' row lines are
   compared: identical, or the script fails.
Prints a Markdown table for bench/README.md; rows/s counts every row of every table.
"""

import argparse
import datetime
import gzip
import os
import platform
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg

CLAIMBASE = str(Path(sys.executable).parent / "claimbase")
FILES = ("topics", "speakers", "sources", "quotes", "claims")


def run(args, url):
    result = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", CLAIMBASE, *args],
                            env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.exit(f"claimbase {' '.join(args)} failed:\n{result.stderr}")
    seconds, kilobytes = re.search(r"TIME ([\d.]+) (\d+)", result.stderr).groups()
    return float(seconds), int(kilobytes) / 1024, result.stdout + result.stderr


def rows_of(output):
    return int(re.search(r"([\d,]+) rows in", output).group(1).replace(",", ""))


def body(path):
    """A dump's lines after the header (which holds its creation time and backend)."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        next(stream)
        yield from stream


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a bench/generate.py output folder")
    parser.add_argument("--database", help="an already-imported database URL to dump")
    parser.add_argument("--postgres", help="a PostgreSQL server URL to restore into as well")
    parser.add_argument("--folder", type=Path, help="where files go (default: a temp dir)")
    args = parser.parse_args()
    if not (args.data or args.database):
        parser.error("give --data or --database")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="claimbase-dump-"))
    table = []
    source = args.database
    if not source:
        source = f"sqlite:///{folder / 'source.db'}"
        for name in FILES:
            seconds, mb, _ = run(["import", "--format", "ndjson", str(args.data /
                                                                     f"{name}.ndjson")], source)
            table.append((f"import {name}", "", seconds, mb))
    dump_file = folder / "claimbase.dump.gz"
    seconds, mb, output = run(["dump", str(dump_file)], source)
    rows = rows_of(output)
    table.append(("dump", source.split(":")[0], seconds, mb))
    targets = [("sqlite", f"sqlite:///{folder / f'restored-{uuid.uuid4().hex[:6]}.db'}")]
    made = []
    if args.postgres:
        name = f"claimbase_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        targets.append(("postgresql", re.sub(r"/[^/]*$", f"/{name}", args.postgres)))
    try:
        for backend, url in targets:
            seconds, mb, _ = run(["restore", str(dump_file)], url)
            table.append(("restore", backend, seconds, mb))
        if args.postgres:
            again = folder / "again.dump.gz"
            seconds, mb, _ = run(["dump", str(again)], targets[-1][1])
            table.append(("dump", "postgresql", seconds, mb))
            if any(a != b for a, b in zip(body(dump_file), body(again), strict=True)):
                sys.exit("the PostgreSQL copy does not dump identically")
    finally:
        if made:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                for name in made:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"\n### {datetime.date.today()}: {platform.node()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {rows:,} rows, dump file "
          f"{dump_file.stat().st_size / 1e6:.1f} MB\n")
    print("| step | backend | rows | seconds | rows/s | peak memory MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for step, backend, seconds, mb in table:
        count = rows if step in ("dump", "restore") else ""
        rate = f"{rows / seconds:,.0f}" if count else ""
        print(f"| {step} | {backend} | {count and f'{count:,}'} | {seconds:.1f} | {rate} "
              f"| {mb:.0f} |")


if __name__ == "__main__":
    main()
