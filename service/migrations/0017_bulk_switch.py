"""The INSERT triggers an import fires per row test a per-connection switch (issue 12).

SQLite's full-text INSERT triggers of quotes and claims (migration 0009) and the read
model's INSERT triggers (migration 0013) gain a `WHEN` clause: they do nothing while a batch
writer has turned `claimbase.bulk` on, and that writer derives their rows set-wise at the
end of its batch (service/derived.py). Nothing else changes: every other writer leaves the
switch off and the triggers fire as before. Only trigger definitions change: instant at 1M.
"""

import re

from peewee import SqliteDatabase

from service.derived import DOCUMENT_INSERTS
from service.derived import DOCUMENT_PARTS
from service.derived import FTS_BULK
from service.derived import FTS_INSERTS
from service.derived import POSTGRES_WHEN
from service.derived import SQLITE_WHEN

PART_TABLES = sorted({table for table, _, _ in DOCUMENT_PARTS})


def _sqlite_triggers(db):
    names = list(FTS_INSERTS)
    rows = db.execute_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND "
        f"(name LIKE ? ESCAPE '\\' OR name IN ({', '.join(['?'] * len(names))}))",
        [DOCUMENT_INSERTS, *names]).fetchall()
    assert {table for _, table, _ in rows} == set(PART_TABLES) | set(FTS_BULK), rows
    return rows


def _sqlite(db, switched):
    for name, table, sql in _sqlite_triggers(db):
        plain = f"AFTER INSERT ON {table} BEGIN"
        guarded = f"AFTER INSERT ON {table} WHEN {SQLITE_WHEN} BEGIN"
        before, after = (plain, guarded) if switched else (guarded, plain)
        definition, count = re.subn(re.escape(before), after, sql, count=1)
        if count != 1:
            raise RuntimeError(f"trigger {name} is not as expected: {sql[:200]}")
        db.execute_sql(f'DROP TRIGGER "{name}"')
        db.execute_sql(definition)


def _postgres(db, switched):
    rows = db.execute_sql(
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname LIKE %s ESCAPE '\\'",
        (DOCUMENT_INSERTS,)).fetchall()
    assert {table for _, table in rows} == set(PART_TABLES), rows
    when = f" WHEN ({POSTGRES_WHEN})" if switched else ""
    for name, table in rows:  # each trigger's function bears its name (migration 0013)
        db.execute_sql(f'DROP TRIGGER "{name}" ON "{table}"')
        db.execute_sql(f'CREATE TRIGGER "{name}" AFTER INSERT ON "{table}" FOR EACH ROW{when} '
                       f'EXECUTE FUNCTION "{name}"()')


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite(db, True)
    else:
        _postgres(db, True)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite(db, False)
    else:
        _postgres(db, False)
