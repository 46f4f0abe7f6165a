"""The claim-matching index (service/matching.py, docs/matching.md): a posting list per term
(`claim_term`) and one row per claim (`claim_match`). Migration 0015 gives the postings
their final shape and indexes every existing claim (this one did, with the code of the day:
a migration that calls today's indexer must create the tables that indexer writes).

On SQLite the postings are a WITHOUT ROWID table, stored in (term, claim) order: a term's
postings are one contiguous range, read without a second lookup."""

from peewee import SqliteDatabase

TABLES = [
    "CREATE TABLE claim_match (claim_id INTEGER NOT NULL PRIMARY KEY "
    "REFERENCES claim (id) ON DELETE CASCADE, length INTEGER NOT NULL, "
    "key VARCHAR(64) NOT NULL)",
    "CREATE INDEX claim_match_key ON claim_match (key)",
    "CREATE TABLE claim_term (term VARCHAR(100) NOT NULL, claim_id INTEGER NOT NULL "
    "REFERENCES claim (id) ON DELETE CASCADE, tf INTEGER NOT NULL, "
    "PRIMARY KEY (term, claim_id)){without_rowid}",
    "CREATE INDEX claim_term_claim_id ON claim_term (claim_id)",
]


def up(migrator, db):
    without_rowid = " WITHOUT ROWID" if isinstance(db, SqliteDatabase) else ""
    for statement in TABLES:
        db.execute_sql(statement.format(without_rowid=without_rowid))


def down(migrator, db):
    db.execute_sql("DROP TABLE claim_term")
    db.execute_sql("DROP TABLE claim_match")
