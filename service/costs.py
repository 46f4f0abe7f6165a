"""Cost limits: what one request may ask of the database.

- Search text: at most MAX_SEARCH_TERMS terms, at most MAX_PREFIX_TERMS prefix terms (`clim*`),
  each with at least MIN_PREFIX_CHARS characters before the `*`. Hundreds of short prefix
  terms joined by OR once kept a worker busy until gunicorn killed it. The search parser
  (service/query_syntax.py) applies these caps as it reads the query.
- One time budget per request (STATEMENT_TIMEOUT_MS), shared by all its statements: a search
  runs several (the page, snippets, facets, stances), and with a budget each, one request
  could run for several budgets. `limit_statements` sets the request's deadline; every
  statement the connection runs afterwards stops once it has passed.
  - SQLite: a progress handler looks at the deadline every PROGRESS_STEPS VM instructions.
  - PostgreSQL: the server enforces `statement_timeout`; before a statement, the cursor sets
    it to the time the request has left, when that has shrunk by more than SLACK_MS (or a
    tenth of the budget) since it was last set: a request whose statements all start within
    that slack pays no extra round trip, and a statement overshoots the deadline by the
    slack at most. A statement that starts past the deadline gets 1 ms.
  Outside requests (the CLI, migrations, import jobs) statements are not bounded. A long
  stream (an export) gives each step its own budget (`budget_each_step`).
- Concurrent searches: at most SEARCH_SLOTS costly searches run at once on a machine (per
  database), so searches cannot take every core from cheap reads. A search beyond the cap
  waits up to SEARCH_WAIT_MS for a slot, then is refused (SearchesBusy). Slots are flock()ed
  files, shared by every worker process and thread, and freed by the kernel if a worker dies.
  Waiting searches line up (a blocking flock() on the folder's `queue` file): only the first
  in line looks for a free slot, so a search that just arrived cannot take the slot that a
  waiting one was about to get. Each waiter used to poll every 20 ms, and a new search
  (which tries at once) nearly always found a freed slot first: with 4 clients on one slot,
  the median search waited 0 ms and the slowest 1% 0.3–0.7 s (bench/README.md, issue 16).

Nothing here knows HTTP: the exceptions are mapped to 400 and 503 by service/errors.py.
"""

import fcntl
import hashlib
import math
import os
import sqlite3
import tempfile
import threading
import time
import weakref
from pathlib import Path

import psycopg
from psycopg.pq import TransactionStatus

MAX_SEARCH_TERMS = 16
MAX_PREFIX_TERMS = 4
MIN_PREFIX_CHARS = 3
PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock
SLACK_MS = 100  # PostgreSQL: how far a statement's timeout may lag behind the deadline
SLOT_POLL_S = 0.001  # how often the first search in line tries the slots again
# Statements that end or mark a transaction run whatever the budget (a deadline passed
# must not leave a transaction open on a pooled connection).
CONTROL_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "RESET",
                      "START", "END")


class QueryTooCostly(ValueError):
    """Search text that would cost too much; says what to change. `field` is the parameter."""

    def __init__(self, message, field="q"):
        super().__init__(message)
        self.field = field


class SearchesBusy(RuntimeError):
    """Every search slot stayed taken for the whole wait; `retry_after` in seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


class BudgetedConnection(sqlite3.Connection):
    """A SQLite connection whose statements stop once `deadline` (time.monotonic()) has
    passed, when one is set (None: unbounded)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = None
        self.set_progress_handler(self._over_budget, PROGRESS_STEPS)

    def _over_budget(self):
        return 1 if self.deadline is not None and time.monotonic() > self.deadline else 0


class _PostgresBudget:
    """What a PostgreSQL connection knows of its budget: the request's deadline, the
    statement_timeout last set (None: not known) and whether it was set inside a
    transaction (a rollback undoes it)."""

    __slots__ = ("deadline", "slack_ms", "set_ms", "set_in_transaction", "__weakref__")

    def __init__(self):
        self.deadline = None
        self.slack_ms = 0
        self.set_ms = None
        self.set_in_transaction = False


_postgres_budgets = weakref.WeakKeyDictionary()  # psycopg connection → _PostgresBudget


def _set_timeout(cursor, budget, ms, in_transaction):
    psycopg.Cursor.execute(cursor, f"SET statement_timeout = {int(ms)}", prepare=False)
    budget.set_ms = int(ms)
    budget.set_in_transaction = in_transaction


def _is_control(query):
    if not isinstance(query, str):
        return False
    head = query.lstrip()[:9].upper()
    return head.startswith(CONTROL_STATEMENTS)


