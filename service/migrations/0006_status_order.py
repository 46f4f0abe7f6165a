"""`status=` pages walk claims in id order within a status: an index on (status, id) gives
that order on PostgreSQL too (SQLite's index on status already ends with the rowid)."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX claim_status_id ON claim (status, id)")


def down(migrator, db):
    db.execute_sql("DROP INDEX claim_status_id")
