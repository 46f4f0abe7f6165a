"""The whole database as one streamed, compressed, self-describing file, and back.

`claimbase dump` writes gzip-compressed NDJSON (docs/dump-format.md): a header line (format,
version, schema = the applied migrations, the tables and their columns), then for each table
a start line, its rows as JSON arrays in primary-key order, and an end line with the row
count, the highest id ever issued and the SHA-256 of the row lines; a last line closes the
file with the total and a checksum over every table. Rows are read in keyset batches inside
one read-only snapshot, so memory stays flat and the file is consistent whatever its size.

`claimbase restore` loads such a file into an empty database of either backend in one
transaction, keeping every id (PostgreSQL sequences are moved past them), then reads the
tables back with the same serialiser and compares counts and checksums before committing.
Derived rows are not in the file. A restore loads in bulk: the triggers that keep derived
rows in step with one written row at a time (search indexes, trigrams, facet counts, the
read model, claim status) are suspended for the load, inside its transaction, and what they
keep is rebuilt once from the loaded tables (see DERIVED); PostgreSQL's generated search
columns are computed as rows arrive.
"""

import contextlib
import datetime
import gzip
import hashlib
import importlib
import json
from dataclasses import dataclass
from dataclasses import field

from peewee import BooleanField
from peewee import DateField
from peewee import DateTimeField

from . import db as dbmod
from .models import MODELS
from .models import IdempotentResponse
from .models import ImportJob
from .models import Publisher
from .models import PublisherAlias
from .models import utcnow

FORMAT = "claimbase-dump"
VERSION = 1
BATCH = 2000  # rows per keyset read
LOAD_BATCH = 10_000  # rows per executemany or COPY of a restore
COMPRESSLEVEL = 6


class DumpError(Exception):
    """A dump cannot be written or restored; the message is one line for the operator."""


@dataclass
class TableSummary:
    rows: int = 0
    sha256: str = ""
    max_id: int | None = None
    columns: list | None = None


@dataclass
class Summary:
    """What a dump or a restore wrote: per table, its rows and checksum; overall checksum."""

    tables: dict = field(default_factory=dict)
    sha256: str = ""
    schema: list = field(default_factory=list)

    @property
    def rows(self):
        return sum(table.rows for table in self.tables.values())

    def line(self):
        counts = ", ".join(f"{name} {table.rows:,}" for name, table in self.tables.items())
        return f"{self.rows:,} rows in {len(self.tables)} tables ({counts}); sha256 {self.sha256}"


# --- tables, columns and values -----------------------------------------------------------

# Caches, not records: a replayed POST's stored answer (kept 24 h) means nothing in another
# database, so a dump leaves it out and a restored database starts without it. Import jobs
# point at files in this server's spool folder: they stay with it too.
NOT_DUMPED = {IdempotentResponse, ImportJob}


# Rows that the migrations themselves create (the known fact-checking organisations, 0009):
# a new database holds them, so they do not make it "not empty", and a dump that carries
# these tables replaces them with its own rows (children first).
MIGRATION_ROWS = (PublisherAlias, Publisher)


# The claim-matching index is derived from claims and their reviews (service/matching.py).
# A dump from before migration 0015 holds it in an older shape (postings without the claim's
# length, keys of an older analyzer): its rows are checked against the file's checksums but
# not loaded, and the index is rebuilt from the restored claims.
MATCHING_TABLES = ("claim_term", "claim_match")
MATCHING_SHAPE = "0015_bounded_matching"


def _tables():
    """{table name: model}, in the order that satisfies foreign keys (models.MODELS)."""
    return {model._meta.table_name: model for model in MODELS if model not in NOT_DUMPED}


def _columns(model):
    return [f.column_name for f in model._meta.sorted_fields]


def _key_columns(model):
    key = model._meta.primary_key
    if hasattr(key, "field_names"):  # CompositeKey
        return [model._meta.fields[name].column_name for name in key.field_names]
    return [key.column_name]


def _converters(model, columns):
    """Per column, raw database value → the JSON value both backends dump alike: dates as
    ISO dates, timestamps as peewee stores them on SQLite ('YYYY-MM-DD HH:MM:SS[.ffffff]',
    which PostgreSQL also reads), booleans as true/false."""

    def converter(f):
        if isinstance(f, DateTimeField):
            def timestamp(value):
                value = f.python_value(value)
                return str(value) if isinstance(value, datetime.datetime) else value
            return timestamp
        if isinstance(f, DateField):
            def date(value):
                value = f.python_value(value)
                return value.isoformat() if isinstance(value, datetime.date) else value
            return date
        if isinstance(f, BooleanField):
            return lambda value: None if value is None else bool(value)
        return None

    by_column = {f.column_name: f for f in model._meta.sorted_fields}
    return [converter(by_column[c]) for c in columns]


