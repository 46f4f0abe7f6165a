"""Stored documents kept whole on PostgreSQL: a body of up to 8 KB stays in its row,
uncompressed (SQLite stores it so already; a no-op there).

PostgreSQL compresses (pglz) any value that makes a row longer than about 2 KB: half the claim
documents at 1M quotes. Every read of the hot pages then decompressed them, about 12 µs each,
a third of a page's server time (a 50-claim page reads 50 bodies). toast_tuple_target = 8160
(the largest allowed) leaves rows under 8 KB as they are; larger bodies are still compressed.
It applies to bodies written from now on: bodies stored earlier stay compressed until they are
rendered again (`UPDATE document SET body = NULL` has every one rendered again on its next
read; docs/read-model.md). A catalog change only: instant at any size."""

from peewee import SqliteDatabase


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("ALTER TABLE document SET (toast_tuple_target = 8160)")


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("ALTER TABLE document RESET (toast_tuple_target)")
