"""What a database error means: the one classification, read by the API (service/errors.py
turns it into a status), the importer and the CLI (which turn it into words).

- RETRY: busy, locked, a lost connection, a timeout, a serialisation failure: the same
  request may well succeed in a moment (503 with Retry-After).
- DISK_FULL: the database's disk is full; retrying will not help until someone frees space.
- TOO_LONG_FOR_INDEX: a text too long for PostgreSQL's search index (a tsvector holds at most
  1 MB of words): the record itself must change (422).
- OTHER: anything else (a schema not migrated, a bug): a 500.

The error a driver raises is often not the first one: when SQLite runs out of space it rolls
the transaction back itself, and peewee's own rollback then fails with "cannot rollback - no
transaction is active". The chain of exceptions (`__cause__`, `__context__`) and peewee's
wrapped driver error are all read, so the cause is found under what hides it.
"""

RETRY = "retry"
DISK_FULL = "disk full"
TOO_LONG_FOR_INDEX = "too long for the search index"
OTHER = "other"
TOO_LONG_REASON = ("too long for the search index: PostgreSQL indexes at most 1 MB of distinct "
                   "words per text; split or shorten it")

# SQLite's extended error names, PostgreSQL's SQLSTATE codes or classes.
_DISK_FULL = {"SQLITE_FULL", "53100", "53000"}
_TOO_LONG = {"54000"}  # program_limit_exceeded: "string is too long for tsvector"
_RETRY = {"SQLITE_BUSY", "SQLITE_LOCKED", "40001", "40P01", "55P03", "57014", "57P01",
          "57P02", "57P03"}
_RETRY_CLASSES = ("08",)  # connection exceptions
_DISK_FULL_WORDS = ("database or disk is full", "no space left on device",
                    "could not extend file")
_TOO_LONG_WORDS = ("too long for tsvector",)
_RETRY_WORDS = ("database is locked", "database table is locked", "connection",
                "server closed", "terminating", "timeout", "deadlock", "could not serialize")


def _chain(error):
    """The error, what caused it and the driver errors it wraps, without repeats."""
    seen, pending = [], [error]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        pending.extend([current.__cause__, current.__context__, getattr(current, "orig", None),
                        *[a for a in current.args if isinstance(a, BaseException)]])
    return seen


def _code(error):
    for name in ("sqlite_errorname", "sqlstate", "pgcode"):
        code = getattr(error, name, None)
        if code:
            return str(code)
    return ""


def _matches(errors, codes, words, classes=()):
    for error in errors:
        code, text = _code(error), str(error).lower()
        if code in codes or (classes and code.startswith(classes)):
            return True
        if any(word in text for word in words):
            return True
    return False


def classify(error):
    """RETRY, DISK_FULL, TOO_LONG_FOR_INDEX or OTHER for a database error."""
    errors = _chain(error)
    if _matches(errors, _DISK_FULL, _DISK_FULL_WORDS):
        return DISK_FULL
    if _matches(errors, _TOO_LONG, _TOO_LONG_WORDS):
        return TOO_LONG_FOR_INDEX
    if _matches(errors, _RETRY, _RETRY_WORDS, _RETRY_CLASSES):
        return RETRY
    return OTHER
