"""The read model (service/documents.py): stored documents are the schemas' dumps, kept fresh
by the database whatever writes, and the hot reads serve them byte for byte."""

import json

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from peewee import fn

from service import documents
from service import queries
from service.models import Claim
from service.models import Document
from service.models import Quote
from service.models import Source
from service.models import Speaker
from service.models import Stance
from service.models import Topic

MODELS = {"claim": Claim, "quote": Quote, "speaker": Speaker}
TEXT = st.text(alphabet="abcé Жж’«»", min_size=1, max_size=12).map(str.strip).filter(bool)
SLUG_PART = st.text(alphabet="abcdefxyz", min_size=3, max_size=8)


# --- the property: every stored document is a fresh dump, every change a new ETag ------------

class World:
    """The write_app's world seen through HTTP: picks targets for writes by index."""

    def __init__(self, editor, admin_token):
        self.editor = editor
        self.admin = admin_token

    def ids(self, model):
        return [row.id for row in model.select(model.id).order_by(model.id)]

    def pick(self, model, index):
        ids = self.ids(model)
        return ids[index % len(ids)] if ids else None

    def slug(self, model, index):
        found = self.pick(model, index)
        return model.get_by_id(found).slug if found else None

    def etag(self, path):
        response = self.editor.get(path)
        return response.headers.get("ETag") if response.status_code == 200 else None


def _write(world, op, i, j, text, word):  # noqa: C901 (one branch per kind of write)
    """Apply one write through the API (or an import); returns the response."""
    editor, admin = world.editor, world.admin
    claim = world.pick(Claim, i)
    speaker, other = world.slug(Speaker, i), world.slug(Speaker, j)
    quote = world.pick(Quote, j)
    if op == "create_claim":
        return editor.post("/claims?allow_duplicate=true", {"text": f"{text} {word}"})
    if op == "patch_claim":
        path = f"/claims/{claim}"
        return editor.patch(path, {"text": f"{word} {text}"}, world.etag(path))
    if op == "delete_claim":
        path = f"/claims/{claim}"
        return editor.delete(path, world.etag(path), token=admin)
    if op == "add_stance":
        body = {"position": ["asserts", "denies", "questions"][j % 3], "speaker": speaker}
        quoted = Quote.get_or_none(Quote.speaker == Speaker.get(Speaker.slug == speaker).id)
        if quoted is not None and j % 2:
            body["quote"] = quoted.id
        return editor.post(f"/claims/{claim}/stances", body)
    if op == "remove_stance":
        stances = [s["id"] for group in editor.get(f"/claims/{claim}").get_json()["stances"]
                   .values() for s in group]
        if not stances:
            return None
        path = f"/claims/{claim}"
        return editor.delete(f"{path}/stances/{stances[j % len(stances)]}", world.etag(path))
    if op == "create_quote":
        source = world.pick(Source, j)
        return editor.post("/quotes", {"text": text, "kind": "direct", "speaker": speaker,
                                       "source": source, "via": other if j % 2 else None})
    if op == "patch_quote":
        path = f"/quotes/{quote}"
        change = {"lang": ["fr", "en"][i % 2], "said_on": f"2024-01-{j % 28 + 1:02d}",
                  "via": other if i % 2 else None, "context": text}
        if Quote.get_by_id(quote).start_offset is None:  # else it must stay in its source
            change["text"] = f"{text} {word}"
        return editor.patch(path, change, world.etag(path))
    if op == "delete_quote":
        path = f"/quotes/{quote}"
        return editor.delete(path, world.etag(path), token=admin)
    if op == "create_speaker":
        return editor.post("/speakers", {"slug": f"s-{word}", "name": text, "kind": "person"})
    if op == "rename_speaker":
        path = f"/speakers/{speaker}"
        return editor.patch(path, {"name": f"{text} {word}"}, world.etag(path))
    if op == "delete_speaker":
        unused = Speaker.select().where(
            Speaker.id.not_in(Quote.select(Quote.speaker))
            & Speaker.id.not_in(Quote.select(Quote.via).where(Quote.via.is_null(False)))
            & Speaker.id.not_in(Stance.select(Stance.speaker))).order_by(Speaker.id.desc())
        speaker = unused[0].slug if unused.exists() else speaker
        path = f"/speakers/{speaker}"
        return editor.delete(path, world.etag(path), token=admin)
    if op == "add_alias":
        return editor.post(f"/speakers/{speaker}/aliases", {"name": f"{text} {word}",
                                                            "lang": "fr"})
    if op == "remove_alias":
        aliases = editor.get(f"/speakers/{speaker}").get_json()["aliases"]
        if not aliases:
            return None
        path = f"/speakers/{speaker}"
        return editor.delete(f"{path}/aliases/{aliases[j % len(aliases)]['id']}",
                             world.etag(path))
    if op == "merge_speakers":
        if speaker == other:
            return None
        return editor.post(f"/speakers/{speaker}/merge", {"into": other}, token=admin)
    if op == "add_review":
        return editor.post(f"/claims/{claim}/reviews", {
            "publisher": ["AFP Factuel", "Snopes", text][j % 3], "rating_label": "False",
            "url": f"https://example.org/{word}"})
    if op == "remove_review":
        reviews = editor.get(f"/claims/{claim}").get_json()["reviews"]
        if not reviews:
            return None
        path = f"/claims/{claim}"
        return editor.delete(f"{path}/reviews/{reviews[j % len(reviews)]['id']}",
                             world.etag(path))
    if op == "rename_topic":
        topic = world.slug(Topic, j)
        path = f"/topics/{topic}"
        return editor.patch(path, {"name": text}, world.etag(path), token=admin)
    if op == "tag_claim":
        topic = world.slug(Topic, j)
        path = f"/claims/{claim}"
        return editor.put(f"{path}/topics/{topic}", world.etag(path))
    if op == "untag_claim":
        topic = world.slug(Topic, j)
        path = f"/claims/{claim}"
        return editor.delete(f"{path}/topics/{topic}", world.etag(path))
    if op == "rename_source":
        path = f"/sources/{world.pick(Source, j)}"
        return editor.patch(path, {"title": text}, world.etag(path))
    if op == "import":
        lines = [
            {"slug": speaker, "name": f"{text} {word}", "kind": "person"},
        ]
        body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
        return editor.client.post("/imports?format=ndjson&resource=speakers", data=body,
                                  headers=editor.headers(token=admin),
                                  content_type="application/x-ndjson")
    raise AssertionError(op)


