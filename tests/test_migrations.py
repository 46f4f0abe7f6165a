"""Numbered migrations build the schema, are recorded, and match the models."""

import pytest
from peewee import IntegrityError
from playhouse.schema_diff import diff_models

from service import create_app
from service.db import applied_migrations
from service.db import bind
from service.db import migrate
from service.models import MODELS
from service.models import Speaker


def test_migrations_are_recorded_and_run_once(new_database_url):
    db = bind(create_app({"DATABASE_URL": new_database_url}).extensions["claimbase.db"])
    with db.connection_context():
        assert applied_migrations(db) == {}
        assert migrate(db) == ["0001_initial"]
        assert list(applied_migrations(db)) == ["0001_initial"]
        assert migrate(db) == []


def test_migrated_schema_matches_the_models(new_database_url):
    db = bind(create_app({"DATABASE_URL": new_database_url}).extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        diff = diff_models(db, MODELS)
    assert not diff, diff


def test_constraints_live_in_the_database(db):
    with pytest.raises(IntegrityError), db.atomic():
        Speaker.create(slug="x-robot", name="X", key="x", kind="robot")
    with pytest.raises(IntegrityError), db.atomic():
        Speaker.create(slug="vladimir-putin", name="Dup", key="dup", kind="person")
