"""Seeds go through the import pipeline: every seeded row has its history (actor `seed`), and
seeding again adds nothing and never undoes what an editor changed since."""

import json

from service.importer import import_text
from service.loader import load_dataset
from service.models import Change
from service.models import Claim
from service.models import Speaker
from tests.conftest import WORLD

WORLD_DATA = json.loads(WORLD.read_text(encoding="utf-8"))


def reseed(write_app):
    with write_app.extensions["claimbase.db"].connection_context():
        return load_dataset(WORLD)


def first_claim(editor):
    text = WORLD_DATA["claims"][0]["text"]
    return Claim.get(Claim.text == text)


def test_every_seeded_row_has_its_history(write_app, editor):
    with write_app.extensions["claimbase.db"].connection_context():
        seeded = {(c.resource, c.resource_id) for c in Change.select().where(
            (Change.token_name == "seed") & (Change.action == "create"))}
        claims = [c.id for c in Claim.select(Claim.id)]
        speakers = [s.id for s in Speaker.select(Speaker.id)]
    assert claims and all(("claim", i) in seeded for i in claims)
    assert speakers and all(("speaker", i) in seeded for i in speakers)
    history = editor.get("/speakers/testland/history").get_json()["data"]
    aliases = [c for c in history if c["resource"] == "alias"]
    assert aliases and all(c["token"] == "seed" for c in aliases)
    speaker_id = history[0]["resource_id"]
    assert all(c["parent"] == {"resource": "speaker", "id": speaker_id} for c in aliases)


def test_reseeding_after_an_edit_adds_nothing_and_keeps_the_edit(write_app, editor):
    with write_app.extensions["claimbase.db"].connection_context():
        claim = first_claim(editor)
        claims_before = Claim.select().count()
    path = f"/claims/{claim.id}"
    edited = editor.patch(path, {"text": "Edited by the desk after seeding."},
                          editor.etag(path))
    assert edited.status_code == 200, edited.get_json()
    slug = WORLD_DATA["speakers"][0]["slug"]
    spath = f"/speakers/{slug}"
    assert editor.patch(spath, {"description": "Edited by the desk."},
                        editor.etag(spath)).status_code == 200

    report = reseed(write_app)
    assert sum(report.created.values()) == 0
    assert report.kept["claims"] == 1 and report.kept["speakers"] == 1
    assert "kept: edited since seeded" in report.summary()
    with write_app.extensions["claimbase.db"].connection_context():
        assert Claim.select().count() == claims_before
        assert Claim.get_by_id(claim.id).text == "Edited by the desk after seeding."
        assert Speaker.get(Speaker.slug == slug).description == "Edited by the desk."
        assert not Change.select().where((Change.token_name == "seed")
                                         & (Change.action == "update")
                                         & (Change.resource_id == claim.id)
                                         & (Change.resource == "claim")
                                         & (Change.fields.contains("Edited"))).exists()
    assert reseed(write_app).created == {}


def test_a_claim_deleted_by_an_editor_is_not_seeded_again(write_app, editor):
    text = WORLD_DATA["claims"][1]["text"]
    with write_app.extensions["claimbase.db"].connection_context():
        claim = Claim.get(Claim.text == text)
    path = f"/claims/{claim.id}"
    assert editor.delete(path, editor.etag(path)).status_code == 204
    report = reseed(write_app)
    assert report.created["claims"] == 0 and report.kept["claims"] >= 1
    with write_app.extensions["claimbase.db"].connection_context():
        assert not Claim.select().where(Claim.text == text).exists()


def test_an_alias_imported_appears_in_its_speaker_history(write_app, editor):
    """The same alias, added through an import and through the API, shows alike in
    GET /speakers/{slug}/history: with its parent."""
    line = json.dumps({"slug": "testland", "name": "Testland", "kind": "government",
                       "aliases": [{"name": "Testlandia Imported", "lang": "it"}]})
    with write_app.extensions["claimbase.db"].connection_context():
        import_text(line, "ndjson", "cli", resource="speakers")
    assert editor.post("/speakers/testland/aliases",
                       {"name": "Testlandia Posted", "lang": "it"}).status_code == 201
    history = editor.get("/speakers/testland/history?limit=100").get_json()["data"]
    made = {c["fields"]["name"][1]: c for c in history if c["resource"] == "alias"
            and c["action"] == "create"}
    imported, posted = made["Testlandia Imported"], made["Testlandia Posted"]
    assert imported["parent"] == posted["parent"] == {"resource": "speaker",
                                                      "id": history[0]["resource_id"]}
    assert set(imported["fields"]) == set(posted["fields"])
