"""Rate limits (flask-limiter): per client address, or per token for requests that carry a
valid one, with separate budgets for

- reads: every GET/HEAD;
- costly requests: searches (`q=`), imports, and reads that find nothing (a 404: a name
  that matches nobody makes the API try every way of matching it);
- writes: POST, PATCH, PUT, DELETE.

Searches are also capped in number at once (search_slots below, service/costs.py): beyond
SEARCH_SLOTS a search waits up to SEARCH_WAIT_MS, then gets a 503 problem with Retry-After.

Budgets are per minute, set in the configuration (README: Configuration). Counters must be
shared by every worker process: by default they live in a small SQLite file beside the
database (SQLiteStorage below; limits has no cross-process storage without a server), or in
Redis/memcached when RATELIMIT_STORAGE_URI names one. A client over budget gets a 429
problem with Retry-After.
"""

import hashlib
import math
import random
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask_limiter import ApplicationLimit
from flask_limiter import Limiter
from limits.storage import Storage

from . import query_syntax
from .auth import hash_token
from .costs import QueryTooCostly
from .costs import SearchesBusy
from .costs import SearchSlots
from .costs import limit_statements
from .costs import search_slots_folder
from .models import ApiToken

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
SCHEME = "claimbase+sqlite"
_AFTER = " from this client this minute: wait the Retry-After seconds"
MESSAGES = {
    "reads": "Too many requests" + _AFTER + ", or ask with a token (its own budget).",
    "costly": "Too many costly requests (searches, imports, reads that find nothing)" + _AFTER
              + "; look names up with /speakers?q= rather than guessing them.",
    "writes": "Too many writes" + _AFTER + ".",
}


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file, shared by every process that opens it.
    URI: claimbase+sqlite:///path/to/counters.db"""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        self.path = urlparse(uri).path  # opened at the first request, not before: the
        self.local = threading.local()  # CLI's commands never touch it

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA journal_mode = wal")
            connection.execute("PRAGMA synchronous = off")  # counters, not records
            connection.execute("CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, "
                               "hits INTEGER NOT NULL, expires REAL NOT NULL)")
            self.local.connection = connection
        return connection

    def incr(self, key, expiry, amount=1):
        now = time.time()
        connection = self._connection()
        if random.random() < 0.01:  # forget expired windows now and then
            connection.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        row = connection.execute(
            "INSERT INTO counter (key, hits, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            "hits = CASE WHEN expires <= ? THEN excluded.hits ELSE hits + excluded.hits END, "
            "expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END "
            "RETURNING hits", (key, amount, now + expiry, now, now)).fetchone()
        return row[0]

    def get(self, key):
        row = self._connection().execute(
            "SELECT hits FROM counter WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key):
        row = self._connection().execute(
            "SELECT expires FROM counter WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self):
        return self._connection().execute("SELECT 1").fetchone() == (1,)

    def reset(self):
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key):
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))


def default_storage_uri(database_url):
    """Counters beside a SQLite database; for PostgreSQL, in a file of the temporary folder
    named after the database (shared by the workers of this machine)."""
    parsed = urlparse(database_url)
    if parsed.scheme.startswith("sqlite"):
        return f"{SCHEME}://{parsed.path}.ratelimits"
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return f"{SCHEME}://{Path(tempfile.gettempdir()) / f'claimbase-ratelimits-{digest}.db'}"


def token_name():
    """The name of the request's valid token (looked up once per request), or None."""
    if "ratelimit_token" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        row = None
        if scheme.lower() == "bearer" and token.strip():
            row = ApiToken.get_or_none((ApiToken.token_hash == hash_token(token.strip()))
                                       & ApiToken.revoked_at.is_null())
        g.ratelimit_token = row.name if row else None
    return g.ratelimit_token


def client_key():
    """Whose budget a request spends: its token's, else its address's."""
    name = token_name()
    return f"token:{name}" if name else f"address:{request.remote_addr}"


