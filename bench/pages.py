"""Server time of the pages for people (no network, no browser).

Run by hand:
    .venv/bin/python bench/pages.py [--rounds 200]                  # a new seeded SQLite database
    .venv/bin/python bench/pages.py --database sqlite:////tmp/1m.sqlite --rounds 30
    .venv/bin/python bench/pages.py --database postgresql://postgres@127.0.0.1:5432/cb_1m

Renders each page through Flask's test client and prints the median and 95th percentile of
the time spent in the app (queries and templates), per page: wall-clock time, and the
process's CPU time (SQLite runs in the process; on a machine whose cores are busy with
other work, the CPU time is the closer figure for an idle server; PostgreSQL's own work is
not in it). On a given database (never
written to) the pages are picked from its data: the heaviest speaker, the reviewed claim
and the source with the most quotes, the biggest topic and fact-checker, and searches by a
word and by each facet. The first round of each page is a warm-up, not counted.
"""

import argparse
import statistics
import tempfile
import time
from contextlib import contextmanager
from urllib.parse import urlencode

from peewee import fn

from service import create_app
from service.cli import prepare_database
from service.db import bind
from service.models import Claim
from service.models import ClaimTopic
from service.models import Publisher
from service.models import Quote
from service.models import Review
from service.models import Speaker
from service.models import Stance
from service.models import Topic

SEEDED_PAGES = [
    "/", "/ui/speakers/vladimir-putin", "/ui/claims/1", "/ui/quotes/1", "/ui/sources/1",
    "/ui/topics", "/ui/topics/arms-trade", "/ui/publishers", "/ui/publishers/full-fact",
    "/ui/search?q=Poutine", "/ui/search?q=Putn", "/ui/search?q=inconditionnel",
    "/ui/search?status=contested", "/ui/check?text=North+Korea+sells+shells+to+Russia",
]


def _most(model, column, group):
    """The value of `group` with the most rows of `model` (by `column`)."""
    return (model.select(group).group_by(group).order_by(fn.COUNT(column).desc())
            .limit(1).scalar())


def pages_of(app):
    """Pages that stand for the database's heavy cases."""
    bind(app.extensions["claimbase.db"])
    with app.app_context(), app.extensions["claimbase.db"].connection_context():
        speaker = Speaker.get_by_id(_most(Stance, Stance.id, Stance.speaker)).slug
        claim = _most(Review, Review.id, Review.claim)
        source = _most(Quote, Quote.id, Quote.source)
        quote = (Quote.select(Quote.id).where(Quote.start_offset.is_null(False)).limit(1)
                 .scalar()) or 1
        topic = Topic.get_by_id(_most(ClaimTopic, ClaimTopic.claim, ClaimTopic.topic)).slug
        publisher = Publisher.get_by_id(_most(Review, Review.id, Review.canonical)).slug
        text = Claim.select(Claim.text).order_by(Claim.id.desc()).limit(1).scalar()
    return [
        "/", f"/ui/speakers/{speaker}", f"/ui/claims/{claim}", f"/ui/quotes/{quote}",
        f"/ui/sources/{source}", "/ui/topics", f"/ui/topics/{topic}", "/ui/publishers",
        f"/ui/publishers/{publisher}", "/ui/search?q=government", "/ui/search?q=Putn",
        "/ui/search?status=contested", "/ui/search?rating=false",
        f"/ui/search?publisher={publisher}&lang=en",
        "/ui/search?reviewed_since=2024-01-01&reviewed_until=2024-12-31",
        f"/ui/search?q=government&topic={topic}&rating=false",
        "/ui/check?" + urlencode({"text": text[:200]}),
    ]


@contextmanager
def the_app(database):
    """The app over `database`, or over a new seeded SQLite database."""
    if database:
        yield create_app({"DATABASE_URL": database, "RATELIMIT_ENABLED": False})
        return
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/pages.db",
                          "RATELIMIT_ENABLED": False})
        prepare_database(app)
        yield app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database", help="a database URL to read (default: new, seeded)")
    parser.add_argument("--only", help="only the pages whose path holds this text (e.g. q=)")
    args = parser.parse_args()
    with the_app(args.database) as app:
        paths = pages_of(app) if args.database else SEEDED_PAGES
        paths = [p for p in paths if args.only is None or args.only in p]
        client = app.test_client()
        print("| page | median ms | p95 ms | CPU median ms | CPU p95 ms |\n"
              "| --- | ---: | ---: | ---: | ---: |")
        for path in paths:
            wall, cpu = [], []
            for _ in range(args.rounds + 1):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            print(f"| `{path}` | {_median_p95(wall[1:])} | {_median_p95(cpu[1:])} |", flush=True)


def _median_p95(timings):
    timings = sorted(timings)
    return f"{statistics.median(timings):.1f} | {timings[int(len(timings) * 0.95)]:.1f}"


if __name__ == "__main__":
    main()
