"""An import derives its batches' search index rows and document bumps in bulk, once per
batch (service/derived.py), with the per-row INSERT triggers switched off. What it derives
must be exactly what those triggers write: the same file is imported into two copies of the
fixture world, one through the bulk path and one with the switch left off (every trigger
firing per row), and their derived tables are compared."""

import importlib
import json

import pytest

from service import create_app
from service import derived
from service import documents
from service.db import bind
from service.db import is_sqlite
from service.db import migrate
from service.importer import import_text
from service.loader import load_dataset
from service.models import Claim
from service.models import Quote
from service.models import Speaker
from tests.conftest import WORLD
from tests.conftest import empty_database_url

SPEAKERS = [{"slug": "elise-fauxnom", "name": "Élise Fauxnom", "kind": "person",
             "aliases": [{"name": "La ministre du port", "lang": "fr"}]}]
QUOTES = [
    {"text": "L'OTAN n'a jamais vu d’artillerie dans le port de Testland", "lang": "fr",
     "kind": "direct", "speaker": {"slug": "elise-fauxnom"},
     "via": {"slug": "john-placeholder"}, "source": {"slug": "radio-placeholder-2024-02-10"}},
    {"text": "The harbour cranes were loaded onto barges overnight", "lang": "en",
     "kind": "direct", "speaker": {"slug": "john-placeholder"},
     "source": {"slug": "radio-placeholder-2024-02-10"}},
    {"text": "Ни одного крана не осталось в порту", "lang": "ru", "kind": "direct",
     "speaker": {"slug": "pyotr-obraztsov"}, "source": {"slug": "radio-placeholder-2024-02-10"}},
]
CLAIMS = [
    {"text": "The Testland harbour will reopen in 2024.", "lang": "en",  # a world claim
     "topics": [{"slug": "trade"}],
     "stances": {"denies": [{"speaker": {"slug": "bob-hostile"}}]},
     "reviews": [{"publisher": "Fixture Checks", "url": "https://checks.example.org/harbour",
                  "rating_label": "False", "title": "Harbour reopening: false"}],
     "appearances": [{"url": "https://social.example.org/post/1", "first": True}]},
    {"text": "Les grues démontées ont été revendues à Examplia l'année dernière.",
     "lang": "fr", "topics": [{"slug": "trade"}],
     "stances": {"asserts": [{"speaker": {"slug": "elise-fauxnom"},
                              "quote": {"text": QUOTES[0]["text"]}}]}},
]


def _ndjson(records):
    return "\n".join(json.dumps(record, ensure_ascii=False) for record in records)


def _world(url):
    """The fixture world with every document stored, as after readers read it all."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    database = bind(app.extensions["claimbase.db"])
    with database.connection_context():
        migrate(database)
        load_dataset(WORLD)
        for kind, model in (("claim", Claim), ("quote", Quote), ("speaker", Speaker)):
            documents.fill(kind, [i for (i,) in model.select(model.id).tuples()])
    return app, database


def _import_and_snapshot(database):
    bind(database)  # the models' handle: each world in turn
    with database.connection_context():
        for resource, records in (("speakers", SPEAKERS), ("quotes", QUOTES),
                                  ("claims", CLAIMS)):
            report = import_text(_ndjson(records), "ndjson", "test", resource=resource)
            assert report.rejected == 0, report.problems
        return _snapshot(database)


def _snapshot(database):
    """The derived rows: every document (version, body), and on SQLite the full-text index
    of quotes and claims, term by term (checked against its content first)."""
    out = {"documents": database.execute_sql(
        "SELECT kind, id, version, body FROM document ORDER BY kind, id").fetchall()}
    if is_sqlite(database):
        for table in derived.FTS_BULK:
            database.execute_sql(f"INSERT INTO {table}_fts({table}_fts, rank) "
                                 "VALUES ('integrity-check', 1)")
            database.execute_sql(f"CREATE VIRTUAL TABLE temp.{table}_terms USING "
                                 f"fts5vocab(main, '{table}_fts', 'instance')")
            out[table] = database.execute_sql(
                f"SELECT * FROM temp.{table}_terms ORDER BY 1, 2, 3, 4").fetchall()
    return out


@pytest.fixture
def two_worlds(backend, tmp_path, request):
    """Two copies of the fixture world: (bulk, per row)."""
    bulk_dir, row_dir = tmp_path / "bulk", tmp_path / "rows"
    bulk_dir.mkdir()
    row_dir.mkdir()
    worlds = [_world(empty_database_url(backend, d, request)) for d in (bulk_dir, row_dir)]
    yield worlds
    for _, database in worlds:
        database.close()


def test_an_import_derives_what_the_per_row_triggers_would(two_worlds, monkeypatch):
    (bulk_app, bulk_db), (_, row_db) = two_worlds
    bulk = _import_and_snapshot(bulk_db)
    with monkeypatch.context() as patched:  # the switch left off: every trigger fires
        patched.setattr(derived, "_switch", lambda database, on: None)
        patched.setattr(derived.Derived, "flush", lambda self: None)
        per_row = _import_and_snapshot(row_db)

    assert bulk == per_row
    cleared = {(kind, i) for kind, i, version, body in bulk["documents"] if body is None}
    bind(bulk_db)
    with bulk_db.connection_context():
        claim = Claim.get(Claim.text == CLAIMS[0]["text"]).id
        speakers = dict(Speaker.select(Speaker.slug, Speaker.id).tuples())
    # the import's parts reached the stored documents they belong to
    assert {("claim", claim), ("speaker", speakers["elise-fauxnom"]),
            ("speaker", speakers["john-placeholder"]),
            ("speaker", speakers["bob-hostile"])} <= cleared
    if is_sqlite(bulk_db):
        assert any(term == "artiller" for term, *_ in bulk["quote"])  # stems, elision gone

    found = bulk_app.test_client().get("/quotes?q=artillerie").get_json()["data"]
    assert [q["text"] for q in found] == [QUOTES[0]["text"]]


def test_a_trigger_without_the_switch_keeps_the_import_per_row(two_worlds):
    """A migration that re-creates a switched trigger without its WHEN clause must not make
    the bulk path derive a row its trigger wrote too (a text indexed twice)."""
    (_, bulk_db), (_, row_db) = two_worlds
    bind(bulk_db)
    with bulk_db.connection_context():
        assert derived.switched(bulk_db)
        importlib.import_module("service.migrations.0017_bulk_switch").down(None, bulk_db)
        assert not derived.switched(bulk_db)
    assert _import_and_snapshot(bulk_db) == _import_and_snapshot(row_db)


def test_the_switch_is_off_again_after_a_batch(two_worlds):
    (_, database), _ = two_worlds
    bind(database)
    with database.connection_context(), database.atomic() as transaction:
        with derived.bulk(database):
            assert _switched_on(database)
        assert not _switched_on(database)
        transaction.rollback()


def _switched_on(database):
    if is_sqlite(database):
        return database.execute_sql("SELECT claimbase_bulk()").fetchone()[0] == 1
    return database.execute_sql("SELECT current_setting('claimbase.bulk', true)"
                                ).fetchone()[0] == "on"
