"""How many speakers, claims and quotes the database holds, kept by triggers (issue 19): the
home page counted them with three COUNT(*)s, each a scan of its table (142 ms at 1M quotes on
PostgreSQL, 22 ms on SQLite).

`row_count` holds (name, n) rows; a table's number of rows is the sum of its rows' n
(service/queries.py totals()).
- SQLite has one writer at a time: one row per table, updated by each inserted or deleted
  row.
- PostgreSQL: each INSERT or DELETE statement adds one row, the number of rows it inserted or
  deleted (a statement trigger over its transition table). Writers never wait for one
  another on a shared counter: a row that every writer updates is held until each one
  commits, and two writers holding two such rows in opposite orders deadlock. The reader
  folds the rows into one per table when they are many.

A restore suspends these triggers and counts the tables once (service/dump.py DERIVED).
"""

from peewee import SqliteDatabase

COUNTED = ("speaker", "claim", "quote")
BACKFILL = [f"INSERT INTO row_count (name, n) SELECT '{table}', COUNT(*) FROM {table}"
            for table in COUNTED]


def _sqlite_triggers(table):
    return [
        f"CREATE TRIGGER row_count_{table}_insert AFTER INSERT ON {table} BEGIN "
        f"UPDATE row_count SET n = n + 1 WHERE name = '{table}'; END",
        f"CREATE TRIGGER row_count_{table}_delete AFTER DELETE ON {table} BEGIN "
        f"UPDATE row_count SET n = n - 1 WHERE name = '{table}'; END",
    ]


POSTGRES_FUNCTIONS = [
    """CREATE FUNCTION row_count_inserted() RETURNS trigger AS $$
BEGIN
  INSERT INTO row_count (name, n) SELECT TG_TABLE_NAME, COUNT(*) FROM inserted_rows
    HAVING COUNT(*) > 0;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION row_count_deleted() RETURNS trigger AS $$
BEGIN
  INSERT INTO row_count (name, n) SELECT TG_TABLE_NAME, -COUNT(*) FROM deleted_rows
    HAVING COUNT(*) > 0;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
]


def _postgres_triggers(table):
    return [
        f"CREATE TRIGGER row_count_{table}_insert AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION row_count_inserted()",
        f"CREATE TRIGGER row_count_{table}_delete AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION row_count_deleted()",
    ]


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    serial = "INTEGER PRIMARY KEY" if sqlite else "BIGSERIAL PRIMARY KEY"
    db.execute_sql(f"CREATE TABLE row_count (id {serial}, name VARCHAR(20) NOT NULL "
                   f"CHECK (name IN ({', '.join(repr(t) for t in COUNTED)})), "
                   "n BIGINT NOT NULL)")
    db.execute_sql("CREATE INDEX row_count_name ON row_count (name)")
    for statement in BACKFILL:
        db.execute_sql(statement)
    if not sqlite:
        for statement in POSTGRES_FUNCTIONS:
            db.execute_sql(statement)
    for table in COUNTED:
        for statement in _sqlite_triggers(table) if sqlite else _postgres_triggers(table):
            db.execute_sql(statement)


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("DROP FUNCTION IF EXISTS row_count_inserted() CASCADE")
        db.execute_sql("DROP FUNCTION IF EXISTS row_count_deleted() CASCADE")
    db.execute_sql("DROP TABLE row_count")  # SQLite's triggers are on the counted tables
    if isinstance(db, SqliteDatabase):
        for table in COUNTED:
            for event in ("insert", "delete"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS row_count_{table}_{event}")
