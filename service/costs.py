"""Cost limits: what one request may ask of the database.

- Search text: at most MAX_SEARCH_TERMS terms, at most MAX_PREFIX_TERMS prefix terms (`clim*`),
  each with at least MIN_PREFIX_CHARS characters before the `*`. Hundreds of short prefix
  terms joined by OR once kept a worker busy until gunicorn killed it. The search parser
  (service/query_syntax.py) applies these caps as it reads the query.
- Statements: during a request, every statement has a time budget (STATEMENT_TIMEOUT_MS).
  PostgreSQL enforces it itself (`statement_timeout`); on SQLite a progress handler stops the
  statement when its budget is spent. Outside requests (the CLI, migrations, import jobs)
  statements are not bounded.

Nothing here knows HTTP: the exceptions are mapped to 400 and 503 by service/errors.py.
"""

import sqlite3
import time
import weakref

MAX_SEARCH_TERMS = 16
MAX_PREFIX_TERMS = 4
MIN_PREFIX_CHARS = 3
PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock


class QueryTooCostly(ValueError):
    """Search text that would cost too much; says what to change. `field` is the parameter."""

    def __init__(self, message, field="q"):
        super().__init__(message)
        self.field = field


class BudgetedConnection(sqlite3.Connection):
    """A SQLite connection whose statements stop once `budget` seconds have passed since
    they started (when a budget is set; None: unbounded)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = None
        self.deadline = None
        self.set_progress_handler(self._over_budget, PROGRESS_STEPS)

    def _over_budget(self):
        return 1 if self.deadline is not None and time.monotonic() > self.deadline else 0

    def start_statement(self):
        self.deadline = None if self.budget is None else time.monotonic() + self.budget

    def cursor(self, factory=None):
        return super().cursor(factory or BudgetedCursor)


class BudgetedCursor(sqlite3.Cursor):
    """Each execute starts its statement's budget afresh."""

    def execute(self, sql, parameters=()):
        self.connection.start_statement()
        return super().execute(sql, parameters)

    def executemany(self, sql, parameters):
        self.connection.start_statement()
        return super().executemany(sql, parameters)


_postgres_budgets = weakref.WeakKeyDictionary()  # connection → the timeout it was given


def limit_statements(database, timeout_ms):
    """Give the statements of the current connection a time budget (None or 0: unbounded)."""
    connection = database.connection()
    if isinstance(connection, BudgetedConnection):
        connection.budget = timeout_ms / 1000 if timeout_ms else None
        return
    if isinstance(connection, sqlite3.Connection):
        return  # opened without the budgeted factory (not through service.db)
    wanted = int(timeout_ms or 0)
    if _postgres_budgets.get(connection) != wanted:
        database.execute_sql(f"SET statement_timeout = {wanted}")
        _postgres_budgets[connection] = wanted


def release_statements(database):
    """After a request: SQLite statements are unbounded again. (A pooled PostgreSQL
    connection keeps its setting, saving a round trip per request; work outside requests
    calls limit_statements(database, None) first.)"""
    connection = database.connection()
    if isinstance(connection, BudgetedConnection):
        connection.budget = None


def is_statement_timeout(error):
    """True for the error a statement stopped by its budget raises: SQLite says
    "interrupted", PostgreSQL "canceling statement due to statement timeout"."""
    message = str(error).strip()
    return message == "interrupted" or "statement timeout" in message
