"""The one database handle, the base model, and per-request connection handling."""

import time
import weakref
from urllib.parse import urlparse

from flask import Flask
from flask import current_app
from peewee import DatabaseProxy
from peewee import Model
from peewee import SqliteDatabase
from playhouse import db_url
from playhouse.migrations import Migration
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase
from psycopg.pq import TransactionStatus

from . import derived
from .analysis import register_functions
from .config import MIGRATIONS_DIR
from .costs import BudgetedConnection
from .costs import BudgetedPostgresCursor
from .costs import budget_each_step
from .costs import limit_statements
from .costs import release_statements

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    "cache_size": -64000,  # 64 MB of pages per connection
    "mmap_size": 268435456,  # reads straight from the OS page cache (256 MB)
}
# Connections are kept open between requests (a pool per process): a request then costs no
# connect, no pragmas and, on PostgreSQL, no authentication round trips. Flask's teardown
# "closes" the connection, which returns it to the pool.
POOL = {"max_connections": 32, "stale_timeout": 300}
CONNECT_TIMEOUT_S = 5  # PostgreSQL: a server that does not answer is a 503, not a hung worker
# PostgreSQL: a pooled connection idle for longer than this is pinged before it is lent.
PING_IDLE_S = 1.0


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class PooledPostgres(PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool, without its `SELECT 1` before lending a connection that came
    back less than PING_IDLE_S ago, idle and not broken: under load that ping was one round
    trip in every request (a speaker page's three statements took four). A connection that
    sat longer is pinged as before, so a server restarted or a connection dropped while the
    pool was quiet is found and replaced; one dropped within that second fails the request
    using it (503) and psycopg marks it closed, so the pool drops it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned = weakref.WeakKeyDictionary()  # connection → time it came back

    def _close(self, conn, close_conn=False):
        with self._pool_lock:
            self._returned[conn] = time.monotonic()
            super()._close(conn, close_conn)

    def _is_closed(self, conn):
        returned = self._returned.get(conn)
        if returned is not None and time.monotonic() - returned < PING_IDLE_S \
                and not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE:
            return False
        return super()._is_closed(conn)


db_url.register_database(PooledPostgres, "claimbase+postgres")


def is_sqlite(db=None):
    """True when the bound database is SQLite (the few places where dialects differ ask this)."""
    target = db if db is not None else database.obj
    return isinstance(target, SqliteDatabase)


def open_database(url, pool=True):
    """A peewee Database for a DATABASE_URL (sqlite:///file.db or postgresql://…), pooled
    unless `pool` is false."""
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        if url.rstrip("/").endswith(":memory:") or url in ("sqlite://", "sqlite:///"):
            # An in-memory database vanishes with each per-request connection.
            raise ValueError("in-memory SQLite is not supported; give a file path")
        # Budgeted connections let requests bound their statements (service/costs.py).
        # A pooled connection serves one thread at a time, but not always the thread that
        # opened it (requests run in a thread pool): sqlite3 must not insist on that.
        options = {"pragmas": SQLITE_PRAGMAS, "factory": BudgetedConnection,
                   "check_same_thread": False}
        if not pool:
            db = db_url.connect(url, **options)
        else:
            db = db_url.connect(url.replace("sqlite", "sqlite+pool", 1), **options, **POOL)
        register_functions(db)  # the search triggers call it (migration 0009)
        derived.register_functions(db)  # the switched triggers test it (migration 0017)
        return db
    if scheme in ("postgres", "postgresql"):
        # The cursor keeps statement_timeout within the request's budget (service/costs.py).
        options = {"cursor_factory": BudgetedPostgresCursor}
        if "connect_timeout" not in url:
            options["connect_timeout"] = CONNECT_TIMEOUT_S
        if not pool:
            return db_url.connect(url, **options)
        return db_url.connect(url.replace(scheme, "claimbase+postgres", 1), **options, **POOL)
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r} (use sqlite or postgresql)")


def bind(db):
    """Point every model at this database."""
    database.initialize(db)
    return db


def init_app(app: Flask):
    """Bind the models to the app's database, once; open one connection per request and
    close it afterwards (Flask's teardown)."""
    # Tests make an app per database and drop it: pooled connections would outlive it.
    pool = app.config.get("DATABASE_POOL", not app.testing)
    db = bind(open_database(app.config["DATABASE_URL"], pool=pool))
    app.extensions["claimbase.db"] = db

    @app.before_request
    def _connect():
        # Bound once, above. A process running several apps (the tests: one per backend)
        # points the models back at this app's database when another app took them.
        if database.obj is not db:
            database.initialize(db)
        db.connect(reuse_if_open=True)
        # One budget for the whole request, shared by its statements (service/costs.py).
        limit_statements(db, app.config["STATEMENT_TIMEOUT_MS"])

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            release_statements(db)
            db.close()

    return db


def budgeted_stream(steps):
    """A streamed response's generator, each step with a budget of its own instead of the
    request's one (an export reads for minutes, a page at a time)."""
    app = current_app._get_current_object()
    return budget_each_step(steps, app.extensions["claimbase.db"],
                            app.config["STATEMENT_TIMEOUT_MS"])


def lift_request_budget():
    """No time budget for the rest of this request: for work whose cost its size already
    bounds (an import below the job threshold), which a busy machine could make outrun it."""
    limit_statements(current_app.extensions["claimbase.db"], None)


def migrate(db=None):
    """Apply pending numbered migrations (service/migrations); returns the names applied."""
    return Runner(db or database.obj, str(MIGRATIONS_DIR)).up()


def known_migrations():
    """Names of the migrations this version of the code has, in order."""
    return [m.name for m in Migration.load_directory(str(MIGRATIONS_DIR))]


def applied_migrations(db=None):
    """Names of the migrations recorded in the database ({} for a new database)."""
    return Runner(db or database.obj, str(MIGRATIONS_DIR)).applied()


def write_transaction(db=None):
    """One write transaction. SQLite takes its write lock at BEGIN (IMMEDIATE), so concurrent
    writers queue on busy_timeout instead of failing on a lock upgrade."""
    db = db or database.obj
    return db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic()


def refresh_statistics(db=None):
    """Let the query planner see the data as it now is (after a bulk import). Without it,
    PostgreSQL planned a 5-row page over a million stances with sequential scans of whole
    tables, from statistics taken when they were empty."""
    db = db or database.obj
    if is_sqlite(db):
        db.execute_sql("PRAGMA analysis_limit = 1000")  # sampled: seconds, not minutes
    db.execute_sql("ANALYZE")
