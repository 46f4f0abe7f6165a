"""Cost limits: search text within caps (else a 400 saying what to change); one time budget
per request, shared by its statements, and a request that outruns it stopped with a 503
problem; at most SEARCH_SLOTS searches at once, the others a 503 with Retry-After after a
short wait. On both backends."""

import fcntl
import os
import subprocess
import sys
import threading
import time

import pytest
from flask import Response
from flask import current_app
from flask import stream_with_context

from service import create_app
from service.costs import MAX_SEARCH_TERMS
from service.costs import QueryTooCostly
from service.costs import SearchSlots
from service.costs import search_slots_folder
from service.db import bind
from service.db import budgeted_stream
from service.db import is_sqlite
from service.db import lift_request_budget
from service.db import migrate
from service.query_syntax import parse
from tests.test_errors import assert_problem

SLOW_SQL = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
              "SELECT count(*) FROM c",
    "postgres": "SELECT count(*) FROM generate_series(1, {n})",
}
# A statement far inside the budget, run again and again.
SHORT_SQL = {
    "sqlite": SLOW_SQL["sqlite"].format(n=2000),
    "postgres": "SELECT pg_sleep(0.01)",
}
SLOW_ROWS_SQL = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
                 "SELECT x FROM c")


@pytest.mark.parametrize("q", [
    "climate", '"carbon tax" OR levy -petrol', "clim* pens*",
    " ".join(f"w{i}" for i in range(MAX_SEARCH_TERMS)),
    " OR ".join(f"word{i}" for i in range(MAX_SEARCH_TERMS)),
])
def test_search_text_within_the_caps_passes(q):
    assert parse(q) is not None


@pytest.mark.parametrize(("q", "says"), [
    (" OR ".join(f"word{i}" for i in range(MAX_SEARCH_TERMS + 1)), "Too many search terms"),
    (" OR ".join(f"w{i}*" for i in range(300)), "too short"),  # the first cap met stops it
    (" OR ".join(f"word{i}*" for i in range(300)), "Too many prefix terms"),
    ("abc* def* ghi* jkl* mno*", "Too many prefix terms"),
    ("a*", "too short"),
    ("pension -x*", "too short"),
])
def test_search_text_over_the_caps_is_refused(q, says):
    with pytest.raises(QueryTooCostly, match=says):
        parse(q)


@pytest.mark.parametrize("path", ["/claims", "/quotes", "/sources"])
def test_costly_search_is_a_400_naming_q(client, path):
    q = " OR ".join(f"xyz{i}*" for i in range(40))  # within the 500 characters of q
    problem = assert_problem(client.get(path, query_string={"q": q}), 400)
    assert "q" in problem["errors"]
    assert "at most" in problem["detail"]


@pytest.fixture
def budget_app(new_database_url, backend):
    """An app whose requests have a 200 ms budget, with routes that run slow statements."""
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url,
                      "STATEMENT_TIMEOUT_MS": 200})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)

    @app.get("/slow/<int:n>")
    def slow(n):
        return {"count": db.execute_sql(SLOW_SQL[backend].format(n=n)).fetchone()[0]}

    @app.get("/slow-rows/<int:n>")
    def slow_rows(n):
        # The first row comes at once: SQLite runs the rest while the rows are fetched,
        # outside peewee's execute (which wraps errors in its own classes).
        return {"rows": len(db.execute_sql(SLOW_ROWS_SQL.format(n=n)).fetchall())}

    @app.get("/many/<int:seconds>")
    def many(seconds):
        """Short statements, one after another, for up to `seconds`; how many ran."""
        return {"statements": _repeat(SHORT_SQL[backend], seconds)}

    @app.get("/many-in-a-transaction/<int:seconds>")
    def many_in_a_transaction(seconds):
        with db.atomic():
            return {"statements": _repeat(SHORT_SQL[backend], seconds)}

    @app.get("/short")
    def short():
        return {"rows": len(db.execute_sql(SHORT_SQL[backend]).fetchall())}

    @app.get("/lifted/<int:n>")
    def lifted(n):
        lift_request_budget()
        return {"count": db.execute_sql(SLOW_SQL[backend].format(n=n)).fetchone()[0]}

    @app.get("/stream/<int:seconds>")
    def stream(seconds):
        def steps():
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                db.execute_sql(SHORT_SQL[backend]).fetchall()
                yield "."

        return Response(stream_with_context(budgeted_stream(steps())))

    yield app
    db.close()


def _repeat(sql, seconds):
    db = current_app.extensions["claimbase.db"]
    end, ran = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        db.execute_sql(sql).fetchall()
        ran += 1
    return ran


def test_a_statement_over_its_budget_is_a_503_and_the_next_request_works(budget_app):
    client = budget_app.test_client()
    problem = assert_problem(client.get("/slow/500000000"), 503)
    assert "longer than 0.2 s in all" in problem["detail"]
    assert client.get("/slow/10").get_json() == {"count": 10}