OPERATIONS = ("create_claim", "patch_claim", "delete_claim", "add_stance", "remove_stance",
              "create_quote", "patch_quote", "delete_quote", "create_speaker", "rename_speaker",
              "delete_speaker", "add_alias", "remove_alias", "merge_speakers", "add_review",
              "remove_review", "rename_topic", "tag_claim", "untag_claim", "rename_source",
              "import")
STEP = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 40), st.integers(0, 40), TEXT,
                 SLUG_PART)


def snapshot():
    """{(kind, id): (row version, document version, body)} of every stored document."""
    out = {}
    for kind, model in MODELS.items():
        versions = dict(model.select(model.id, model.version).tuples())
        for i, (version, body) in documents.stored(kind).items():
            out[kind, i] = (versions.get(i), version, body)
    return out


def fill_all():
    """Render and store every missing document (as readers would)."""
    for kind, model in MODELS.items():
        stored = documents.stored(kind)
        missing = [i for (i,) in model.select(model.id).tuples() if i not in stored]
        if missing:
            documents.fill(kind, missing)


def check_documents(before):
    """Every stored body is what the schema dumps now (one batch per kind); every document
    whose body a write cleared has a new ETag (its row's or its document's version moved)."""
    after = snapshot()
    for kind in MODELS:
        ids = [i for k, i in after if k == kind]
        fresh = documents.RENDER[kind](ids)
        for i in ids:
            assert after[kind, i][2] == fresh[i][1], f"{kind} {i}: the stored body is stale"
    for key, (row_version, version, _) in before.items():
        if key not in after:
            document = Document.get_or_none(kind=key[0], id=key[1])
            row = MODELS[key[0]].get_or_none(id=key[1])
            if document is not None and row is not None:
                assert (row.version, document.version) != (row_version, version), (
                    f"{key}: its body was cleared but its ETag did not change")


ARGUMENTS = st.tuples(st.integers(0, 40), st.integers(0, 40), TEXT, SLUG_PART)