def _q(name):
    return f'"{name}"'


def _row_line(values):
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"


def table_lines(database, model, columns=None):
    """The row lines of a table in key order, read in keyset batches (memory stays flat):
    its columns, or those given (a dump from an earlier schema has fewer)."""
    columns = list(columns or _columns(model))
    keys = _key_columns(model)
    converters = _converters(model, columns)
    select = (f"SELECT {', '.join(map(_q, keys + columns))} "
              f"FROM {_q(model._meta.table_name)}")
    width = len(keys)
    order = f" ORDER BY {', '.join(map(_q, keys))} LIMIT {BATCH}"
    param = database.param
    after = None
    while True:
        if after is None:
            sql, params = select + order, ()
        elif len(keys) == 1:
            sql, params = f"{select} WHERE {_q(keys[0])} > {param}{order}", after
        else:
            sql = (f"{select} WHERE ({', '.join(map(_q, keys))}) > "
                   f"({', '.join([param] * len(keys))}){order}")
            params = after
        rows = database.execute_sql(sql, params).fetchall()
        for row in rows:
            values = [c(v) if c else v
                      for c, v in zip(converters, row[width:], strict=True)]
            yield _row_line(values)
        if len(rows) < BATCH:
            return
        after = tuple(rows[-1][:width])


def _max_id_issued(database, model):
    """The highest id the table has ever handed out (a sequence may be past max(id) after
    deletes), or None for a table without a single integer key."""
    if len(_key_columns(model)) != 1 or _key_columns(model)[0] != "id":
        return None
    table = model._meta.table_name
    highest = database.execute_sql(f"SELECT max(id) FROM {_q(table)}").fetchone()[0] or 0
    if dbmod.is_sqlite(database):
        if database.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
                                ).fetchone():
            row = database.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                       (table,)).fetchone()
            if row:
                highest = max(highest, row[0])
        return highest
    sequence = database.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')",
                                    (table,)).fetchone()[0]
    if sequence:
        last, called = database.execute_sql(
            f"SELECT last_value, is_called FROM {sequence}").fetchone()
        highest = max(highest, last if called else last - 1)
    return highest


def _schema(database):
    return sorted(dbmod.applied_migrations(database))


# SQLite maps up to 256 MB of the file into the process (db.SQLITE_PRAGMAS), and every page
# a full read touches then counts in its resident memory: a dump or restore of a 1M-quote
# database would hold 256 MB of mapped pages plus the page cache. Reading a whole database
# once gains nothing from either, so these runs use plain reads and a small cache.
LEAN_SQLITE = {"mmap_size": 0, "cache_size": -8000}


