"""Cost limits: search text within caps (else a 400 saying what to change), and statements
that outrun their time budget stopped with a 503 problem, on both backends."""

import pytest

from service import create_app
from service.costs import MAX_SEARCH_TERMS
from service.costs import QueryTooCostly
from service.db import bind
from service.db import is_sqlite
from service.db import migrate
from service.query_syntax import parse
from tests.test_errors import assert_problem

SLOW_SQL = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
              "SELECT count(*) FROM c",
    "postgres": "SELECT count(*) FROM generate_series(1, {n})",
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
    """An app whose statements have a 50 ms budget, with a route that runs a slow one."""
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url,
                      "STATEMENT_TIMEOUT_MS": 50})
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

    yield app
    db.close()


def test_a_statement_over_its_budget_is_a_503_and_the_next_request_works(budget_app):
    client = budget_app.test_client()
    problem = assert_problem(client.get("/slow/500000000"), 503)
    assert "longer than 0.05 s" in problem["detail"]
    assert client.get("/slow/10").get_json() == {"count": 10}


def test_a_statement_stopped_while_its_rows_are_fetched_is_a_503_too(budget_app):
    """A search's snippets were cut while SQLite stepped through their rows: sqlite3's own
    OperationalError, not peewee's, became a 500."""
    client = budget_app.test_client()
    problem = assert_problem(client.get("/slow-rows/50000000"), 503)
    assert "longer than 0.05 s" in problem["detail"]
    assert client.get("/slow-rows/10").get_json() == {"rows": 10}


def test_statements_outside_requests_are_not_bounded(budget_app, backend):
    db = budget_app.extensions["claimbase.db"]
    with budget_app.test_client() as client:
        client.get("/slow/10")  # a pooled connection that has served a request
    with db.connection_context():
        assert is_sqlite(db) == (backend == "sqlite")
        n = 1_000_000
        assert db.execute_sql(SLOW_SQL[backend].format(n=n)).fetchone()[0] == n
