"""Claim matching ("has this been checked already?"): the CheckThat! verified-claims adapter,
the analyzer, the index kept in step with every write, and GET/POST /claims/similar."""

import gzip
import hashlib
import io
import json
from pathlib import Path

import pytest
from playhouse.migrations import Runner

from service import analysis
from service import create_app
from service import matching
from service.auth import create_token
from service.config import MIGRATIONS_DIR
from service.db import bind
from service.db import migrate
from service.dump import _row_line
from service.dump import restore
from service.dump import write_dump
from service.formats import checkthat
from service.formats.base import Item
from service.formats.base import RecordError
from service.importer import import_text
from service.models import Claim
from service.models import ClaimMatch
from service.models import ClaimTerm
from tests.conftest import Editor
from tests.conftest import empty_database_url

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "checkthat-verified-claims.tsv"
VERIFIED = ROOT.parent / "shared" / "data" / "clef2020-checkthat-task2" / "verified_claims.docs.tsv"
needs_verified = pytest.mark.skipif(not VERIFIED.exists(),
                                    reason=f"{VERIFIED} is absent (../shared/data)")
SENATORS = "12 fictional senators voted twice on the Testland harbour bill."
SENATORS_TITLE = "Did 12 Senators Vote Twice on the Harbour Bill?"


def read(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(checkthat.read(stream))


def review(title):
    return {"publisher": "Snopes", "url": None, "rating_label": None, "rating": None,
            "published_on": None, "lang": "en", "title": title, "explanation": None}


# --- the adapter --------------------------------------------------------------------------

def test_checkthat_rows_become_claims_with_a_snopes_review_titled_as_the_article():
    records = read(FIXTURE)
    items = [r for r in records if isinstance(r, Item)]
    assert [i.line for i in items] == [2, 3, 4, 6, 7]
    assert items[0].data == {
        "text": SENATORS, "lang": "en", "first_seen": None, "topics": [],
        "stances": {"asserts": [], "denies": [], "questions": []},
        "reviews": [review(SENATORS_TITLE)], "appearances": []}
    # doubled quotes inside a quoted cell, curly quotes in a title, kept as published
    assert items[1].data["text"] == 'A "Testland by the Numbers" meme shows accurate statistics.'
    assert items[1].data["reviews"][0]["title"] == (
        "Does This Meme Accurately Show ‘Testland by the Numbers’?")
    assert items[2].data["text"] == "The mayor of Exampleville banned bicycles in 2019."
    assert items[3].data["reviews"] == [review(None)]  # no title: nothing invented
    assert "no URL, date or rating" in items[0].notes[0]


def test_checkthat_an_empty_claim_is_an_error_on_its_line():
    errors = [(r.line, r.field, r.reason) for r in read(FIXTURE) if isinstance(r, RecordError)]
    assert errors == [(5, "vclaim", "the claim is empty")]


def test_checkthat_a_file_without_the_columns_is_refused():
    (error,) = list(checkthat.read(io.StringIO("id\tclaim\n1\tx\n")))
    assert isinstance(error, RecordError)
    assert "vclaim, title" in error.reason


@needs_verified
def test_checkthat_reads_every_verified_claim_of_the_lab():
    records = read(VERIFIED)
    assert not [r for r in records if isinstance(r, RecordError)]
    assert len(records) == 10_375  # SOURCE.md
    assert records[2].data["text"] == ('A "Trump and Obama by the Numbers" meme recounts '
                                       'accurate statistics about their job performances.')


# --- the analyzer -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kept"), [
    ("Look https://t.co/abc123 now", "Look now"),
    ("Photo pic.twitter.com/XyZ12 here", "Photo here"),
    ("Iran could threaten Trump hotels. — Ilhan Omar (@IlhanMN) January 6, 2020",
     "Iran could threaten Trump hotels. — Ilhan Omar January 6, 2020"),
    ("Thanks @BetoORourke for this", "Thanks Beto ORourke for this"),
    ("#StopTheSteal2020 now", "Stop The Steal 2020 now"),
    ("burning #PrayforAmazoniapic.twitter.com/HHVnaM66VV", "burning Prayfor Amazonia"),
    ("Fire 🔥🇺🇸 everywhere 👍🏽", "Fire everywhere"),
    ("email me at a@b.org", "email me at a@b.org"),
])
def test_social_media_noise_is_stripped(text, kept):
    assert " ".join(matching.strip_noise(text).split()) == kept