def test_a_statement_stopped_while_its_rows_are_fetched_is_a_503_too(budget_app):
    """A search's snippets were cut while SQLite stepped through their rows: sqlite3's own
    OperationalError, not peewee's, became a 500."""
    client = budget_app.test_client()
    problem = assert_problem(client.get("/slow-rows/50000000"), 503)
    assert "longer than 0.2 s in all" in problem["detail"]
    assert client.get("/slow-rows/10").get_json() == {"rows": 10}


def test_statements_outside_requests_are_not_bounded(budget_app, backend):
    db = budget_app.extensions["claimbase.db"]
    with budget_app.test_client() as client:
        client.get("/slow/10")  # a pooled connection that has served a request
    with db.connection_context():
        assert is_sqlite(db) == (backend == "sqlite")
        n = 1_000_000
        assert db.execute_sql(SLOW_SQL[backend].format(n=n)).fetchone()[0] == n


@pytest.mark.parametrize("route", ["/many/20", "/many-in-a-transaction/20"])
def test_the_budget_is_one_per_request_shared_by_its_statements(budget_app, route):
    """Every statement ends far inside the 200 ms budget; together they pass it, and the
    request stops (with a budget per statement it would run its 20 s and answer 200)."""
    client = budget_app.test_client()
    problem = assert_problem(client.get(route), 503)
    assert "longer than 0.2 s in all" in problem["detail"]
    assert "ask for less" in problem["detail"]
    # a new request, a new budget (PostgreSQL: statement_timeout is back from its last 1 ms)
    assert client.get("/short").get_json() == {"rows": 1}
    # after the stopped transaction, the pooled connection writes and reads as before
    assert client.get("/many-in-a-transaction/0").get_json() == {"statements": 0}


def test_the_budget_starts_again_with_each_request(budget_app, backend):
    """Many short requests in a row: none inherits what an earlier one spent."""
    client = budget_app.test_client()
    for _ in range(30):
        assert client.get("/slow/10").get_json() == {"count": 10}
    assert_problem(client.get("/many/20"), 503)
    for _ in range(3):
        assert client.get("/slow/10").status_code == 200


def test_a_stream_gives_each_step_a_budget_of_its_own(budget_app):
    """An export streams for longer than the budget, each page within it: it completes."""
    body = budget_app.test_client().get("/stream/1").get_data(as_text=True)
    assert len(body) > 5 and set(body) == {"."}


def test_work_bounded_by_its_size_can_lift_the_budget(budget_app):
    client = budget_app.test_client()
    n = 10_000_000
    assert_problem(client.get(f"/slow/{n}"), 503)
    assert client.get(f"/lifted/{n}").get_json() == {"count": n}


