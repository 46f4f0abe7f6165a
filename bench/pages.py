"""Server time of the pages for people, on the seeded database (no network, no browser).

Run by hand:  .venv/bin/python bench/pages.py [--rounds 200]

Renders each page through Flask's test client on a new seeded SQLite database and prints
the median and 95th percentile of the time spent in the app, per page.
"""

import argparse
import statistics
import tempfile
import time

from service import create_app
from service.cli import prepare_database

PAGES = ["/", "/ui/speakers/vladimir-putin", "/ui/claims/1", "/ui/quotes/1",
         "/ui/search?q=Poutine", "/ui/search?q=Putn", "/ui/search?q=inconditionnel"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/pages.db"})
        prepare_database(app)
        client = app.test_client()
        print("| page | median ms | p95 ms |\n| --- | ---: | ---: |")
        for path in PAGES:
            timings = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, path
            timings.sort()
            print(f"| `{path}` | {statistics.median(timings):.1f} | "
                  f"{timings[int(len(timings) * 0.95)]:.1f} |")


if __name__ == "__main__":
    main()
