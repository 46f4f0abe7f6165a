"""Rows derived from inserted rows, per row by triggers or per batch in bulk.

Two families of triggers fire on every row an import inserts: SQLite's full-text index of
quotes and claims (migration 0009: each text's words and its stems, computed by Python per
row) and the read model's document bumps (migration 0013: each part of a claim or speaker
bumps its document). Per row, each inserted quote or claim called the stemmer from its own
trigger and each part probed the document table once or twice.

Since migration 0017 these INSERT triggers test a per-connection switch in their `WHEN`
clause (SQLite: the application function `claimbase_bulk()`; PostgreSQL: the setting
`claimbase.bulk`, set for the transaction only). A batch writer turns it on with `bulk()`,
tells it what it inserted, and on the way out derives those rows set-wise, once per batch:
the index rows from the same content views the triggers and a restore's rebuild read, the
documents bumped once per part, as the triggers would have. No DDL runs during an import, so
readers are never locked out; every other writer (the API, merges) leaves the switch off.
"""

import contextlib
import importlib
import threading
from collections import Counter
from collections import defaultdict

from peewee import SqliteDatabase

# Tables whose full-text INSERT trigger `bulk` switches (SQLite; PostgreSQL's search columns
# are generated). Sources are few and keep their trigger.
FTS_BULK = ("quote", "claim")
# The read model's INSERT rules (migration 0013): an inserted row of `table` is a part of
# the `kind` document whose id its `column` holds.
DOCUMENT_PARTS = [
    ("quote", "speaker_id", "speaker"), ("quote", "via_id", "speaker"),
    ("stance", "claim_id", "claim"), ("stance", "speaker_id", "speaker"),
    ("claim_topic", "claim_id", "claim"), ("review", "claim_id", "claim"),
    ("appearance", "claim_id", "claim"), ("alias", "speaker_id", "speaker"),
]
SQLITE_WHEN = "NOT claimbase_bulk()"
POSTGRES_WHEN = "current_setting('claimbase.bulk', true) IS DISTINCT FROM 'on'"
# The switched triggers by name: the read model's INSERT triggers (SQL LIKE), and SQLite's
# full-text INSERT triggers.
DOCUMENT_INSERTS = r"document\_%\_insert\_%"
FTS_INSERTS = tuple(f"{table}_fts_insert" for table in FTS_BULK)

_local = threading.local()  # SQLite: a connection serves one thread at a time


def bulk_active():
    """The SQLite function `claimbase_bulk()` the switched triggers test (1: skip the row)."""
    return 1 if getattr(_local, "bulk", False) else 0


def register_functions(db):
    """Give a SQLite database the function its switched triggers call."""
    db.register_function(bulk_active, "claimbase_bulk", 0)


def _indexed():
    return importlib.import_module("service.migrations.0009_language_search").INDEXED


def switched(database):
    """Whether every trigger `bulk` turns off tests the switch: migration 0017 applied, and no
    later migration re-created one of them without its WHEN clause. Asked once per batch:
    deriving rows a trigger also wrote would index a text twice."""
    tables = {table for table, _, _ in DOCUMENT_PARTS}
    if isinstance(database, SqliteDatabase):
        found = database.execute_sql(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND (name LIKE ? "
            f"ESCAPE '\\' OR name IN ({', '.join(['?'] * len(FTS_INSERTS))}))",
            [DOCUMENT_INSERTS, *FTS_INSERTS]).fetchall()
        tables, mark = tables | set(FTS_BULK), SQLITE_WHEN
    else:
        found = database.execute_sql(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c "
            "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname LIKE %s ESCAPE '\\'",
            (DOCUMENT_INSERTS,)).fetchall()
        mark = "claimbase.bulk"
    return {table for table, _ in found} == tables and all(mark in sql for _, sql in found)


class Derived:
    """What a batch inserted with the triggers off, to derive in bulk on `flush` (nothing,
    when not `active`: the triggers then fire per row)."""

    def __init__(self, database, active=True):
        self.database = database
        self.active = active
        self.sqlite = isinstance(database, SqliteDatabase)
        self.new_ids = defaultdict(list)  # table → ids inserted (the full-text rows)
        self.parts = Counter()  # (document kind, id) → parts inserted

    def inserted(self, model, rows, ids=None):
        """Count rows (dicts by field name) just inserted into `model`, with their ids."""
        if not self.active:
            return
        table = model._meta.table_name
        if ids is not None and table in FTS_BULK:
            self.new_ids[table].extend(ids)
        for part_table, column, kind in DOCUMENT_PARTS:
            if part_table == table:
                name = model._meta.columns[column].name
                for row in rows:
                    value = row.get(name)
                    value = getattr(value, "id", value)
                    if value is not None:
                        self.parts[kind, value] += 1

    def flush(self):
        """The derived rows of what was inserted, set-wise; then forget it."""
        if self.sqlite:
            for table, ids in self.new_ids.items():
                self._index(table, ids)
        self._bump_documents()
        self.new_ids.clear()
        self.parts.clear()

    def _index(self, table, ids):
        """Full-text rows, from the content view the trigger's values and a rebuild read."""
        columns = ", ".join((*_indexed()[table], "stems"))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            self.database.execute_sql(
                f"INSERT INTO {table}_fts(rowid, {columns}) SELECT id, {columns} "
                f"FROM {table}_search WHERE id IN ({', '.join(['?'] * len(chunk))}) "
                "ORDER BY id", chunk)

    def _bump_documents(self):
        """Each stored document bumped by the parts it gained, its body cleared: what the
        triggers do one part at a time. Only stored documents are touched (on an import
        into an empty read model, none)."""
        param = self.database.param
        by_kind = defaultdict(list)
        for kind, row_id in self.parts:
            by_kind[kind].append(row_id)
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                stored = [i for (i,) in self.database.execute_sql(
                    f"SELECT id FROM document WHERE kind = {param} AND id IN "
                    f"({', '.join([param] * len(chunk))})", [kind, *chunk]).fetchall()]
                if stored:
                    self.database.cursor().executemany(
                        f"UPDATE document SET version = version + {param}, body = NULL "
                        f"WHERE kind = {param} AND id = {param}",
                        [(self.parts[kind, i], kind, i) for i in stored])


@contextlib.contextmanager
def bulk(database):
    """Inside a write transaction: the switched triggers off while the block inserts rows
    (told to the yielded Derived), then their derived rows written set-wise."""
    if not switched(database):
        yield Derived(database, active=False)
        return
    derived = Derived(database)
    _switch(database, True)
    try:
        yield derived
    except BaseException:
        # PostgreSQL: the savepoint the error rolls back takes the setting with it (and an
        # aborted transaction would refuse the statement); SQLite's switch is ours to reset.
        if isinstance(database, SqliteDatabase):
            _local.bulk = False
        raise
    _switch(database, False)
    derived.flush()


def _switch(database, on):
    if isinstance(database, SqliteDatabase):
        _local.bulk = on
    else:  # for this transaction only: a rolled-back savepoint restores it too
        database.execute_sql("SELECT set_config('claimbase.bulk', %s, true)",
                             ("on" if on else "off",))
