"""CPU time per request, in process, of the speaker pages: Claimbase from its stored documents,
Claimbase's general path (Peewee queries and marshmallow dumps, as before the read model), and
the raw reference (bench/raw_reference.py), on one SQLite file.

Run by hand, not in CI:

    .venv/bin/python -m bench.read_model --db /tmp/copy-of-100k.sqlite [--requests 300]

Each app answers through werkzeug's test client (no server, no sockets), so what is measured
is the app alone; `time.process_time` counts this process's CPU only, which other processes
on a shared machine disturb much less than they disturb wall time or wrk's req/s. The three
apps take turns, round by round (--rounds, median kept), and every answer is checked to be
the same bytes on all three. The file is migrated first (it must be a copy: documents are
stored in it as pages are read).
"""

import argparse
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from werkzeug.test import Client

from bench import raw_reference
from service import create_app
from service import documents
from service.db import bind
from service.db import migrate

PAGES = {
    "heavy speaker (50 claims)": "/claims?speaker=speaker-heavy&limit=50",
    "light speaker (5 claims)": "/claims?speaker=speaker-light&limit=50",
    "alias in Cyrillic (50 claims)": f"/claims?speaker={quote('Кирмесем Енчи')}&limit=50",
}
HOT = ("claims_page", "quotes_page", "claim", "quote", "speaker")


class General:
    """Claimbase with its stored-document reads switched off (the general path answers)."""

    def __enter__(self):
        self.saved = {name: getattr(documents, name) for name in HOT}
        for name in HOT:
            setattr(documents, name, lambda *args, **kwargs: None)

    def __exit__(self, *exc):
        for name, function in self.saved.items():
            setattr(documents, name, function)


def cpu_ms(client, path, requests, context=None):
    """(CPU ms per request, the body) over `requests` GETs."""
    with context or _Nothing():
        body = client.get(path).get_data()
        start = time.process_time()
        for _ in range(requests):
            client.get(path)
        return (time.process_time() - start) * 1000 / requests, body


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": f"sqlite:///{args.db.resolve()}",
                      "RATELIMIT_ENABLED": False})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    claimbase = app.test_client()
    raw = Client(raw_reference.RawReference(str(args.db)))
    print(f"# {args.db} ({args.db.stat().st_size / 2**20:.0f} MB), {args.requests} requests "
          f"per app and round, {args.rounds} rounds (median), CPU ms per request")
    print("\n| page | documents | general path | raw reference | raw / documents "
          "| general / documents | KB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for title, path in PAGES.items():
        rounds = {"documents": [], "general": [], "raw": []}
        for _ in range(args.rounds):
            fast, body = cpu_ms(claimbase, path, args.requests)
            slow, general_body = cpu_ms(claimbase, path, args.requests, General())
            reference, raw_body = cpu_ms(raw, path, args.requests)
            if not body == general_body == raw_body:
                raise SystemExit(f"{path}: the three answers differ")
            rounds["documents"].append(fast)
            rounds["general"].append(slow)
            rounds["raw"].append(reference)
        fast, slow, reference = (statistics.median(rounds[k])
                                 for k in ("documents", "general", "raw"))
        print(f"| {title} | {fast:.2f} | {slow:.2f} | {reference:.2f} | "
              f"{reference / fast:.2f} | {slow / fast:.2f} | {len(body) / 1024:.1f} |")


if __name__ == "__main__":
    main()