@contextlib.contextmanager
def _lean(database):
    """SQLite: no memory-mapped I/O and an 8 MB page cache while the block runs."""
    if not dbmod.is_sqlite(database):
        yield
        return
    before = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in LEAN_SQLITE}
    for name, value in LEAN_SQLITE.items():
        database.execute_sql(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        for name, value in before.items():
            database.execute_sql(f"PRAGMA {name} = {value}")


# --- dump ---------------------------------------------------------------------------------

def _snapshot(database):
    """One read transaction: every table is read as of the same moment."""
    transaction = database.atomic()
    if not dbmod.is_sqlite(database):
        class Snapshot:
            def __enter__(self):
                transaction.__enter__()
                database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                return self

            def __exit__(self, *exc):
                return transaction.__exit__(*exc)
        return Snapshot()
    return transaction


def dump_lines(database):
    """Every line of a dump of `database` (which must be at the code's schema), as text."""
    schema = _schema(database)
    if schema != sorted(dbmod.known_migrations()):
        raise DumpError("the database is not at this version's schema; run `claimbase "
                        "migrate` first")
    tables = _tables()
    header = {"format": FORMAT, "version": VERSION, "schema": schema,
              "created_at": str(utcnow()),
              "backend": "sqlite" if dbmod.is_sqlite(database) else "postgresql",
              "tables": {name: _columns(model) for name, model in tables.items()}}
    yield _row_line(header)
    total = hashlib.sha256()
    count = 0
    with _lean(database), _snapshot(database):
        for name, model in tables.items():
            yield _row_line({"table": name, "columns": _columns(model)})
            digest, rows = hashlib.sha256(), 0
            for line in table_lines(database, model):
                digest.update(line.encode("utf-8"))
                rows += 1
                yield line
            total.update(f"{name}:{rows}:{digest.hexdigest()}\n".encode())
            count += rows
            yield _row_line({"end": name, "rows": rows, "sha256": digest.hexdigest(),
                             "max_id": _max_id_issued(database, model)})
    yield _row_line({"end": FORMAT, "tables": len(tables), "rows": count,
                     "sha256": total.hexdigest()})


def write_dump(database, binary):
    """Write a gzip dump to a binary stream; its Summary."""
    summary = Summary(schema=_schema(database))
    with gzip.GzipFile(fileobj=binary, mode="wb", compresslevel=COMPRESSLEVEL, mtime=0) as out:
        for line in dump_lines(database):
            out.write(line.encode("utf-8"))
            if line.startswith('{"end"'):
                end = json.loads(line)
                if end["end"] == FORMAT:
                    summary.sha256 = end["sha256"]
                else:
                    summary.tables[end["end"]] = TableSummary(end["rows"], end["sha256"],
                                                              end["max_id"])
    return summary


# --- restore ------------------------------------------------------------------------------

def _lines(binary):
    """(number, raw bytes, decoded value) of each line of a gzip dump; a damaged file is a
    DumpError. The raw bytes of a row line are what its table's checksum covers."""
    try:
        with gzip.GzipFile(fileobj=binary, mode="rb") as stream:
            for number, raw in enumerate(stream, 1):
                try:
                    yield number, raw, json.loads(raw)
                except ValueError as error:
                    raise DumpError(f"line {number} is not JSON ({error}); the file is "
                                    "damaged") from None
    except (OSError, EOFError) as error:
        raise DumpError(f"not a readable gzip dump ({error})") from None


def _row_counts(database, tables):
    counts = {}
    for name in tables:
        counts[name] = database.execute_sql(
            f"SELECT count(*) FROM (SELECT 1 FROM {_q(name)} LIMIT 1) AS t").fetchone()[0]
    return counts


def refuse_unless_empty(database):
    """A DumpError unless every table of the schema is empty (or not created yet)."""
    if not dbmod.applied_migrations(database):
        return
    seeded = {model._meta.table_name for model in MIGRATION_ROWS}
    present = [name for name in _tables() if database.table_exists(name) and name not in seeded]
    full = [name for name, n in _row_counts(database, present).items() if n]
    if full:
        raise DumpError(f"the target database is not empty ({', '.join(full)} hold rows); "
                        "restore needs a new, empty database")


def _check_header(header):
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError(f"not a Claimbase dump (the first line does not say {FORMAT!r})")
    if header.get("version") != VERSION:
        raise DumpError(f"dump format version {header.get('version')} is not supported "
                        f"(this claimbase reads version {VERSION})")
    newer = sorted(set(header.get("schema", [])) - set(dbmod.known_migrations()))
    if newer:
        raise DumpError(f"the dump is from a newer schema ({', '.join(newer)}); upgrade "
                        "claimbase before restoring it")
    tables = _tables()
    for name, columns in header.get("tables", {}).items():
        if name not in tables:
            raise DumpError(f"the dump has a table this version does not know: {name}")
        unknown = set(columns) - set(_columns(tables[name]))
        if unknown:
            raise DumpError(f"the dump's table {name} has columns this version does not "
                            f"know: {', '.join(sorted(unknown))}")


class _Inserter:
    """Batched inserts of one table's rows: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, database, table, columns):
        self.database, self.table, self.columns = database, table, columns
        self.pending = []
        cols = ", ".join(map(_q, columns))
        if dbmod.is_sqlite(database):
            self.sql = (f"INSERT INTO {_q(table)} ({cols}) VALUES "
                        f"({', '.join(['?'] * len(columns))})")
        else:
            self.sql = f"COPY {_q(table)} ({cols}) FROM STDIN"

    def add(self, values):
        self.pending.append(values)
        if len(self.pending) >= LOAD_BATCH:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        cursor = self.database.cursor()
        if dbmod.is_sqlite(self.database):
            cursor.executemany(self.sql, self.pending)
        else:
            with cursor.copy(self.sql) as copy:
                for values in self.pending:
                    copy.write_row(values)
        self.pending = []


def _move_sequence(database, table, max_id):
    """Make the next id the database hands out greater than every id restored (and than
    every id the dumped database had ever handed out)."""
    if max_id is None:
        return
    if dbmod.is_sqlite(database):
        definition = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        if "AUTOINCREMENT" in definition.upper() and max_id:
            updated = database.execute_sql("UPDATE sqlite_sequence SET seq = max(seq, ?) "
                                           "WHERE name = ?", (max_id, table)).rowcount
            if not updated:
                database.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                     (table, max_id))
        return
    sequence = database.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')",
                                    (table,)).fetchone()[0]
    if sequence:
        database.execute_sql(
            f"SELECT setval('{sequence}', greatest(%s, (SELECT coalesce(max(id), 0) "
            f"FROM {_q(table)}), 1), greatest(%s, (SELECT coalesce(max(id), 0) "
            f"FROM {_q(table)})) > 0)", (max_id, max_id))


# --- derived rows: suspended triggers, rebuilt in bulk --------------------------------------

# The triggers that derive rows from each written row, by name (SQLite; PostgreSQL), and how
# the rows they keep are rebuilt from whole tables. Fired per restored row they made a restore
# slower than an import (550 s at 100k quotes): each stance rewrote its claim's status (on
# PostgreSQL a new row version, its search vector computed again), each quote and part
# bumped documents, each review re-derived its claim's facets, each text called the
# stemmer from its own trigger. During a restore they are dropped (SQLite, whose DDL is
# transactional) or disabled (PostgreSQL) inside the restore's transaction, so a failed or
# killed restore leaves them as they were.
_FTS = ("quote_fts", "claim_fts", "source_fts")
# The trigram table holds only the 'form' keys (migration 0008's trigger): not a rebuild of
# its whole content table.
_TRIGRAMS = ("INSERT INTO speaker_name_key_trigram(rowid, key) "
             "SELECT id, key FROM speaker_name_key WHERE step = 'form' ORDER BY id")


def _facet_backfill():
    return importlib.import_module("service.migrations.0014_facet_counts").BACKFILL


def _row_count_backfill():
    return importlib.import_module("service.migrations.0021_row_counts").BACKFILL


DERIVED = [
    # (trigger name patterns (SQL LIKE), statements rebuilding what they keep)
    # The read model is read-through (migration 0013): an empty `document` table is
    # correct, and each body is rendered on its first read.
    (("document\\_%",), lambda sqlite: []),
    # A claim's status is a column of the dump, checked by its checksum.
    (("stance\\_status%",), lambda sqlite: []),
    # SQLite's full-text and trigram tables read their content tables (stems computed by
    # the content view); PostgreSQL's are generated columns and an index.
    (("quote\\_fts\\_%", "claim\\_fts\\_%", "source\\_fts\\_%",
      "speaker\\_name\\_key\\_trigram\\_%"),
     lambda sqlite: [*(f"INSERT INTO {t}({t}) VALUES ('rebuild')" for t in _FTS), _TRIGRAMS]
     if sqlite else []),
    # The tables' numbers of rows (migration 0021): counted once.
    (("row\\_count\\_%",),
     lambda sqlite: ["DELETE FROM row_count", *_row_count_backfill()]),
    # Facet counts (migration 0014): derived from the reviews, as that migration does.
    (("review\\_facet%", "claim\\_facet\\_pairs\\_%"),
     lambda sqlite: ["DELETE FROM facet_pair", "DELETE FROM claim_facet",
                     *_facet_backfill()]),
]


def _derived_triggers(database):
    """[(table, trigger name, SQLite definition or None)] of the DERIVED triggers present."""
    patterns = [p for names, _ in DERIVED for p in names]
    like = " OR ".join(["name LIKE %s ESCAPE '\\'"] * len(patterns))
    if dbmod.is_sqlite(database):
        sql = (f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' "
               f"AND ({like.replace('%s', '?')}) ORDER BY rowid")  # creation order
    else:
        sql = ("SELECT c.relname, t.tgname AS name, NULL FROM pg_trigger t JOIN pg_class c "
               "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
               f"AND ({like.replace('name', 't.tgname')}) ORDER BY t.tgname")
    return [tuple(row) for row in database.execute_sql(sql, patterns).fetchall()]


@contextlib.contextmanager
def _bulk_load(database):
    """Inside a write transaction: the DERIVED triggers off while the block loads rows, then
    their rows rebuilt in bulk and the triggers back, exactly as they were defined."""
    sqlite = dbmod.is_sqlite(database)
    triggers = _derived_triggers(database)
    for table, name, _ in triggers:
        database.execute_sql(f"DROP TRIGGER {_q(name)}" if sqlite
                             else f"ALTER TABLE {_q(table)} DISABLE TRIGGER {_q(name)}")
    yield
    for _, rebuild in DERIVED:
        for statement in rebuild(sqlite):
            database.execute_sql(statement)
    for table, name, definition in triggers:
        database.execute_sql(definition if sqlite
                             else f"ALTER TABLE {_q(table)} ENABLE TRIGGER {_q(name)}")


def restore(database, binary, progress=None):
    """Load a dump into an empty database in one transaction; its verified Summary.

    Raises DumpError (and writes nothing) when the target holds rows, the dump is from a
    newer schema, damaged, incomplete, or does not read back identical."""
    lines = _lines(binary)
    first = next(lines, None)
    if first is None:
        raise DumpError("the dump is empty")
    header = first[2]
    _check_header(header)
    refuse_unless_empty(database)
    dbmod.migrate(database)
    tables = _tables()
    summary = Summary(schema=header["schema"])
    with _lean(database), dbmod.write_transaction(database):
        refuse_unless_empty(database)  # nobody wrote in between
        _clear_migration_rows(database, header)
        rebuilt = () if MATCHING_SHAPE in header["schema"] else MATCHING_TABLES
        with _bulk_load(database):
            _load(database, lines, tables, summary, progress, skipped=rebuilt)
        for name in rebuilt:
            summary.tables.pop(name, None)
        _verify(database, tables, summary)
        if rebuilt:
            _rebuild_matching(database)
    # As after a bulk import: without statistics, PostgreSQL planned pages of a restored
    # database with sequential scans (a stance page took 0.3 s at 100k quotes). Lean too:
    # SQLite's ANALYZE through the memory map took a 100k restore's peak from 111 to 130 MB.
    with _lean(database):
        dbmod.refresh_statistics(database)
    return summary


class _Skipped:
    """A table whose rows are read (and checked) but not loaded."""

    def __init__(self, columns):
        self.columns = columns

    def add(self, values):
        pass

    def flush(self):
        pass


def _rebuild_matching(database):
    from . import matching

    previous = dbmod.database.obj
    dbmod.bind(database)
    try:
        matching.rebuild_index()
    finally:
        if previous is not None:
            dbmod.bind(previous)


def _clear_migration_rows(database, header):
    """Drop the rows the migrations made where the dump brings its own."""
    for model in MIGRATION_ROWS:
        name = model._meta.table_name
        if name in header.get("tables", {}):
            database.execute_sql(f"DELETE FROM {_q(name)}")


def _load(database, lines, tables, summary, progress, skipped=()):
    table = inserter = digest = None
    rows = 0
    total = hashlib.sha256()
    for number, raw, item in lines:
        if isinstance(item, list):
            if inserter is None:
                raise DumpError(f"line {number}: a row outside any table")
            if len(item) != len(inserter.columns):
                raise DumpError(f"line {number}: {len(item)} values for "
                                f"{len(inserter.columns)} columns of {table}")
            # The dump wrote each row line as _row_line(values): its bytes are hashed as
            # read, not serialised again (that was a third of a restore's Python time).
            digest.update(raw)
            inserter.add(item)
            rows += 1
            if progress:
                progress()
        elif "table" in item:
            table = item["table"]
            if table not in tables or table in summary.tables:
                raise DumpError(f"line {number}: unexpected table {table!r}")
            inserter = (_Skipped(item["columns"]) if table in skipped
                        else _Inserter(database, table, item["columns"]))
            digest, rows = hashlib.sha256(), 0
        elif item.get("end") == FORMAT:
            if inserter is not None:
                raise DumpError(f"line {number}: the dump ends inside table {table}")
            if total.hexdigest() != item["sha256"] or summary.rows != item["rows"]:
                raise DumpError("the dump's closing checksum does not match its tables; "
                                "the file is damaged")
            summary.sha256 = item["sha256"]
            return
        elif item.get("end") == table:
            inserter.flush()
            if rows != item["rows"] or digest.hexdigest() != item["sha256"]:
                raise DumpError(f"table {table}: the rows do not match the dump's count or "
                                "checksum; the file is damaged")
            if table not in skipped:
                _move_sequence(database, table, item.get("max_id"))
            summary.tables[table] = TableSummary(rows, item["sha256"], item.get("max_id"),
                                                 inserter.columns)
            total.update(f"{table}:{rows}:{item['sha256']}\n".encode())
            inserter = None
        else:
            raise DumpError(f"line {number}: not a line of a Claimbase dump")
    raise DumpError("the dump is incomplete (it has no closing line); nothing was restored")


def _verify(database, tables, summary):
    """Read every restored table back and compare its count and checksum with the dump's."""
    for name, expected in summary.tables.items():
        digest, rows = hashlib.sha256(), 0
        for line in table_lines(database, tables[name], expected.columns):
            digest.update(line.encode("utf-8"))
            rows += 1
        if (rows, digest.hexdigest()) != (expected.rows, expected.sha256):
            raise DumpError(f"table {name} did not read back as dumped ({rows} rows, "
                            f"expected {expected.rows}); nothing was restored")