class BudgetedPostgresCursor(psycopg.Cursor):
    """psycopg's cursor, which first brings `statement_timeout` down to the time the
    request has left (service.db opens PostgreSQL connections with this cursor class)."""

    def execute(self, query, params=None, **kwargs):
        self._within_budget(query)
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        self._within_budget(query)
        return super().executemany(query, params_seq, **kwargs)

    def _within_budget(self, query):
        budget = _postgres_budgets.get(self.connection)
        if budget is None or budget.deadline is None:
            return
        status = self.connection.info.transaction_status
        if budget.set_in_transaction and status == TransactionStatus.IDLE:
            budget.set_ms = None  # the transaction ended: committed or rolled back, unknown
        if status == TransactionStatus.INERROR or _is_control(query):
            return
        # Past the deadline: 1 ms, and PostgreSQL stops the statement with its own error.
        left = max(1, math.ceil((budget.deadline - time.monotonic()) * 1000))
        current = budget.set_ms
        if not current or current < left or current - left > budget.slack_ms \
                or (left == 1 and current != 1):
            _set_timeout(self, budget, left, status != TransactionStatus.IDLE)


def limit_statements(database, timeout_ms):
    """Start a budget: the statements the current connection runs from now on stop once
    `timeout_ms` have passed, all together (None or 0: unbounded). Called outside any
    transaction (before a request; before work that must not be bounded)."""
    connection = database.connection()
    deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms else None
    if isinstance(connection, BudgetedConnection):
        connection.deadline = deadline
        return
    if isinstance(connection, sqlite3.Connection):
        return  # opened without the budgeted factory (not through service.db)
    budget = _postgres_budgets.get(connection)
    if budget is None:
        budget = _postgres_budgets[connection] = _PostgresBudget()
    budget.deadline = deadline
    if budget.set_in_transaction:
        budget.set_ms = None  # that transaction has ended: committed or rolled back, unknown
    wanted = int(timeout_ms or 0)
    budget.slack_ms = min(SLACK_MS, wanted // 10)
    if budget.set_ms != wanted:
        # A pooled connection keeps its setting between requests: set only when it differs.
        with database.cursor() as cursor:
            _set_timeout(cursor, budget, wanted, False)


def release_statements(database):
    """After a request: no deadline any more. (A pooled PostgreSQL connection keeps its
    statement_timeout, saving a round trip per request; work outside requests calls
    limit_statements(database, None) first.)"""
    connection = database.connection()
    if isinstance(connection, BudgetedConnection):
        connection.deadline = None
    budget = _postgres_budgets.get(connection)
    if budget is not None:
        budget.deadline = None


def budget_each_step(steps, database, timeout_ms):
    """Iterate over `steps` (a stream's generator), giving each step a budget of its own:
    a long export reads page after page, each bounded, with no bound on the whole."""
    steps = iter(steps)
    while True:
        limit_statements(database, timeout_ms)
        try:
            step = next(steps)
        except StopIteration:
            return
        yield step


def is_statement_timeout(error):
    """True for the error a statement stopped by its budget raises: SQLite says
    "interrupted", PostgreSQL "canceling statement due to statement timeout"."""
    message = str(error).strip()
    return message == "interrupted" or "statement timeout" in message


class SearchSlots:
    """At most `count` holders at once, across the threads and processes of a machine: slot
    i is an exclusive flock() on file i of `folder`. flock locks belong to an open file, so
    two threads of one process exclude each other too, and a dead process's locks go."""

    def __init__(self, folder, count):
        self.folder = Path(folder)
        self.count = count

    def try_acquire(self):
        """A held slot (an open file descriptor) or None when all are taken."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for index in range(self.count):
            fd = os.open(self.folder / f"slot-{index}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None

    def acquire(self, wait_s):
        """A held slot, waiting up to `wait_s` seconds for one; None if none came free.
        Searches that wait take the slots in turn: first in line (the `queue` lock), then
        the first slot to come free."""
        give_up = time.monotonic() + wait_s
        turn = self._line_up(give_up)
        if turn is None:
            return None
        try:
            while (slot := self.try_acquire()) is None:
                if time.monotonic() >= give_up:
                    return None
                time.sleep(SLOT_POLL_S)
            return slot
        finally:
            os.close(turn)  # the next in line

    def _line_up(self, give_up):
        """The `queue` lock (an open file descriptor) once this search is first in line, or
        None if that did not happen by `give_up`. The kernel wakes a blocked flock() as
        soon as the lock is freed; it blocks in a helper thread so that the wait can end
        at `give_up` (a lock it gets after that is freed at once)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / "queue", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            pass
        except OSError:
            os.close(fd)
            raise
        got, guard, state = threading.Event(), threading.Lock(), {"abandoned": False}

        def wait_in_line():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                locked = True
            except OSError:
                locked = False
            with guard:
                if state["abandoned"] or not locked:
                    os.close(fd)
                state["locked"] = locked
                got.set()

        threading.Thread(target=wait_in_line, daemon=True, name="search-slot-queue").start()
        got.wait(max(0.0, give_up - time.monotonic()))
        with guard:
            if got.is_set():
                return fd if state["locked"] else None
            state["abandoned"] = True
        return None

    @staticmethod
    def release(slot):
        os.close(slot)  # closing the file releases its lock


def default_search_slots():
    """Half the machine's cores (at least one): the other half stays for cheap reads."""
    return max(1, (os.cpu_count() or 2) // 2)


def search_slots_folder(database_url):
    """Where the slot files of a database live: one folder per database URL in the
    temporary folder, shared by every worker on this machine."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"claimbase-search-slots-{digest}"
