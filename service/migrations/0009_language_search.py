"""Language-aware full-text search: every text indexed by its words as written (the
language-neutral field) and by their stems in its language, elisions removed (see
service/analysis.py for the rules both backends follow). And indexes on reviews for the
rating/publisher/date filters and facets of /claims.

SQLite: FTS5 tables over views that add the stems (computed by `claimbase_stems`, which
service.analysis registers on each connection), synced by triggers.
PostgreSQL: a `claimbase` configuration (unaccent, simple) for the words, weighted A, and one
`claimbase_<language>` configuration (unaccent, Snowball without stop words, so that both
backends stem the same words) per language, weighted B, in the generated `search` column.
"""

import importlib

from peewee import ForeignKeyField
from peewee import SqliteDatabase

from service import publishers
from service.analysis import ELISION_PATTERN
from service.analysis import STEMMERS
from service.models import Publisher
from service.models import PublisherAlias
from service.models import Review

INDEXED = {"quote": ("text",), "claim": ("text",), "source": ("title", "text")}
TOKEN_TYPES = "asciiword, word, numword, int, uint"
EVENTS = ("insert", "delete", "update")


def _document(columns, prefix=""):
    return " || ' ' || ".join(f"coalesce({prefix}{c}, '')" for c in columns)


def _sqlite_drop(db, table):
    for event in EVENTS:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_fts_{event}")
    db.execute_sql(f"DROP TABLE IF EXISTS {table}_fts")
    db.execute_sql(f"DROP VIEW IF EXISTS {table}_search")


def _values(columns, row):
    """A row's indexed columns and their stems, in a trigger ('old' or 'new' row)."""
    stems = f"claimbase_stems({_document(columns, row + '.')}, {row}.lang)"
    return ", ".join((*(f"{row}.{c}" for c in columns), stems))


def _sqlite(db):
    for table, columns in INDEXED.items():
        _sqlite_drop(db, table)
        cols = ", ".join((*columns, "stems"))
        fts = f"{table}_fts"
        db.execute_sql(f"CREATE VIEW {table}_search AS SELECT id, {', '.join(columns)}, "
                       f"claimbase_stems({_document(columns)}, lang) AS stems "
                       f"FROM {table}")
        db.execute_sql(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}_search', "
            f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )

        delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, " \
                 f"{_values(columns, 'old')});"
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {_values(columns, 'new')});"
        watched = ", ".join((*columns, "lang"))
        db.execute_sql(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        db.execute_sql(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END")
        db.execute_sql(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {watched} ON {table} "
                       f"BEGIN {delete} {insert} END")
        db.execute_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _words(expression):
    """Punctuation to spaces: PostgreSQL's parser then sees the words FTS5 sees (it would
    otherwise read 'covid-19' or 'politifact.com' as one token)."""
    return f"regexp_replace({expression}, '[^[:alnum:]]+', ' ', 'g')"


def _postgres_configurations(db):
    db.execute_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    db.execute_sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS claimbase CASCADE")
    db.execute_sql("CREATE TEXT SEARCH CONFIGURATION claimbase (PARSER = default)")
    db.execute_sql(f"ALTER TEXT SEARCH CONFIGURATION claimbase ADD MAPPING FOR {TOKEN_TYPES} "
                   "WITH unaccent, simple")
    for algorithm in sorted(set(STEMMERS.values())):
        name = f"claimbase_{algorithm}"
        db.execute_sql(f"CREATE TEXT SEARCH DICTIONARY {name} "
                       f"(TEMPLATE = snowball, Language = {algorithm})")
        db.execute_sql(f"CREATE TEXT SEARCH CONFIGURATION {name} (PARSER = default)")
        db.execute_sql(f"ALTER TEXT SEARCH CONFIGURATION {name} ADD MAPPING FOR {TOKEN_TYPES} "
                       f"WITH unaccent, {name}")


def _postgres_vector(columns):
    document = _document(columns)
    words = f"setweight(to_tsvector('claimbase', {_words(f'({document})')}), 'A')"
    pattern = ELISION_PATTERN.replace("'", "''")
    elided = f"regexp_replace(({document}), '{pattern}', '\\1\\3', 'gi')"
    cases = " ".join(
        f"WHEN '{code}' THEN to_tsvector('claimbase_{algorithm}', {_words(elided)})"
        for code, algorithm in sorted(STEMMERS.items()))
    stems = (f"setweight(CASE split_part(lower(coalesce(lang, '')), '-', 1) {cases} "
             "ELSE ''::tsvector END, 'B')")
    return f"{words} || {stems}"


def _postgres(db):
    for table in INDEXED:
        db.execute_sql(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search")
    _postgres_configurations(db)
    for table, columns in INDEXED.items():
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN search tsvector GENERATED ALWAYS AS "
                       f"({_postgres_vector(columns)}) STORED")
        db.execute_sql(f"CREATE INDEX {table}_search ON {table} USING GIN (search)")


REVIEW_INDEXES = {"review_rating_claim": "rating, claim_id",
                  "review_publisher_claim": "publisher, claim_id",
                  "review_canonical_claim": "publisher_id, claim_id",
                  "review_published_on": "published_on"}  # filters and facets of /claims


def _publishers(migrator, db):
    """Publishers as a resource: the known ones, and every existing review mapped to one."""
    db.create_tables([Publisher, PublisherAlias])
    migrator.migrate(migrator.add_column(
        "review", "publisher_id",
        ForeignKeyField(Publisher, null=True, field=Publisher.id, on_delete="SET NULL")))
    with db.bind_ctx([Publisher, PublisherAlias, Review]):
        publishers.add_known()
        publishers.map_existing_reviews()


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite(db)
    else:
        _postgres(db)
    _publishers(migrator, db)
    for name, columns in REVIEW_INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON review ({columns})")


def down(migrator, db):
    """Back to migration 0003's indexes (words only, no stems)."""
    for name in REVIEW_INDEXES:
        db.execute_sql(f"DROP INDEX {name}")
    migrator.migrate(migrator.drop_column("review", "publisher_id"))
    db.drop_tables([PublisherAlias, Publisher])
    if isinstance(db, SqliteDatabase):
        for table in INDEXED:
            _sqlite_drop(db, table)
    else:
        for table in INDEXED:
            db.execute_sql(f"ALTER TABLE {table} DROP COLUMN search")
        db.execute_sql("DROP TEXT SEARCH CONFIGURATION claimbase")
        for algorithm in sorted(set(STEMMERS.values())):
            db.execute_sql(f"DROP TEXT SEARCH CONFIGURATION claimbase_{algorithm}")
            db.execute_sql(f"DROP TEXT SEARCH DICTIONARY claimbase_{algorithm}")
    search_0003 = importlib.import_module("service.migrations.0003_search")
    search_0003.up(migrator, db)