def is_search():
    """A full-text search: `q=` on any route, or the search page."""
    return bool(request.args.get("q")) or request.path.startswith("/ui/search")


def is_costly(response=None):
    """Searches, imports and reads that found nothing. (Reading an import job's progress is
    an ordinary read.)"""
    if is_search():
        return True
    if request.path.startswith("/imports") and request.method not in READ_METHODS:
        return True
    return response is not None and response.status_code == 404 \
        and request.method in READ_METHODS


def budget(kind):
    """The per-minute limit of a budget (reads, costly, writes) for this client."""

    def limit():
        holder = "TOKEN" if token_name() else "ADDRESS"
        return f"{current_app.config[f'RATELIMIT_{kind}_{holder}']}/minute"

    return limit


def init_app(app: Flask):
    """Rate limits for this app (off for test apps unless RATELIMIT_ENABLED is set)."""
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = default_storage_uri(app.config["DATABASE_URL"])
    limiter = Limiter(
        client_key,
        application_limits=[
            ApplicationLimit(budget("READS"), scope="reads", error_message=MESSAGES["reads"],
                             exempt_when=lambda: request.method not in READ_METHODS),
            ApplicationLimit(budget("COSTLY"), scope="costly", deduct_when=is_costly,
                             error_message=MESSAGES["costly"]),
            ApplicationLimit(budget("WRITES"), scope="writes", error_message=MESSAGES["writes"],
                             exempt_when=lambda: request.method in READ_METHODS),
        ],
        strategy="fixed-window",
        # Its headers would also put the window's end in the Retry-After of other answers
        # (a 503's "1" became "60"): only a 429 says when to come back.
        headers_enabled=False,
    )
    limiter.init_app(app)
    init_search_slots(app)  # after the limiter: a client over its budget waits for nothing

    @app.after_request
    def _retry_after(response):
        current = limiter.current_limit
        if response.status_code == 429 and current is not None:
            response.headers["Retry-After"] = str(max(1, int(current.reset_at - time.time())))
        return response

    return limiter


def init_search_slots(app: Flask):
    """At most SEARCH_SLOTS searches at once on this machine (0: no cap). A search waits up
    to SEARCH_WAIT_MS for a slot, then is a 503 with Retry-After; its time budget
    (service/costs.py) starts once it has one. The slot is given back when the response is
    ready: a streamed export with `q=` reads its pages outside the cap, each page with its
    own budget."""
    count = app.config["SEARCH_SLOTS"]
    if not count:
        return
    slots = SearchSlots(search_slots_folder(app.config["DATABASE_URL"]), count)
    wait_s = app.config["SEARCH_WAIT_MS"] / 1000
    retry_after = max(1, math.ceil(wait_s))

    @app.before_request
    def _take_search_slot():
        # The search page's empty form searches nothing; a query the parser refuses is a
        # 400 at once, with no slot to wait for.
        if not is_search() or not _runs_a_search(request.args.get("q")):
            return
        slot = slots.acquire(wait_s)
        if slot is None:
            raise SearchesBusy(
                f"Too many searches are running now (at most {count} at once): try again in "
                f"{retry_after} s, or narrow the search so that it ends sooner.", retry_after)
        g.search_slot = slot
        limit_statements(app.extensions["claimbase.db"], app.config["STATEMENT_TIMEOUT_MS"])

    def _give_back(*_):
        slot = g.pop("search_slot", None)
        if slot is not None:
            slots.release(slot)

    app.after_request(lambda response: _give_back() or response)
    app.teardown_request(_give_back)


def _runs_a_search(q):
    """True for search text the parser accepts; False for none, and for text it refuses (too
    costly, unreadable)."""
    if not q:
        return False
    try:
        query_syntax.parse(q)
    except (QueryTooCostly, query_syntax.QuerySyntaxError):
        return False
    return True