def test_a_small_http_import_is_not_cut_by_the_request_budget(new_database_url):
    """An import below the job threshold runs in its request, without the budget (its size
    bounds it): 3,000 records take longer than the 100 ms budget, which would make it a 503."""
    from service.auth import create_token

    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url,
                      "STATEMENT_TIMEOUT_MS": 100_000})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        token, _ = create_token("t", "admin")
    app.config["STATEMENT_TIMEOUT_MS"] = 100
    lines = "".join(f'{{"name": "Topic {i}", "slug": "topic-{i}"}}\n' for i in range(3000))
    response = app.test_client().post(
        "/imports?format=ndjson&resource=topics", data=lines.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["records"] == 3000
    db.close()


# Concurrent searches: SEARCH_SLOTS at once, flock()ed files shared by threads and processes.

def test_search_slots_exclude_each_other_and_come_back(tmp_path):
    slots = SearchSlots(tmp_path / "slots", 2)
    first, second = slots.try_acquire(), slots.try_acquire()
    assert first is not None and second is not None
    assert slots.try_acquire() is None
    assert slots.acquire(0.05) is None  # waited, none came free
    slots.release(first)
    third = slots.acquire(0.05)
    assert third is not None
    slots.release(second)
    slots.release(third)


def _wait_until_someone_is_first_in_line(folder):
    """Until a search holds the line's lock (the `queue` file): it waits for a slot."""
    for _ in range(1000):
        fd = os.open(folder / "queue", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        finally:
            os.close(fd)
        time.sleep(0.01)
    raise AssertionError("no search came to wait in line")


def test_waiting_searches_take_a_freed_slot_in_turn(tmp_path):
    """The search waiting longest gets the slot that comes free, not one that arrived
    after it (each waiter used to poll, and a newcomer nearly always won)."""
    slots = SearchSlots(tmp_path / "slots", 1)
    held = slots.try_acquire()
    order, first_waiting = [], threading.Event()

    def search(name, started=None):
        if started:
            started.set()
        slot = slots.acquire(10)
        order.append(name)
        time.sleep(0.05)
        slots.release(slot)

    first = threading.Thread(target=search, args=("first", first_waiting))
    first.start()
    first_waiting.wait()
    _wait_until_someone_is_first_in_line(tmp_path / "slots")
    later = threading.Thread(target=search, args=("later",))
    later.start()
    time.sleep(0.1)
    slots.release(held)
    first.join(10)
    later.join(10)
    assert order == ["first", "later"]


def test_a_search_behind_another_in_line_gives_up_after_its_wait(tmp_path):
    slots = SearchSlots(tmp_path / "slots", 1)
    held = slots.try_acquire()
    ahead = threading.Thread(target=lambda: slots.release(slots.acquire(5)))
    ahead.start()
    _wait_until_someone_is_first_in_line(tmp_path / "slots")
    assert slots.acquire(0.1) is None  # behind `ahead`, which waits for `held`
    slots.release(held)
    ahead.join(5)
    slot = slots.acquire(1)  # the line is free again, the abandoned place too
    assert slot is not None
    slots.release(slot)


HOLD_A_SLOT = """
import sys, time
from service.costs import SearchSlots
slot = SearchSlots(sys.argv[1], 1).try_acquire()
print("held" if slot is not None else "taken", flush=True)
time.sleep(60)
"""


def test_a_search_slot_is_shared_across_processes_and_freed_when_one_dies(tmp_path):
    """Workers are processes: a slot one holds is taken for the others; if it is killed
    (gunicorn replacing a worker), the kernel frees the slot."""
    folder = tmp_path / "slots"
    slots = SearchSlots(folder, 1)
    with subprocess.Popen([sys.executable, "-c", HOLD_A_SLOT, str(folder)],
                          stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "held"
            assert slots.try_acquire() is None
        finally:
            holder.kill()
    slot = slots.acquire(5)
    assert slot is not None
    slots.release(slot)


def _slots_app(url, wait_ms):
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SEARCH_SLOTS": 1,
                      "SEARCH_WAIT_MS": wait_ms})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    return app, SearchSlots(search_slots_folder(url), 1)


@pytest.fixture
def slots_app(new_database_url):
    """An app with one search slot and a 50 ms wait for it."""
    app, slots = _slots_app(new_database_url, 50)
    yield app, slots
    app.extensions["claimbase.db"].close()


@pytest.mark.parametrize("path", ["/claims?q=climate", "/quotes?q=tax", "/sources?q=levy",
                                  "/speakers?q=smith"])
def test_a_search_beyond_the_cap_waits_then_is_a_503_with_retry_after(slots_app, path):
    app, slots = slots_app
    client = app.test_client()
    held = slots.try_acquire()  # another worker's search
    try:
        response = client.get(path)
        problem = assert_problem(response, 503)
        assert "at most 1 at once" in problem["detail"]
        assert response.headers["Retry-After"] == "1"
        assert client.get(path.split("?")[0]).status_code == 200  # reads are not capped
    finally:
        slots.release(held)
    assert client.get(path).status_code == 200


def test_each_search_gives_its_slot_back(slots_app):
    app, slots = slots_app
    client = app.test_client()
    for _ in range(5):
        assert client.get("/claims?q=climate").status_code == 200
    assert assert_problem(client.get("/claims?q=clim* OR a*"), 400)  # refused: slot back too
    slot = slots.try_acquire()
    assert slot is not None
    slots.release(slot)


@pytest.mark.parametrize("q", [" OR ".join(f"w{i}*" for i in range(60)), "-only"])
def test_a_search_the_parser_refuses_is_a_400_at_once_without_a_slot(slots_app, q):
    app, slots = slots_app
    held = slots.try_acquire()
    try:
        assert_problem(app.test_client().get("/claims", query_string={"q": q}), 400)
    finally:
        slots.release(held)


@pytest.mark.parametrize(("path", "status"), [("/ui/search", 200), ("/claims?q=", 400)])
def test_no_search_text_needs_no_slot(slots_app, path, status):
    """The search page's empty form; an empty q (a 400 for a list)."""
    app, slots = slots_app
    held = slots.try_acquire()
    try:
        assert app.test_client().get(path).status_code == status
    finally:
        slots.release(held)


def test_a_search_waiting_for_a_slot_gets_one_that_comes_free(new_database_url):
    app, slots = _slots_app(new_database_url, 60_000)
    held = slots.try_acquire()
    threading.Timer(0.2, slots.release, (held,)).start()
    assert app.test_client().get("/claims?q=climate").status_code == 200
    app.extensions["claimbase.db"].close()


def test_no_cap_when_search_slots_is_0(new_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url, "SEARCH_SLOTS": 0})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    held = [SearchSlots(search_slots_folder(new_database_url), 1).try_acquire()]
    assert app.test_client().get("/claims?q=climate").status_code == 200
    SearchSlots.release(held[0])
    db.close()