@settings(max_examples=2, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(order=st.permutations(OPERATIONS), data=st.data())
def test_every_stored_document_is_a_fresh_dump(editor, tokens, order, data):
    """Every kind of write, in a random order with random targets and texts (on a world
    that earlier examples already changed), each followed by the check."""
    world = World(editor, tokens["admin"])
    fill_all()
    applied = []
    for op in order:
        before = snapshot()
        response = _write(world, op, *data.draw(ARGUMENTS, label=op))
        if response is not None:
            assert response.status_code < 500, (op, response.get_json())
            if response.status_code < 300:
                applied.append(op)
        check_documents(before)
        fill_all()
    # Refusals (a 409 for a stance taken twice, a 412…) are fine; most writes must apply.
    assert len(applied) > len(OPERATIONS) * 2 // 3, applied


# --- the hot reads ----------------------------------------------------------------------------

def test_a_speaker_rename_changes_the_etag_of_every_claim_that_shows_it(editor):
    speaker = editor.post("/speakers", {"slug": "etag-watcher", "name": "Etag Watcher",
                                        "kind": "person"})
    claim = editor.post("/claims", {"text": "Every ETag names what its answer shows."})
    assert (speaker.status_code, claim.status_code) == (201, 201)
    path = f"/claims/{claim.get_json()['id']}"
    taken = editor.post(f"{path}/stances", {"position": "asserts", "speaker": "etag-watcher"})
    assert taken.status_code == 201, taken.get_json()
    before = editor.etag(path)
    renamed = editor.patch("/speakers/etag-watcher", {"name": "Etag Renamed"},
                           editor.etag("/speakers/etag-watcher"))
    assert renamed.status_code == 200, renamed.get_json()
    response = editor.get(path)
    assert response.headers["ETag"] != before
    assert response.get_json()["stances"]["asserts"][0]["speaker"]["name"] == "Etag Renamed"
    stale = editor.patch(path, {"lang": "en"}, before)
    assert stale.status_code == 412
    assert stale.get_json()["etag"] == response.headers["ETag"]
    assert editor.patch(path, {"lang": "en"}, response.headers["ETag"]).status_code == 200


@pytest.mark.parametrize("path", [
    "/claims?speaker=testland", "/claims?speaker=testland&limit=1",
    "/claims?speaker=Testland&speaker=pyotr-obraztsov", "/quotes?speaker=testland",
    "/quotes?speaker=pyotr-obraztsov&limit=2", "/speakers/testland", "/claims/1", "/claims/2",
    "/quotes/1", "/claims?q=Russia", "/claims?q=Russia&limit=1",
    "/claims?q=Poutine OR Kim&limit=2", "/claims", "/claims?status=contested&limit=2",
    "/claims?lang=fr",
    "/claims?rating=mostly-false&facets=rating,publisher", "/claims?topic=arms-trade",
    "/claims?reviewed=false&limit=1", "/claims?reviewed_since=2000-01-01",
    "/claims?speaker=testland&facets=rating,publisher",
    "/claims?speaker=united-states&facets=publisher&limit=1",
    "/claims?speaker=Testland&speaker=pyotr-obraztsov&facets=rating",
    "/quotes?speaker=united-states&facets=rating,publisher",
    "/quotes?speaker=pyotr-obraztsov&facets=publisher&limit=2",
])
def test_stored_documents_answer_as_the_schemas_do(client, monkeypatch, path):
    """The hot path (stored bodies joined as text), first rendering then serving what it
    stored, answers the bytes and ETag the general path (the schemas over rows) answers."""
    Document.update(body=None).execute()
    rendered = client.get(path)
    served = client.get(path)
    assert Document.select().where(Document.body.is_null(False)).count() > 0
    for name in ("claims_page", "quotes_page", "claim", "quote", "speaker"):
        monkeypatch.setattr(documents, name, lambda *args, **kwargs: None)
    general = client.get(path)
    assert general.status_code == rendered.status_code == 200
    assert rendered.get_data() == served.get_data() == general.get_data()
    assert rendered.headers.get("ETag") == general.headers.get("ETag")
    assert rendered.headers.get("Link") == general.headers.get("Link")


def test_a_long_stored_body_is_kept_uncompressed_on_postgresql(editor, backend):
    """Migration 0019: a body over PostgreSQL's 2 KB threshold stays in its row as text, not
    compressed (each read of a compressed one decompressed it); SQLite never compresses."""
    if backend == "sqlite":
        pytest.skip("SQLite stores text as it is")
    claim = _created(editor.post("/claims?allow_duplicate=true",
                                 {"text": "A claim long enough to be compressed. " * 120}))
    assert editor.get(f"/claims/{claim['id']}").status_code == 200  # renders, stores
    length, compression = Document.select(
        fn.octet_length(Document.body).coerce(False),
        fn.pg_column_compression(Document.body).coerce(False)).where(
        (Document.kind == "claim") & (Document.id == claim["id"])).tuples().get()
    assert length > 4000
    assert compression is None


SEVERAL_STANCES = ["/claims?speaker=stance-one&speaker=stance-two",
                   "/claims?speaker=stance-one&speaker=stance-two&limit=1",
                   "/claims?speaker=stance-one&limit=2", "/claims?speaker=stance-two"]


def _assert_general_path_answers(client, monkeypatch, stored):
    """Each stored page ({path: response}) is what the general path (the schemas over rows)
    answers for the same path: status, bytes and Link."""
    for name in ("claims_page", "quotes_page"):
        monkeypatch.setattr(documents, name, lambda *args, **kwargs: None)
    for path, response in stored.items():
        answer = client.get(path)
        assert response.status_code == answer.status_code == 200, path
        assert response.get_data() == answer.get_data(), path
        assert response.headers.get("Link") == answer.headers.get("Link"), path


def test_a_speaker_page_lists_each_claim_once_with_every_matched_stance(editor, monkeypatch):
    """A claim on which the matched speakers hold several stances (one speaker two
    positions, two speakers) is listed once, with each stance in `speaker_positions`, in
    stance order, as the general path lists it (the stored page reads them with the page)."""
    for slug in ("stance-one", "stance-two"):
        _created(editor.post("/speakers", {"slug": slug, "name": slug.title(),
                                           "kind": "person"}))
    claims = [_created(editor.post("/claims?allow_duplicate=true",
                                   {"text": f"Stance claim number {n}."}))["id"] for n in (1, 2)]
    for claim, slug, position in [(claims[0], "stance-two", "denies"),
                                  (claims[0], "stance-one", "asserts"),
                                  (claims[0], "stance-one", "questions"),
                                  (claims[1], "stance-one", "asserts")]:
        _created(editor.post(f"/claims/{claim}/stances", {"position": position,
                                                          "speaker": slug}))
    stored = {path: editor.get(path) for path in SEVERAL_STANCES}
    _assert_general_path_answers(editor, monkeypatch, stored)
    listed = stored[SEVERAL_STANCES[0]].get_json()["data"]
    assert [claim["id"] for claim in listed] == claims
    assert [(p["speaker"]["slug"], p["position"]) for p in listed[0]["speaker_positions"]] == [
        ("stance-two", "denies"), ("stance-one", "asserts"), ("stance-one", "questions")]


FACETED = ["/claims?speaker=facet-counted&facets=rating,publisher",
           "/claims?speaker=facet-counted&facets=publisher&limit=1",
           "/claims?speaker=Testland&speaker=facet-counted&facets=rating",
           "/quotes?speaker=facet-counted&facets=rating,publisher",
           "/quotes?speaker=facet-counted&facets=rating&limit=1"]


def _created(response):
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_faceted_speaker_pages_are_stored_documents_counted_as_the_general_path(
        editor, monkeypatch):
    """`facets=` on a speaker page keeps the stored documents (the general path is not
    called) and answers the bytes the general path answers, counts included."""
    slug = _created(editor.post("/speakers", {"slug": "facet-counted", "name": "Facet Counted",
                                              "kind": "person"}))["slug"]
    source = _created(editor.post("/sources", {"slug": "facet-source", "kind": "article"}))
    quote = _created(editor.post("/quotes", {"text": "Facets count.", "kind": "direct",
                                             "speaker": slug, "source": source["id"]}))
    claims = [_created(editor.post("/claims?allow_duplicate=true",
                                   {"text": f"Facet claim number {n}."}))["id"] for n in (1, 2)]
    for claim in claims:
        _created(editor.post(f"/claims/{claim}/stances", {"position": "asserts",
                                                          "speaker": slug,
                                                          "quote": quote["id"]}))
    reviews = [("AFP Factuel", "False"), ("Snopes", "True"), ("AFP Factuel", "False")]
    for n, (publisher, label) in enumerate(reviews):
        _created(editor.post(f"/claims/{claims[n % 2]}/reviews", {
            "publisher": publisher, "rating_label": label, "url": f"https://example.org/{n}"}))

    def general(*args, **kwargs):
        raise AssertionError(f"a speaker page with facets took the general path {kwargs}")

    monkeypatch.setattr(queries, "claims_page", general)
    monkeypatch.setattr(queries, "quotes_page", general)
    stored = {path: editor.get(path) for path in FACETED}
    monkeypatch.undo()
    _assert_general_path_answers(editor, monkeypatch, stored)
    counted = stored[FACETED[0]].get_json()["meta"]["facets"]
    assert counted == {"rating": {"false": 1, "true": 1},  # claims, each counted once
                       "publisher": {"afp-factuel": 1, "snopes": 1}}
    assert stored[FACETED[3]].get_json()["meta"]["facets"] == {  # its one quote backs both
        "rating": {"false": 1, "true": 1}, "publisher": {"afp-factuel": 1, "snopes": 1}}
