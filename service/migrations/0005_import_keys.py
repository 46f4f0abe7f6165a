"""Indexes for the natural keys imports look rows up by: a claim by its text, a quote by its
text (and speaker). Texts can be long (PostgreSQL's B-tree refuses entries over ~2.7 kB), so
the indexes hold the first 100 characters; lookups compare the full text afterwards."""

INDEXES = [
    "CREATE INDEX claim_text_start ON claim (substr(text, 1, 100))",
    "CREATE INDEX quote_text_start ON quote (substr(text, 1, 100), speaker_id)",
]


def up(migrator, db):
    for statement in INDEXES:
        db.execute_sql(statement)


def down(migrator, db):
    for name in ("claim_text_start", "quote_text_start"):
        db.execute_sql(f"DROP INDEX {name}")
