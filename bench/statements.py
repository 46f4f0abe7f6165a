"""CPU time per SQL statement of a few requests, in process (no network, no browser).

Run by hand, to see where a page's time goes:

    .venv/bin/python bench/statements.py --database sqlite:////tmp/1m.sqlite \\
        --rounds 5 "/ui/search?rating=false" "/claims?speaker=speaker-light&facets=rating"

For each path: one warm-up request, then `--rounds` requests through Flask's test client;
prints the process's CPU time per request, the part spent executing and fetching SQL
statements, and the costliest statements (their text cut short). With PostgreSQL the
server's own work is not in the CPU time: the statement times are then the client's wait.
"""

import argparse
import collections
import time

import peewee

from service import create_app

COSTS = collections.defaultdict(lambda: [0, 0.0])  # SQL text: [executions, CPU seconds]


class TimedCursor:
    """A cursor whose fetches count towards its statement's time."""

    def __init__(self, cursor, sql):
        self.cursor, self.sql = cursor, sql

    def __getattr__(self, name):
        return getattr(self.cursor, name)

    def _timed(self, fetch, *args):
        started = time.process_time()
        try:
            return fetch(*args)
        finally:
            COSTS[self.sql][1] += time.process_time() - started

    def fetchone(self):
        return self._timed(self.cursor.fetchone)

    def fetchall(self):
        return self._timed(self.cursor.fetchall)

    def fetchmany(self, *args):
        return self._timed(self.cursor.fetchmany, *args)

    def __iter__(self):
        while (row := self.fetchone()) is not None:
            yield row


def timing(execute_sql):
    def execute(self, sql, params=None, *args, **kwargs):
        started = time.process_time()
        cursor = execute_sql(self, sql, params, *args, **kwargs)
        cost = COSTS[sql]
        cost[0] += 1
        cost[1] += time.process_time() - started
        return TimedCursor(cursor, sql)
    return execute


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a database URL to read")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    peewee.Database.execute_sql = timing(peewee.Database.execute_sql)
    client = create_app({"DATABASE_URL": args.database, "RATELIMIT_ENABLED": False}).test_client()
    for path in args.paths:
        assert client.get(path).status_code == 200, path
        COSTS.clear()
        started = time.process_time()
        for _ in range(args.rounds):
            client.get(path)
        total = (time.process_time() - started) / args.rounds * 1000
        sql = sum(cost for _, cost in COSTS.values()) / args.rounds * 1000
        print(f"{path}: CPU {total:.1f} ms a request, {sql:.1f} ms of it in SQL statements")
        for text, (count, cost) in sorted(COSTS.items(), key=lambda kv: -kv[1][1])[:args.top]:
            print(f"  {cost / args.rounds * 1000:6.1f} ms  ×{count // args.rounds}  "
                  f"{' '.join(text.split())[:160]}")


if __name__ == "__main__":
    main()
