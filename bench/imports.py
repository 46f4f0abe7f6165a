"""Import and export throughput, and the memory of a streamed export, through the CLI.

Run by hand, not in CI:

    .venv/bin/python bench/imports.py --quotes 100000 [--postgres postgresql://…/postgres]
    .venv/bin/python bench/imports.py --quotes 1000000 --only ndjson   # the 1M export figure
    .venv/bin/python bench/imports.py --quotes 100000 --only imports   # imports alone
    .venv/bin/python bench/imports.py --quotes 20000 --old /tmp/old   # CPU against an older tree

With --old DIR (an unpacked older commit: `git archive c3bf8dd | tar -x -C DIR`), the script
only compares: for --rounds rounds, old then this tree, each imports topics, speakers and
sources into a new SQLite file, then quotes and claims under /usr/bin/time; it prints each
tree's CPU seconds (user + system, start-up included) and their ratio. Alternating in one run
is what makes the ratio hold on a shared machine.

Each step is the real command (`claimbase import …` / `claimbase export …`) run under
/usr/bin/time, so the figures include start-up and are what a newsroom would see. Steps:
1. bench/generate.py writes topics, speakers, sources, quotes and claims as NDJSON;
2. they are imported, in that order, into a new database (rows/s per file: records read);
3. every resource is exported as NDJSON and CSV (rows/s, peak memory);
4. the CSV export is imported into another new database (the csv format's rows/s);
5. the real data sets in ../shared/data (when present) are imported into a new database.
Prints a Markdown table for bench/README.md.
"""

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
RESOURCES = ("topics", "speakers", "sources", "quotes", "claims")
REAL = [
    ("liar2", [DATA / "liar2" / "valid.csv"]),
    ("clef", sorted((DATA / "clef2018-checkthat" / "task2").glob("*.tsv"))),
    ("euvsdisinfo", [DATA / "euvsdisinfo-kalkun" / "full_dataset_formatted.csv"]),
    ("claimskg", sorted((DATA / "claimskg-extractor-samples").glob("*.csv"))),
]
CLAIMBASE = str(Path(sys.executable).parent / "claimbase")


def run(args, url, tree=None):
    """Run a claimbase command under /usr/bin/time; (seconds, peak RSS in MB, stdout, CPU
    seconds). On a shared machine the CPU seconds (user + system) are the steadier figure:
    wall time there counts the time other people's processes held the cores. With `tree`,
    the command runs from that source tree (an older commit) instead of the installed one."""
    command, env = [CLAIMBASE], {**os.environ, "DATABASE_URL": url}
    if tree is not None:
        command = [sys.executable, "-c", "import sys; from service.cli import main; "
                   "sys.argv[0] = 'claimbase'; main()"]
        env["PYTHONPATH"] = str(tree)
    result = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M %U %S", *command, *args],
                            env=env, capture_output=True, text=True, cwd=tree)
    if result.returncode != 0:
        sys.exit(f"claimbase {' '.join(args)} failed:\n{result.stderr}")
    seconds, kilobytes, user, system = re.search(r"TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)",
                                                 result.stderr).groups()
    return float(seconds), int(kilobytes) / 1024, result.stdout, float(user) + float(system)


def lines(path):
    with open(path, "rb") as stream:
        return sum(1 for _ in stream)


