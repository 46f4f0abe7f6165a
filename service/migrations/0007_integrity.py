"""Integrity: ids are never reused; POSTs with an Idempotency-Key are applied once.

SQLite gives a new row the largest id + 1, so deleting the last claim and creating another
gave the new claim the deleted one's id (and its URL, and its history). AUTOINCREMENT makes
SQLite remember the largest id ever used (in sqlite_sequence); a column cannot gain it in
place, so each table is rebuilt as SQLite's documentation prescribes (create, copy, drop,
rename) with its indexes and every trigger (claim status, full-text sync) put back as they
were. Copying the rows with their ids seeds sqlite_sequence with the current largest id.
PostgreSQL's serial columns take ids from sequences, which never hand out a number twice.
"""

from peewee import BlobField
from peewee import CharField
from peewee import DateTimeField
from peewee import IntegerField
from peewee import Model
from peewee import SqliteDatabase
from peewee import TextField

# Runs outside a transaction: SQLite ignores `PRAGMA foreign_keys` inside one, and with
# foreign keys on, dropping a parent table would delete (CASCADE) or refuse (RESTRICT) for
# its children. The rebuild itself is one transaction (below).
atomic = False

TABLES = ("speaker", "alias", "source", "quote", "topic", "claim", "stance", "review",
          "appearance", "api_token", "change")
PRIMARY_KEY = '"id" INTEGER NOT NULL PRIMARY KEY'


def _schema(db, kind, tables=None):
    """(name, sql) of the schema objects of a kind (on `tables` when given)."""
    rows = db.execute_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL "
        "ORDER BY name", (kind,)).fetchall()
    return [(name, sql) for name, table, sql in rows if tables is None or table in tables]


def _rebuild(db, table):
    (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (table,)).fetchone()
    if "AUTOINCREMENT" in sql.upper():
        return
    if PRIMARY_KEY not in sql:
        raise RuntimeError(f"table {table}: unexpected primary key in {sql!r}")
    head = f'CREATE TABLE "{table}" ('
    if not sql.startswith(head):
        raise RuntimeError(f"table {table}: unexpected definition {sql!r}")
    new = f"{table}__0007"
    db.execute_sql(f'CREATE TABLE "{new}" (' + sql[len(head):].replace(
        PRIMARY_KEY, PRIMARY_KEY + " AUTOINCREMENT", 1))
    db.execute_sql(f'INSERT INTO "{new}" SELECT * FROM "{table}"')
    db.execute_sql(f'DROP TABLE "{table}"')
    db.execute_sql(f'ALTER TABLE "{new}" RENAME TO "{table}"')


def _sqlite(db):
    indexes = _schema(db, "index", TABLES)
    triggers = _schema(db, "trigger")
    db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            for name, _ in triggers:  # put back below, once every table is in place
                db.execute_sql(f'DROP TRIGGER "{name}"')
            for table in TABLES:
                _rebuild(db, table)
            for _, sql in indexes + triggers:
                db.execute_sql(sql)
            broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")


def _idempotent_responses(db):
    class IdempotentResponse(Model):
        token_name = CharField(max_length=100)
        key = CharField(max_length=255)
        fingerprint = CharField(max_length=64)
        status = IntegerField()
        headers = TextField()
        body = BlobField()
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "idempotent_response"
            indexes = ((("token_name", "key"), True),)

    return IdempotentResponse


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite(db)
    with db.atomic():
        db.create_tables([_idempotent_responses(db)])


def down(migrator, db):
    """AUTOINCREMENT is kept: taking it away would let ids be reused again."""
    db.drop_tables([_idempotent_responses(db)])
