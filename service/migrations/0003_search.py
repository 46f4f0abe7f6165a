"""Full-text search over quotes, claims and sources, kept in step by the database itself.

SQLite: FTS5 tables over the rows' text (unicode61, diacritics removed), synced by triggers.
PostgreSQL: a generated tsvector column per table in a `claimbase` text-search configuration
(the `simple` dictionary after `unaccent`), with a GIN index.
"""

from peewee import SqliteDatabase

# table: the columns it searches
INDEXED = {"quote": ("text",), "claim": ("text",), "source": ("title", "text")}


def _sqlite(db):
    for table, columns in INDEXED.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        fts = f"{table}_fts"
        db.execute_sql(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
            f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        db.execute_sql(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
                       f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        db.execute_sql(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
                       f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
                       " END")
        db.execute_sql(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} BEGIN "
                       f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
                       f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        db.execute_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _postgres(db):
    db.execute_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    db.execute_sql("CREATE TEXT SEARCH CONFIGURATION claimbase (COPY = simple)")
    db.execute_sql("ALTER TEXT SEARCH CONFIGURATION claimbase ALTER MAPPING FOR "
                   "hword, hword_part, word WITH unaccent, simple")
    for table, columns in INDEXED.items():
        document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN search tsvector GENERATED ALWAYS AS "
                       f"(to_tsvector('claimbase', {document})) STORED")
        db.execute_sql(f"CREATE INDEX {table}_search ON {table} USING GIN (search)")


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite(db)
    else:
        _postgres(db)


def down(migrator, db):
    for table in INDEXED:
        if isinstance(db, SqliteDatabase):
            for event in ("insert", "delete", "update"):
                db.execute_sql(f"DROP TRIGGER {table}_fts_{event}")
            db.execute_sql(f"DROP TABLE {table}_fts")
        else:
            db.execute_sql(f"ALTER TABLE {table} DROP COLUMN search")
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TEXT SEARCH CONFIGURATION claimbase")