def test_the_analyzer_folds_stems_and_marks_names_and_numbers():
    terms = matching.analyse("The Senators of Québec voted 12 times, NOT once.")
    assert [(t.term, t.kind) for t in terms] == [
        ("senat", "name"), ("quebec", "name"), ("vote", "word"), ("12", "number"),
        ("time", "word"), ("not", "name")]  # "once" is a stop word


def test_negations_are_not_stop_words():
    assert matching.similarity([t.term for t in matching.analyse("Obama was born in Kenya")],
                               [t.term for t in matching.analyse("Obama was not born in Kenya")]
                               ) < matching.DUPLICATE_THRESHOLD


@pytest.mark.parametrize(("text", "lang"), [
    ("L’OTAN a bombardé les États-Unis d'Amérique", "fr"),  # elisions, accents
    ("Die Straße wurde wegen Bauarbeiten gesperrt", "de"),  # ß as search folds it
    ("Œuvres complètes de l'auteur", "fr"),  # œ as PostgreSQL's unaccent writes it
])
def test_matching_reads_words_as_search_does(text, lang):
    # One analyzer (service/analysis.py): where matching has no stop words to drop, its terms
    # are search's stems, word for word.
    assert [t.term for t in matching.analyse(text, lang)] == analysis.stems(text, lang).split()


# --- an app over the fixture --------------------------------------------------------------

@pytest.fixture(scope="module")
def matching_app(backend, tmp_path_factory, request):
    """An app over its own database holding the CheckThat! fixture, and an editor token."""
    url = empty_database_url(backend, tmp_path_factory.mktemp("matching"), request)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        import_text(FIXTURE.read_text(encoding="utf-8"), "checkthat", "test", skip_invalid=True)
        app.config["TOKEN"] = create_token("matching-editor", "editor")[0]
    yield app
    db.close()


@pytest.fixture
def client(matching_app):
    bind(matching_app.extensions["claimbase.db"])
    return matching_app.test_client()


@pytest.fixture
def editor(matching_app, client):
    return Editor(client, matching_app.config["TOKEN"])


