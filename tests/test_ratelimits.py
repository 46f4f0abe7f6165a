"""Rate limits: per address or per token, separate budgets for reads, costly requests and
writes, counters shared by every worker process, 429 problem+json with Retry-After."""

import datetime
import http.client
import json
import time
from urllib.parse import urlparse

import pytest

from service import create_app
from service.auth import create_token
from service.db import bind
from service.db import migrate
from service.ratelimits import SQLiteStorage
from tests.live import live_server
from tests.test_errors import assert_problem


def a_fresh_window():
    """Wait out the end of the current minute: budgets are per fixed minute, and a burst
    that crossed into the next one would meet a fresh budget (a test on a loaded machine)."""
    second = datetime.datetime.now(datetime.UTC).second
    if second >= 40:
        time.sleep(60.5 - second)


@pytest.fixture
def limited(new_database_url):
    """An app with tiny budgets (per minute): 3 costly, 8 reads, 2 writes per address; a
    token has 5 costly, 20 reads, 4 writes."""
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url,
                      "RATELIMIT_ENABLED": True,
                      "RATELIMIT_COSTLY_ADDRESS": 3, "RATELIMIT_COSTLY_TOKEN": 5,
                      "RATELIMIT_READS_ADDRESS": 8, "RATELIMIT_READS_TOKEN": 20,
                      "RATELIMIT_WRITES_ADDRESS": 2, "RATELIMIT_WRITES_TOKEN": 4})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        app.config["TOKEN"] = create_token("limited-editor", "editor")[0]
    a_fresh_window()
    yield app
    db.close()


def test_misses_spend_the_costly_budget_then_429(limited):
    client = limited.test_client()
    statuses = [client.get(f"/speakers/nobody-{i}").status_code for i in range(6)]
    assert statuses == [404, 404, 404, 429, 429, 429]
    response = client.get("/speakers/nobody-again")
    problem = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert "costly" in problem["detail"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_search_is_costly(limited):
    client = limited.test_client()
    statuses = [client.get("/claims", query_string={"q": f"tax{i}"}).status_code
                for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_token_holders_have_their_own_budget(limited):
    client = limited.test_client()
    for i in range(4):
        client.get(f"/speakers/nobody-{i}")
    assert client.get("/speakers/nobody-x").status_code == 429
    bearer = {"Authorization": f"Bearer {limited.config['TOKEN']}"}
    statuses = [client.get(f"/speakers/nobody-t{i}", headers=bearer).status_code
                for i in range(6)]
    assert statuses == [404] * 5 + [429]


def test_an_unknown_token_spends_the_address_budget(limited):
    client = limited.test_client()
    for i in range(3):
        client.get(f"/speakers/nobody-{i}")
    forged = {"Authorization": "Bearer cb_made-up"}
    assert client.get("/speakers/nobody-f", headers=forged).status_code == 429


def test_reads_and_writes_have_separate_budgets(limited):
    client = limited.test_client()
    bearer = {"Authorization": f"Bearer {limited.config['TOKEN']}"}
    posts = [client.post("/topics", json={"slug": f"t-{i}", "name": f"T {i}"},
                         headers=bearer).status_code for i in range(5)]
    assert posts[4] == 429 and 429 not in posts[:4], posts
    assert client.get("/topics", headers=bearer).status_code == 200  # reads unaffected
    reads = [client.get("/topics").status_code for _ in range(9)]
    assert reads == [200] * 8 + [429]


def test_counters_are_shared_through_their_file(tmp_path):
    uri = f"claimbase+sqlite://{tmp_path / 'counters.db'}"
    first, second = SQLiteStorage(uri), SQLiteStorage(uri)  # as two worker processes would
    assert first.incr("k", 60) == 1
    assert second.incr("k", 60) == 2
    assert first.get("k") == 2
    assert second.get_expiry("k") > 0
    assert second.incr("gone", -1) == 1  # an expired window starts again
    assert first.incr("gone", 60) == 1


def test_every_worker_of_a_server_spends_one_budget(new_database_url, tmp_path):
    """Four workers, a costly budget of 10: a burst of 40 misses meets 30 429s."""
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    env = {"CLAIMBASE_RATELIMIT_ENABLED": "1", "CLAIMBASE_RATELIMIT_COSTLY_ADDRESS": "10",
           "CLAIMBASE_RATELIMIT_STORAGE_URI":
               f"claimbase+sqlite://{tmp_path / 'counters.db'}"}
    with live_server(new_database_url, tmp_path, workers=4, env=env) as base:
        a_fresh_window()
        address = urlparse(base)
        statuses = []
        for i in range(40):
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            connection.request("GET", f"/speakers/nobody-{i}")
            response = connection.getresponse()
            statuses.append(response.status)
            body = response.read()
            connection.close()
        assert statuses.count(404) == 10, statuses
        assert statuses.count(429) == 30
        assert json.loads(body)["status"] == 429


def test_behind_a_proxy_each_forwarded_address_has_its_budget(new_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url, "PROXY_HOPS": 1,
                      "RATELIMIT_ENABLED": True, "RATELIMIT_COSTLY_ADDRESS": 1})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    client = app.test_client()
    a_fresh_window()
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/speakers/nobody-1", headers=first).status_code == 404
    assert client.get("/speakers/nobody-2", headers=first).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.8"}
    assert client.get("/speakers/nobody-3", headers=other).status_code == 404
