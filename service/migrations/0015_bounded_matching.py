"""Claim matching at a bounded cost, with search's analyzer (service/matching.py,
docs/matching.md "Cost"): each posting carries its claim's length, and the index
`claim_term_impact` keeps a term's postings in the order they weigh in BM25 (the highest term
frequency, then the shortest claim), so that a query reads only a term's best postings.

The index is rebuilt: postings and normalised keys now come from service/analysis.py's words,
folding and stems (the analyzer search uses), which index some words differently. The impact
index is built after the postings, which is faster than keeping it up to date row by row."""

from peewee import SqliteDatabase

TABLE = ("CREATE TABLE claim_term (term VARCHAR(100) NOT NULL, claim_id INTEGER NOT NULL "
         "REFERENCES claim (id) ON DELETE CASCADE, tf INTEGER NOT NULL, "
         "length INTEGER NOT NULL, PRIMARY KEY (term, claim_id)){without_rowid}")
BY_CLAIM = "CREATE INDEX claim_term_claim_id ON claim_term (claim_id)"  # re-indexing reads it
IMPACT = "CREATE INDEX claim_term_impact ON claim_term (term, tf DESC, length, claim_id)"


def up(migrator, db):
    without_rowid = " WITHOUT ROWID" if isinstance(db, SqliteDatabase) else ""
    db.execute_sql("DROP TABLE claim_term")
    db.execute_sql(TABLE.format(without_rowid=without_rowid))
    db.execute_sql(BY_CLAIM)
    db.execute_sql("DELETE FROM claim_match")
    from service.db import bind
    from service.db import database
    from service.matching import rebuild_index

    previous = database.obj
    bind(db)
    try:
        rebuild_index()
    finally:
        if previous is not None:
            bind(previous)
    db.execute_sql(IMPACT)
    # The planner must know how many postings a term holds: with the statistics of an empty
    # table, PostgreSQL sorted every posting of a term rather than read the index in order.
    if isinstance(db, SqliteDatabase):
        db.execute_sql("PRAGMA analysis_limit = 1000")  # sampled, as refresh_statistics does
    db.execute_sql("ANALYZE claim_term")
    db.execute_sql("ANALYZE claim_match")


def down(migrator, db):
    """Back to migration 0012's postings (without lengths), left empty: the code of that
    version rebuilds them (`rebuild_index`)."""
    without_rowid = " WITHOUT ROWID" if isinstance(db, SqliteDatabase) else ""
    db.execute_sql("DROP TABLE claim_term")
    db.execute_sql("CREATE TABLE claim_term (term VARCHAR(100) NOT NULL, claim_id INTEGER "
                   "NOT NULL REFERENCES claim (id) ON DELETE CASCADE, tf INTEGER NOT NULL, "
                   f"PRIMARY KEY (term, claim_id)){without_rowid}")
    db.execute_sql(BY_CLAIM)
    db.execute_sql("DELETE FROM claim_match")
