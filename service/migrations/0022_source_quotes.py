"""A source's quotes in id order (issue 19): the source page reads a page of them, and up to
1,000 to highlight in its text, by (source_id, id), as a speaker's are read by
(speaker_id, id) since migration 0013. With the index on source_id alone, PostgreSQL read
every quote of the source and sorted them, or walked the quotes in id order testing each.
It replaces `quote_source_id`, its prefix."""

from peewee import SqliteDatabase


def up(migrator, db):
    db.execute_sql("CREATE INDEX quote_source_id_id ON quote (source_id, id)")
    db.execute_sql("DROP INDEX quote_source_id")
    if isinstance(db, SqliteDatabase):  # its planner reads an index's own statistics
        db.execute_sql("PRAGMA analysis_limit = 1000")  # sampled, as refresh_statistics does
        db.execute_sql("ANALYZE quote")


def down(migrator, db):
    db.execute_sql("CREATE INDEX quote_source_id ON quote (source_id)")
    db.execute_sql("DROP INDEX quote_source_id_id")