def similar(client, text, **params):
    response = client.get("/claims/similar", query_string={"text": text, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_import_indexes_its_claims_once(matching_app):
    db = matching_app.extensions["claimbase.db"]
    with db.connection_context():
        report = import_text(FIXTURE.read_text(encoding="utf-8"), "checkthat", "test",
                             skip_invalid=True)
        assert report.unchanged["claims"] == 5
        assert ClaimMatch.select().count() == 4
        postings = ClaimTerm.select().count()
        assert postings > 20
        import_text(FIXTURE.read_text(encoding="utf-8"), "checkthat", "test", skip_invalid=True)
        assert ClaimTerm.select().count() == postings


def test_a_tweet_finds_the_claim_that_checks_it(client):
    tweet = ("BREAKING: twelve senators voted TWICE on the harbour bill!!! #HarbourBill "
             "pic.twitter.com/AbC123 — Jo Doe (@jodoe) March 3, 2021")
    body = similar(client, tweet)
    assert body["data"][0]["text"] == SENATORS
    assert body["meta"]["matched_text"] == (
        "BREAKING: twelve senators voted TWICE on the harbour bill!!! Harbour Bill — Jo Doe "
        "March 3, 2021")
    scores = [c["score"] for c in body["data"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_a_match_says_which_names_numbers_and_words_it_shares(client):
    best = similar(client, "Did 12 Senators vote on the Testland bill?")["data"][0]
    assert best["text"] == SENATORS
    assert best["shared"] == {"names": ["Senators", "Testland"], "numbers": ["12"],
                              "words": ["vote", "bill"]}


def test_the_review_title_is_matched_too(client):
    best = similar(client, "Does this meme accurately show it?")["data"][0]
    assert best["text"].startswith('A "Testland by the Numbers" meme')
    assert best["shared"]["words"] == ["meme", "accurately", "show"]


def test_a_shorter_claim_with_the_same_words_ranks_first(client, editor):
    long_claim = editor.post("/claims", {"text": "Glorptown wizards flew over the long winding "
                                         "valley road near the old quarry.", "lang": "en"})
    short_claim = editor.post("/claims", {"text": "Glorptown wizards flew.", "lang": "en"})
    found = similar(client, "Glorptown wizards")["data"]
    assert [c["id"] for c in found] == [short_claim.get_json()["id"],
                                        long_claim.get_json()["id"]]
    assert found[0]["score"] > found[1]["score"]


def test_nothing_in_common_finds_nothing(client):
    assert similar(client, "Penguins juggle marmalade")["data"] == []
    assert similar(client, "the of and #the https://x.org")["data"] == []


@pytest.mark.parametrize(("params", "found"), [
    ({}, True),
    ({"lang": "en"}, True),
    ({"lang": "fr"}, False),
    ({"publisher": "Snopes"}, True),
    ({"publisher": "PolitiFact"}, False),
    ({"rating": "false"}, False),
    ({"since": "2000-01-01"}, False),  # the file gives no dates
])
def test_the_filters_of_claims_apply(client, params, found):
    data = similar(client, "mayor Exampleville bicycles", **params)["data"]
    assert bool(data) is found


def test_filters_find_what_they_name(client, editor):
    claim = editor.post("/claims", {"text": "Exampleville bicycles are all stolen.",
                                    "lang": "en", "first_seen": "2024-05-01"}).get_json()
    editor.post(f"/claims/{claim['id']}/reviews", {"publisher": "PolitiFact",
                                                   "rating_label": "False"})
    for params in ({"rating": "false"}, {"publisher": "PolitiFact"}, {"since": "2024-01-01"}):
        assert [c["id"] for c in similar(client, "Exampleville bicycles", **params)["data"]] \
            == [claim["id"]]


def test_post_takes_a_long_text(client):
    text = "Some preamble about the weather. " * 200 + "12 senators voted twice on the bill."
    response = client.post("/claims/similar", json={"text": text, "limit": 1})
    assert response.status_code == 200
    assert [c["text"] for c in response.get_json()["data"]] == [SENATORS]


@pytest.mark.parametrize(("method", "payload", "status", "field"), [
    ("get", {}, 400, "text"),
    ("get", {"text": ""}, 400, "text"),
    ("get", {"text": "x" * 281}, 400, "text"),
    ("get", {"text": "bill", "limit": 51}, 400, "limit"),
    ("get", {"text": "bill", "rating": "pants"}, 400, "rating"),
    ("get", {"text": "bill", "since": "yesterday"}, 400, "since"),
    ("get", {"text": "bill", "colour": "red"}, 400, "colour"),
    ("post", {"text": "x" * 20_001}, 422, "text"),
    ("post", {"text": "bill", "lang": "not a tag"}, 422, "lang"),
])
def test_bad_questions_are_problems(client, method, payload, status, field):
    if method == "get":
        response = client.get("/claims/similar", query_string=payload)
    else:
        response = client.post("/claims/similar", json=payload)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_the_index_follows_every_write_of_a_claim(client, editor):
    created = editor.post("/claims", {"text": "Zorblax moons are made of cheese.", "lang": "en"})
    claim = created.get_json()
    assert [c["id"] for c in similar(client, "zorblax cheese")["data"]] == [claim["id"]]
    path = f"/claims/{claim['id']}"
    editor.patch(path, {"text": "Quuxian moons are made of cheese."}, created.headers["ETag"])
    assert similar(client, "zorblax")["data"] == []
    assert [c["id"] for c in similar(client, "quuxian")["data"]] == [claim["id"]]
    added = editor.post(f"{path}/reviews", {"publisher": "Snopes",
                                            "title": "Are Plimpton Moons Cheese?"})
    assert [c["id"] for c in similar(client, "plimpton")["data"]] == [claim["id"]]
    review_id = added.get_json()["reviews"][0]["id"]
    editor.delete(f"{path}/reviews/{review_id}", added.headers["ETag"])
    assert similar(client, "plimpton")["data"] == []
    editor.delete(path, editor.etag(path))
    assert similar(client, "quuxian")["data"] == []


# --- near-duplicates on write -------------------------------------------------------------

ORIGINAL = "The Glimmerton dam will flood 3 villages, and the governor knew it in 2019."


@pytest.fixture
def original(editor):
    """A claim to duplicate (created once per database; later tests find it)."""
    response = editor.post("/claims", {"text": ORIGINAL, "lang": "en"})
    if response.status_code == 409:
        return response.get_json()["duplicates"][0]["id"]
    assert response.status_code == 201
    return response.get_json()["id"]


@pytest.mark.parametrize("variant", [
    "The Glimmerton dam will flood 3 villages, and the governor knew it in 2019.",
    "the glimmerton dam will flood 3 villages and the governor knew it in 2019",  # case, marks
    "THE GLIMMERTON DAM WILL FLOOD 3 VILLAGES — AND THE GOVERNOR KNEW IT IN 2019!!!",
    "  The   Glimmerton dam will\tflood 3 villages,and the governor knew it in 2019 . ",
    "The Glimmertón dam will flood 3 villages, and the governor knew it in 2019.",  # accent
    "The governor knew it in 2019, and the Glimmerton dam will flood 3 villages.",  # reordered
    "In 2019 the governor knew it: the Glimmerton dam will flood 3 villages.",
])
def test_a_near_duplicate_claim_is_a_409_naming_the_existing_one(editor, original, variant):
    response = editor.post("/claims", {"text": variant, "lang": "en"})
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == "application/problem+json"
    (duplicate,) = response.get_json()["duplicates"]
    assert duplicate["id"] == original
    assert duplicate["text"] == ORIGINAL
    assert duplicate["similarity"] >= matching.DUPLICATE_THRESHOLD


@pytest.mark.parametrize("different", [
    "The Glimmerton dam will flood 4 villages, and the governor knew it in 2019.",
    "The Glimmerton dam will not flood 3 villages, and the governor knew it in 2019.",
    "The Glimmerton dam won't flood 3 villages, and the governor knew it in 2019.",
    "The Glimmerton dam will flood 3 villages.",
])
def test_a_different_claim_is_created(editor, original, different):
    response = editor.post("/claims", {"text": different, "lang": "en"})
    assert response.status_code == 201, response.get_json()
    editor.delete(f"/claims/{response.get_json()['id']}",
                  response.headers["ETag"])  # leave the world as it was


def test_allow_duplicate_creates_it_anyway(editor, original):
    response = editor.post("/claims?allow_duplicate=true", {"text": ORIGINAL.upper(),
                                                           "lang": "en"})
    assert response.status_code == 201
    assert response.get_json()["text"] == ORIGINAL.upper()  # stored as sent
    editor.delete(f"/claims/{response.get_json()['id']}", response.headers["ETag"])


def test_the_same_claim_as_a_review_title_is_a_near_duplicate(editor):
    # The fixture's claim 1 has the Snopes title "Did 12 Senators Vote Twice on the Harbour
    # Bill?": the title, posted as a claim, is that claim.
    response = editor.post("/claims", {"text": "Did 12 senators vote twice on the harbour bill?",
                                       "lang": "en"})
    assert response.status_code == 409
    assert [d["text"] for d in response.get_json()["duplicates"]] == [SENATORS]
    assert matching.near_duplicates(SENATORS_TITLE)[0].duplicate == 1.0


@pytest.mark.parametrize("title", [
    "did 12 senators vote twice on the harbour bill",  # case, no question mark
    "DID 12 SENATORS VOTE TWICE ON THE HARBOUR BILL?!",
    "  Did 12   Senators vote twice\ton the Harbour Bill ? ",  # spacing
    "On the harbour bill, did 12 senators vote twice?",  # reordered
])
def test_variants_of_a_review_title_are_near_duplicates(editor, title):
    response = editor.post("/claims", {"text": title, "lang": "en"})
    assert response.status_code == 409, response.get_json()
    (duplicate,) = response.get_json()["duplicates"]
    assert duplicate["text"] == SENATORS
    assert duplicate["similarity"] >= matching.DUPLICATE_THRESHOLD


def test_posting_the_same_text_twice_gives_one_claim(editor):
    first = editor.post("/claims", {"text": "Wobbleford banned umbrellas.", "lang": "en"})
    second = editor.post("/claims", {"text": "Wobbleford banned umbrellas.", "lang": "en"})
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.get_json()["duplicates"] == [{"id": first.get_json()["id"],
                                                "text": "Wobbleford banned umbrellas.",
                                                "similarity": 1.0}]


# --- near-duplicates in imports -----------------------------------------------------------

def checkthat_file(*rows):
    return "\tvclaim\ttitle\n" + "".join(f"{i}\t{claim}\t{title}\n"
                                        for i, (claim, title) in enumerate(rows))


@pytest.fixture
def connected(matching_app):
    db = matching_app.extensions["claimbase.db"]
    db.connect(reuse_if_open=True)
    yield db  # (a request in the test closes it when it ends; imports reconnect)
    if not db.is_closed():
        db.close()


def claim_one(client):
    return client.get("/claims/1").get_json()


def test_an_import_reports_near_duplicates_per_record(connected, client):
    text = checkthat_file(
        ("12 FICTIONAL SENATORS VOTED TWICE ON THE TESTLAND HARBOUR BILL", "Recount"),
        ("Did 12 senators vote twice on the harbour bill?", "As a claim, the title"),
        ("Purple lemurs govern Testland.", "Unrelated"))
    report = import_text(text, "checkthat", "test")  # report: equal normalised texts
    assert report.near_duplicates == [{"line": 2, "duplicates": [{"id": 1, "score": 1.0}]}]
    assert report.created["claims"] == 3  # reported, still created
    assert report.as_dict()["near_duplicates"] == report.near_duplicates


def test_similar_also_reports_the_claim_as_a_review_title(connected):
    text = checkthat_file(
        ("12 fictional senators voted twice on the Testland harbour bill?!", "Recount 2"),
        ("Did 12 senators vote twice on the harbour bill", "As a claim, the title again"),
        ("On the Testland harbour bill, 12 fictional senators voted twice", "Reordered"))
    report = import_text(text, "checkthat", "test", duplicates="similar")
    assert [(r["line"], r["duplicates"][0]) for r in report.near_duplicates] == [
        (2, {"id": 1, "score": 1.0}), (3, {"id": 1, "score": 1.0}),
        (4, {"id": 1, "score": 1.0})]


def test_attach_gives_the_review_to_the_existing_claim(connected, client):
    reviews = len(claim_one(client)["reviews"])
    text = checkthat_file(("On the Testland harbour bill, 12 fictional senators voted twice.",
                           "Senators' Double Vote: a Second Look"))
    report = import_text(text, "checkthat", "test", duplicates="attach")
    assert report.near_duplicates[0]["duplicates"][0]["id"] == 1
    assert report.created["claims"] == 0
    assert report.created["reviews"] == 1
    titles = [r["title"] for r in claim_one(client)["reviews"]]
    assert len(titles) == reviews + 1
    assert "Senators' Double Vote: a Second Look" in titles


def test_ignore_does_not_look(connected):
    text = checkthat_file(("12 fictional senators voted twice on the Testland harbour bill!!",
                           "Again"))
    report = import_text(text, "checkthat", "test", duplicates="ignore")
    assert report.near_duplicates == []
    assert report.created["claims"] == 1


def test_the_http_import_takes_the_option(editor):
    response = editor.client.post(
        "/imports?format=checkthat&duplicates=attach",
        data=checkthat_file(("The mayor of exampleville banned bicycles in 2019", "Bikes")),
        headers={**editor.headers(), "Content-Type": "text/tab-separated-values"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"].get("claims", 0) == 0
    assert [d["score"] for d in body["near_duplicates"][0]["duplicates"]] == [1.0]
    bad = editor.client.post("/imports?format=checkthat&duplicates=maybe", data="x",
                             headers={**editor.headers(),
                                      "Content-Type": "text/tab-separated-values"})
    assert bad.status_code == 400
    assert "duplicates" in bad.get_json()["errors"]


# --- a query's cost, bounded --------------------------------------------------------------

SHORTER = ["Quorble fish sing.", "Quorble fish sing at dawn.", "Quorble fish sing in the lake."]
LONGEST = "Quorble fish sing loudly at dawn in the lake, say Flimwick anglers."


@pytest.fixture
def quorble_claims(editor):
    """Claims sharing words, the shortest holding each word's best posting: {text: id}."""
    ids = {}
    for text in (*SHORTER, LONGEST):
        response = editor.post("/claims?allow_duplicate=true", {"text": text, "lang": "en"})
        assert response.status_code == 201, response.get_json()
        ids[text] = response.get_json()["id"]
    yield ids
    for claim_id in ids.values():
        editor.delete(f"/claims/{claim_id}", editor.etag(f"/claims/{claim_id}"))


def ranking(client, text, **params):
    return [(c["id"], c["score"]) for c in similar(client, text, **params)["data"]]


def test_reading_a_terms_best_postings_ranks_as_reading_them_all(client, quorble_claims,
                                                                  monkeypatch):
    query = "Quorble fish sing loudly at dawn in the lake"
    exact = ranking(client, query)
    monkeypatch.setattr(matching, "POSTINGS_PER_TERM", 1)  # each term's one best posting
    monkeypatch.setattr(matching, "CANDIDATES", 3)
    pruned = ranking(client, query)
    assert exact[0][0] == pruned[0][0] == quorble_claims[LONGEST]
    # a candidate's score is exact BM25, over all its postings (not only those read)
    assert all(dict(exact)[claim_id] == score for claim_id, score in pruned)


def test_a_terms_best_postings_are_those_of_the_filtered_claims(client, editor, monkeypatch):
    short = editor.post("/claims", {"text": "Zindle gates close.", "lang": "en"}).get_json()
    french = editor.post("/claims", {"text": "Zindle gates close at night, and Zindle weeps.",
                                     "lang": "fr"}).get_json()
    monkeypatch.setattr(matching, "POSTINGS_PER_TERM", 1)  # the English claim's, unfiltered
    assert [c["id"] for c in similar(client, "zindle gates", lang="fr")["data"]] \
        == [french["id"]]
    for claim in (short, french):
        editor.delete(f"/claims/{claim['id']}", editor.etag(f"/claims/{claim['id']}"))


def test_migration_0015_indexes_the_claims_a_database_holds(new_database_url):
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        Runner(db, str(MIGRATIONS_DIR)).up("0012_claim_matching")
        db.execute_sql("INSERT INTO claim (text, lang, status, version) VALUES "
                       "('Glorbian owls vote twice.', 'en', 'unattributed', 1)")
        assert "0015_bounded_matching" in migrate(db)
        claim = Claim.get(Claim.text == "Glorbian owls vote twice.")
        assert sorted(ClaimTerm.select(ClaimTerm.term, ClaimTerm.tf, ClaimTerm.length)
                      .where(ClaimTerm.claim == claim.id).tuples()) == [
            ("glorbian", 1, 4), ("owl", 1, 4), ("twice", 1, 4), ("vote", 1, 4)]
        assert [m.claim_id for m in matching.similar_claims("glorbian owls")] == [claim.id]


def as_before_0015(data):
    """A dump's bytes as a version before migration 0015 wrote them: no `length` in the
    postings, the schema without 0015 (checksums recomputed, as that version computed them)."""
    lines = [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines()]
    header = lines[0]
    header["schema"].remove("0015_bounded_matching")
    drop = header["tables"]["claim_term"].index("length")
    del header["tables"]["claim_term"][drop]
    out, table, digest, total = [header], None, None, hashlib.sha256()
    for item in lines[1:]:
        if isinstance(item, list):
            if table == "claim_term":
                del item[drop]
            digest.update(_row_line(item).encode("utf-8"))
        elif "table" in item:
            table, digest = item["table"], hashlib.sha256()
            if table == "claim_term":
                del item["columns"][drop]
        elif item["end"] == table:
            item["sha256"] = digest.hexdigest()
            total.update(f"{table}:{item['rows']}:{item['sha256']}\n".encode())
        else:
            item["sha256"] = total.hexdigest()
        out.append(item)
    return gzip.compress("".join(_row_line(item) for item in out).encode("utf-8"))


def test_a_dump_from_before_0015_restores_with_its_matching_index_rebuilt(
        matching_app, new_database_url):
    db = bind(matching_app.extensions["claimbase.db"])
    buffer = io.BytesIO()
    with db.connection_context():
        write_dump(db, buffer)
        expected = {m.claim_id for m in matching.similar_claims(SENATORS)}
    target = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    restored_db = bind(target.extensions["claimbase.db"])
    with restored_db.connection_context():
        summary = restore(restored_db, io.BytesIO(as_before_0015(buffer.getvalue())))
        assert "claim_term" not in summary.tables  # read, checked, and rebuilt
        assert ClaimTerm.select().where(ClaimTerm.length.is_null()).count() == 0
        assert ClaimMatch.select().count() == Claim.select().count()
        assert {m.claim_id for m in matching.similar_claims(SENATORS)} == expected
    bind(db)
