"""Numbered migrations build the schema, are recorded, and match the models."""

import pytest
from peewee import IntegrityError
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from service import create_app
from service.config import MIGRATIONS_DIR
from service.db import applied_migrations
from service.db import bind
from service.db import is_sqlite
from service.db import migrate
from service.models import MODELS
from service.models import Claim
from service.models import Speaker
from service.models import Stance


def unpooled_app(url):
    return create_app({"DATABASE_POOL": False, "DATABASE_URL": url})


MIGRATIONS = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


def test_migrations_are_recorded_and_run_once(new_database_url):
    db = bind(unpooled_app(new_database_url).extensions["claimbase.db"])
    with db.connection_context():
        assert applied_migrations(db) == {}
        assert migrate(db) == MIGRATIONS
        assert sorted(applied_migrations(db)) == MIGRATIONS
        assert migrate(db) == []


def test_later_migrations_keep_existing_data(new_database_url):
    """A database made and filled by 0001 alone keeps every row through the later ones."""
    db = bind(unpooled_app(new_database_url).extensions["claimbase.db"])
    with db.connection_context():
        Runner(db, str(MIGRATIONS_DIR)).up("0001_initial")
        db.execute_sql("INSERT INTO speaker (slug, name, key, kind) "
                       "VALUES ('early-bird', 'Early Bird', 'early bird', 'person')")
        assert migrate(db) == MIGRATIONS[1:]
        speaker = Speaker.get(Speaker.slug == "early-bird")
    assert (speaker.name, speaker.version) == ("Early Bird", 1)


def test_migrated_schema_matches_the_models(new_database_url):
    db = bind(unpooled_app(new_database_url).extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        diff = diff_models(db, MODELS)
    # PostgreSQL's generated search columns (migration 0003) are the database's, not fields.
    search = {"claim", "quote", "source"}
    assert sorted(diff.drop_columns) in ([], [(t, "search") for t in sorted(search)]), diff
    # Migration 0005's indexes are on expressions (the start of long texts), which models
    # cannot declare; schema_diff sees them as indexes without columns.
    dropped = {(i.table, i.columns) for i in diff.drop_indexes
               if not (i.columns is None or "substr(text, 1, 100)" in i.columns)}
    assert dropped <= {(t, ("search",)) for t in search}
    # Migration 0008's trigram index on PostgreSQL is a GiST index with an operator class.
    trigram = [i for i in diff.drop_indexes if i.name == "speaker_name_key_trigram"]
    assert len(diff.drop_indexes) - len(dropped) - len(trigram) == 2
    assert not (diff.create_tables or diff.add_columns or diff.add_indexes), diff


def test_constraints_live_in_the_database(db):
    with pytest.raises(IntegrityError), db.atomic():
        Speaker.create(slug="x-robot", name="X", key="x", kind="robot")
    with pytest.raises(IntegrityError), db.atomic():
        Speaker.create(slug="vladimir-putin", name="Dup", key="dup", kind="person")


def test_ids_are_never_reused_after_migrating_an_existing_database(new_database_url):
    """Migration 0007 rebuilds SQLite's tables with AUTOINCREMENT: rows, indexes, foreign keys,
    status triggers and full-text search all survive it, and the largest id is never handed
    out again (PostgreSQL's sequences already never reuse one)."""
    db = bind(unpooled_app(new_database_url).extensions["claimbase.db"])
    with db.connection_context():
        Runner(db, str(MIGRATIONS_DIR)).up("0006_status_order")
        db.execute_sql("INSERT INTO speaker (slug, name, key, kind) "
                       "VALUES ('early-bird', 'Early Bird', 'early bird', 'person')")
        for text in ("Harbours were sold.", "Bridges were sold."):
            db.execute_sql("INSERT INTO claim (text, status) VALUES (%s, 'unattributed')"
                           .replace("%s", "?" if is_sqlite(db) else "%s"), (text,))
        migrate(db)
        bridges = Claim.get(Claim.text == "Bridges were sold.")
        bridges.delete_instance()
        newer = Claim.create(text="Ferries were sold.")
        assert newer.id > bridges.id
        speaker = Speaker.get(Speaker.slug == "early-bird")
        Stance.create(claim=newer, speaker=speaker, position="asserts")
        assert Claim.get_by_id(newer.id).status == "asserted"  # the status trigger still fires
        assert [c.id for c in search_claims_ids(db, "ferries")] == [newer.id]
        with pytest.raises(IntegrityError), db.atomic():  # the foreign key still holds
            Stance.create(claim=bridges.id, speaker=speaker, position="denies")


def search_claims_ids(db, word):
    if is_sqlite(db):
        sql = "SELECT rowid AS id FROM claim_fts WHERE claim_fts MATCH ?"
    else:
        sql = "SELECT id FROM claim WHERE search @@ to_tsquery('claimbase', %s)"
    return [Claim(id=row[0]) for row in db.execute_sql(sql, (word,)).fetchall()]
