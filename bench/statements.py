"""The statements of one request, each timed, and the request's CPU time, in process.

Run by hand (not in CI), over a copy of a database (a read may store documents):

    .venv/bin/python bench/statements.py sqlite:////tmp/16-1m.sqlite "/claims?q=secret&limit=50"
    PYTHONPATH=/tmp/main .venv/bin/python bench/statements.py URL PATH   # another checkout

The request goes through the app's test client `--rounds` times after a warm-up; it prints
the medians of wall and CPU time (`time.process_time`: SQLite's work is in it,
PostgreSQL's server side is not), the statements per request, and each statement's median
CPU and wall time (its rows fetched), most expensive first (by CPU; by wall time with
`--wall`, the one that counts on PostgreSQL).
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH first
from service import create_app  # noqa: E402


class _Fetched:
    """A cursor's rows, fetched while the statement was timed."""

    rowcount, lastrowid = -1, None

    def __init__(self, rows, description):
        self.rows, self.description, self.at = rows, description, 0

    def fetchall(self):
        rows, self.at = self.rows[self.at:], len(self.rows)
        return rows

    def fetchone(self):
        if self.at < len(self.rows):
            self.at += 1
            return self.rows[self.at - 1]
        return None

    def fetchmany(self, size=1):
        rows = self.rows[self.at:self.at + size]
        self.at += len(rows)
        return rows

    def __iter__(self):
        return iter(self.fetchall())

    def close(self):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("path")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--wall", action="store_true",
                        help="order statements by wall time (PostgreSQL: its work is not CPU here)")
    parser.add_argument("--width", type=int, default=160, help="characters of SQL shown")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database, "RATELIMIT_ENABLED": False})
    db = app.extensions["claimbase.db"]
    original = type(db).execute_sql
    timings = defaultdict(list)

    def timed(self, sql, params=None, *rest, **options):
        started, started_wall = time.process_time(), time.perf_counter()
        cursor = original(self, sql, params, *rest, **options)
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            cursor = _Fetched(cursor.fetchall(), cursor.description)
        timings[sql].append(((time.process_time() - started) * 1000,
                             (time.perf_counter() - started_wall) * 1000))
        return cursor

    type(db).execute_sql = timed
    client = app.test_client()
    wall, cpu = [], []
    for round_ in range(args.rounds + 1):
        if round_ == 1:
            timings.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(args.path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    count = sum(len(t) for t in timings.values()) / args.rounds
    print(f"{args.path}: {response.status_code}, {len(response.get_data())} bytes; wall median "
          f"{statistics.median(wall[1:]):.1f} ms, CPU median {statistics.median(cpu[1:]):.1f} "
          f"ms, {count:.1f} statements per request")
    column = 1 if args.wall else 0
    for sql, spent in sorted(timings.items(), key=lambda item: -sum(t[column] for t in item[1])):
        print(f"  {statistics.median(t[0] for t in spent):7.2f} ms CPU "
              f"{statistics.median(t[1] for t in spent):7.2f} ms wall "
              f"x{len(spent) / args.rounds:.1f}  {sql[:args.width]}")


if __name__ == "__main__":
    main()
