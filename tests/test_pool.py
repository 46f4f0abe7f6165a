"""The PostgreSQL connection pool (service/db.py): a connection that came back a moment ago is
lent again without peewee's `SELECT 1` round trip; one idle for longer is pinged first, so
that a connection the server dropped meanwhile is replaced, not handed to a request."""

import psycopg
import pytest

from service import db as service_db
from service.costs import BudgetedPostgresCursor
from service.db import open_database


@pytest.fixture
def pooled(postgres_databases):
    url = postgres_databases.create()
    database = open_database(url, pool=True)
    yield database, url
    database.close_all()


@pytest.fixture
def pings(monkeypatch):
    """The `SELECT 1` pings the pool sends, as they are sent."""
    sent, execute = [], BudgetedPostgresCursor.execute

    def counted(self, query, *args, **kwargs):
        if query == "SELECT 1":
            sent.append(query)
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(BudgetedPostgresCursor, "execute", counted)
    return sent


def _backend_pid(database):
    return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_a_connection_just_returned_is_lent_again_without_a_ping(pooled, pings):
    database, _ = pooled
    database.connect()
    first = _backend_pid(database)
    database.close()
    for _ in range(3):
        database.connect()
        assert _backend_pid(database) == first  # the same pooled connection
        database.close()
    assert pings == []


def test_a_connection_idle_for_longer_is_pinged_before_it_is_lent(pooled, pings, monkeypatch):
    database, _ = pooled
    database.connect()
    database.close()
    monkeypatch.setattr(service_db, "PING_IDLE_S", 0)
    database.connect()
    assert pings == ["SELECT 1"]
    database.close()


def test_a_connection_the_server_dropped_while_idle_is_replaced(pooled, monkeypatch):
    database, url = pooled
    database.connect()
    dropped = _backend_pid(database)
    database.close()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    monkeypatch.setattr(service_db, "PING_IDLE_S", 0)
    database.connect()
    assert _backend_pid(database) != dropped
    database.close()