class Databases:
    """New empty databases: SQLite files in a folder, or PostgreSQL databases on a server."""

    def __init__(self, folder, postgres=None):
        self.folder, self.postgres, self.made = folder, postgres, []

    def new(self):
        if not self.postgres:
            return f"sqlite:///{self.folder / f'{uuid.uuid4().hex[:8]}.db'}"
        name = f"claimbase_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return re.sub(r"/[^/]*$", f"/{name}", self.postgres)

    def drop(self):
        with psycopg.connect(self.postgres, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench(args, folder, databases):
    rows = []
    generated = folder / "generated"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--quotes", str(args.quotes),
                    "--seed", "1", "--out", str(generated)], check=True)
    url = databases.new()
    run(["init-db"], url)
    for resource in RESOURCES:
        path = generated / f"{resource}.ndjson"
        seconds, memory, _, cpu = run(["import", "--format", "ndjson", str(path)], url)
        rows.append(("import ndjson", resource, lines(path), seconds, memory, cpu))
    if args.only == "imports":
        return rows
    exports = folder / "exports"
    exports.mkdir()
    for fmt in ("ndjson", "csv"):
        for resource in RESOURCES:
            path = exports / f"{resource}.{fmt}"
            seconds, memory, _, cpu = run(["export", "--format", fmt, "--resource", resource,
                                           "--output", str(path)], url)
            rows.append((f"export {fmt}", resource, lines(path) - (fmt == "csv"), seconds,
                         memory, cpu))
    if args.only != "ndjson":
        copy = databases.new()
        run(["init-db"], copy)
        for resource in RESOURCES:
            path = exports / f"{resource}.csv"
            seconds, memory, _, cpu = run(["import", "--format", "csv", str(path)], copy)
            rows.append(("import csv", resource, lines(path) - 1, seconds, memory, cpu))
        real = databases.new()
        run(["init-db"], real)
        for fmt, paths in REAL:
            if paths and all(p.exists() for p in paths):
                seconds, memory, out, cpu = run(["import", "--format", fmt, *map(str, paths)],
                                                real)
                records = sum(int(n) for n in re.findall(r": (\d+) records", out))
                rows.append((f"import {fmt}", f"{len(paths)} file(s)", records, seconds,
                             memory, cpu))
    return rows


def compare(args, folder):
    """CPU seconds of importing quotes and claims, an older tree's against this one's,
    alternating; prints a Markdown table."""
    generated = folder / "generated"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--quotes", str(args.quotes),
                    "--seed", "1", "--out", str(generated)], check=True)
    trees = {"old": args.old.resolve(), "new": HERE.parent}
    cpu = {(name, resource): [] for name in trees for resource in ("quotes", "claims")}
    peak = {}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            url = f"sqlite:///{folder / f'{name}-{uuid.uuid4().hex[:8]}.db'}"
            run(["init-db"], url, tree)
            for resource in RESOURCES:
                path = str(generated / f"{resource}.ndjson")
                _, memory, _, seconds = run(["import", "--format", "ndjson", path], url, tree)
                if resource in ("quotes", "claims"):
                    cpu[(name, resource)].append(seconds)
                    peak[(name, resource)] = memory
    print(f"\n### {datetime.date.today()}: {platform.node()}, {os.cpu_count()} cores, load "
          f"average {os.getloadavg()[0]:.1f} at the end, SQLite, {args.quotes:,} quotes, old "
          f"tree {args.old}, {args.rounds} rounds alternating\n")
    print("| file | old CPU s (mean; runs) | new CPU s (mean; runs) | new / old "
          "| old peak MB | new peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for resource in ("quotes", "claims"):
        old, new = cpu[("old", resource)], cpu[("new", resource)]
        mean_old, mean_new = sum(old) / len(old), sum(new) / len(new)
        print(f"| {resource} | {mean_old:.2f}; {', '.join(f'{v:.2f}' for v in old)} "
              f"| {mean_new:.2f}; {', '.join(f'{v:.2f}' for v in new)} "
              f"| {mean_new / mean_old:.2f} | {peak[('old', resource)]:.0f} "
              f"| {peak[('new', resource)]:.0f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--postgres", help="an admin URL: databases are created on it")
    parser.add_argument("--only", choices=["ndjson", "imports"],
                        help="ndjson: skip the CSV and real-data steps; imports: only the "
                        "NDJSON imports")
    parser.add_argument("--old", type=Path, help="an unpacked older tree to compare CPU with")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.old:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            compare(args, Path(tmp))
        return
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        databases = Databases(Path(tmp), args.postgres)
        try:
            rows = bench(args, Path(tmp), databases)
        finally:
            if args.postgres:
                databases.drop()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n### {datetime.date.today()}: {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {backend}, generated data at "
          f"{args.quotes:,} quotes\n")
    print("| step | file | records | seconds | records/s | CPU s | records/CPU s "
          "| peak memory MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for step, what, records, seconds, memory, cpu in rows:
        rate = records / seconds if seconds else 0
        per_cpu = records / cpu if cpu else 0
        print(f"| {step} | {what} | {records:,} | {seconds:.1f} | {rate:,.0f} | {cpu:.1f} "
              f"| {per_cpu:,.0f} | {memory:.0f} |")


if __name__ == "__main__":
    main()
