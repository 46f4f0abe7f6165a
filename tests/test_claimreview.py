"""ClaimReview in and out: JSON-LD export, imports of JSON-LD and ClaimsKG CSV, round trip."""

import csv
import json
from pathlib import Path

import pytest
from pyld import jsonld

from service import create_app
from service.claimreview import RECOMMENDED
from service.claimreview import missing_fields
from service.db import bind
from service.db import migrate
from service.importer import ImportFailed
from service.importer import import_text
from service.ratings import normalise_rating
from tests.conftest import FIXTURES
from tests.conftest import empty_database_url

CLAIMSKG = Path(__file__).resolve().parents[1].parent / "shared" / "data" / \
    "claimskg-extractor-samples"
GOOGLE_REQUIRED = ("claimReviewed", "reviewRating", "url")


def offline_loader(url, options=None):
    """pyld document loader: schema.org's context, without the network."""
    return {"contextUrl": None, "documentUrl": url,
            "document": {"@context": {"@vocab": "https://schema.org/"}}}


@pytest.fixture
def fresh(backend, tmp_path, request):
    """A new, migrated, empty app and database for this test."""

    def make():
        url = empty_database_url(backend, tmp_path / str(len(list(tmp_path.iterdir()))), request)
        Path(url.removeprefix("sqlite:///")).parent.mkdir(exist_ok=True) if backend == "sqlite" \
            else None
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        db = bind(app.extensions["claimbase.db"])
        with db.connection_context():
            migrate(db)
        return app

    return make


def run_import(app, text, format_name):
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        return import_text(text, format_name, "test")


def test_claimreview_jsonld_import_maps_every_field(fresh):
    app = fresh()
    report = run_import(app, (FIXTURES / "claimreview.jsonld").read_text(), "claimreview")
    assert report.records == 3
    assert report.created == {"claims": 3, "reviews": 3, "speakers": 2, "stances": 2,
                              "appearances": 3}
    client = app.test_client()
    claims = client.get("/claims?limit=100").get_json()["data"]
    crime = next(c for c in claims if c["text"].startswith("Exampleville’s crime"))
    (review,) = crime["reviews"]
    assert (review["rating_label"], review["rating"]) == ("Mostly false", "mostly-false")
    assert review["explanation"] == "Recorded crime rose 12%, not 100%."
    assert review["title"] == "No, Exampleville's crime rate has not doubled"
    (stance,) = crime["stances"]["asserts"]
    assert stance["speaker"]["name"] == "Jane Roe" and stance["stated_on"] == "2023-09-12"
    jane = client.get(f"/speakers/{stance['speaker']['slug']}").get_json()
    assert (jane["wikidata_id"], jane["kind"]) == ("Q4115189", "person")
    assert [(a["url"], a["first"]) for a in crime["appearances"]] == [
        ("https://news.example.com/2023/09/12/speech", True),
        ("https://social.example.net/@janeroe/123", False),
        ("https://video.example.net/watch/456", False)]
    ponts = next(c for c in claims if c["lang"] == "fr")
    assert ponts["reviews"][0]["rating"] == normalise_rating("FAUX")
    unproven = next(c for c in claims if "2030" in c["text"])
    assert unproven["status"] == "unattributed" and unproven["reviews"][0]["rating"] == "unproven"


def test_reimport_changes_nothing(fresh):
    app = fresh()
    text = (FIXTURES / "claimreview.jsonld").read_text()
    run_import(app, text, "claimreview")
    again = run_import(app, text, "claimreview")
    assert again.created == {}
    assert sum(again.unchanged.values()) > 0


def test_a_bad_record_means_nothing_is_imported(fresh):
    app = fresh()
    document = json.loads((FIXTURES / "claimreview.jsonld").read_text())
    document["@graph"][1]["claimReviewed"] = ""
    document["@graph"][2]["itemReviewed"] = {"datePublished": "2023-09"}
    document["@graph"].append({"@type": "Person", "name": "not a review"})
    with pytest.raises(ImportFailed) as failed:
        run_import(app, json.dumps(document), "claimreview")
    assert [str(p) for p in failed.value.problems] == [
        "record 2: claimReviewed is missing or empty",
        "record 3: itemReviewed.datePublished: '2023-09' is not a full date (YYYY-MM-DD)",
        "record 4: not a ClaimReview"]
    assert app.test_client().get("/claims").get_json()["data"] == []


@pytest.mark.parametrize("document", [
    {"@type": "ClaimReview", "claimReviewed": "One", "url": "https://a.example/1",
     "author": {"name": "A"}, "reviewRating": {"alternateName": "False"}},
    [{"@type": "ClaimReview", "claimReviewed": "One", "url": "https://a.example/1",
      "author": {"name": "A"}, "reviewRating": {"alternateName": "False"}}],
])
def test_a_single_object_or_an_array(fresh, document):
    app = fresh()
    assert run_import(app, json.dumps(document), "claimreview").created["claims"] == 1


def test_claimskg_csv_with_its_traps(fresh):
    app = fresh()
    report = run_import(app, (FIXTURES / "claimskg.csv").read_text(), "claimskg")
    assert report.records == 3
    assert report.notes == ["line 4: claimReviewed is empty; the claim is the title"]
    claims = app.test_client().get("/claims?limit=100").get_json()["data"]
    by_url = {c["reviews"][0]["url"]: c for c in claims}
    first = by_url["https://checker.example.in/fact-check-one/"]
    assert first["text"] == '"Muslims should never hire Buddhists", said a fictional cleric'
    assert first["first_seen"] == "2021-07-16" and first["reviews"][0]["rating"] == "false"
    assert first["stances"]["asserts"] == []  # creativeWork_author_name is not the claimant
    second = by_url["https://checker.example.org/fact-checks/two"]
    assert second["text"] == second["reviews"][0]["title"]
    assert second["reviews"][0]["rating"] == "mixed"
    third = by_url["https://checker.example.com/factchecks/2021/jul/22/three/"]
    assert third["text"].startswith("“45 confirmed dead")


@pytest.mark.skipif(not CLAIMSKG.is_dir(), reason=f"ClaimsKG samples not found: {CLAIMSKG}")
@pytest.mark.parametrize("path", sorted(CLAIMSKG.glob("*.csv")) if CLAIMSKG.is_dir() else [],
                         ids=lambda p: p.stem.removeprefix("output_sample_"))
def test_claimskg_samples_import_completely_and_once(fresh, path):
    app = fresh()
    text = path.read_text(encoding="utf-8")
    csv.field_size_limit(2**31 - 1)
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    report = run_import(app, text, "claimskg")
    assert report.records == len(rows)
    assert report.created["reviews"] + report.unchanged["reviews"] == len(rows)
    bind(app.extensions["claimbase.db"])
    from service.models import Review
    with app.extensions["claimbase.db"].connection_context():
        unmapped = [r.rating_label for r in Review.select().where(Review.rating.is_null())]
    assert unmapped == []
    assert run_import(app, text, "claimskg").created == {}


def exported(app):
    return json.loads(app.test_client().get("/reviews.jsonld").get_data(as_text=True))


def summary(app):
    """Claims with their claimants and reviews, independent of ids."""
    claims = app.test_client().get("/claims?limit=100").get_json()["data"]
    return sorted(
        (c["text"], c["lang"],
         tuple(sorted(s["speaker"]["name"] for s in c["stances"]["asserts"])),
         tuple(sorted((r["publisher"], r["url"], r["rating_label"], r["rating"],
                       r["explanation"], r["published_on"], r["lang"]) for r in c["reviews"])),
         tuple(sorted((a["url"], a["first"]) for a in c["appearances"])))
        for c in claims)


def test_round_trip_export_then_import_gives_the_same_data(fresh):
    source = fresh()
    run_import(source, (FIXTURES / "claimreview.jsonld").read_text(), "claimreview")
    target = fresh()
    run_import(target, json.dumps(exported(source)), "claimreview")
    assert summary(target) == summary(source)
    assert exported(target) == exported(source)


def test_exported_jsonld_is_valid_and_has_what_google_requires(fresh):
    app = fresh()
    run_import(app, (FIXTURES / "claimreview.jsonld").read_text(), "claimreview")
    documents = exported(app)
    assert len(documents) == 3
    for document in documents:
        assert all(document.get(k) for k in GOOGLE_REQUIRED)
        assert document["reviewRating"]["alternateName"]
        expanded = jsonld.expand(document, {"documentLoader": offline_loader})
        assert expanded[0]["@type"] == ["https://schema.org/ClaimReview"]
        assert "https://schema.org/itemReviewed" in expanded[0]
    jane = next(d for d in documents if "Exampleville" in d["claimReviewed"])
    author = jane["itemReviewed"]["author"]
    assert author == {"@type": "Person", "name": "Jane Roe",
                      "sameAs": "https://www.wikidata.org/wiki/Q4115189"}
    assert jane["itemReviewed"]["firstAppearance"]["url"] == \
        "https://news.example.com/2023/09/12/speech"
    assert jane["reviewRating"]["ratingExplanation"] == "Recorded crime rose 12%, not 100%."


def test_claim_as_jsonld_by_accept_header_and_suffix(client):
    claims = client.get("/claims?limit=100").get_json()["data"]
    reviewed = next(c for c in claims if c["reviews"])
    by_suffix = client.get(f"/claims/{reviewed['id']}.jsonld")
    by_accept = client.get(f"/claims/{reviewed['id']}",
                           headers={"Accept": "application/ld+json"})
    assert by_suffix.mimetype == by_accept.mimetype == "application/ld+json"
    assert by_suffix.get_json() == by_accept.get_json()
    (document,) = by_suffix.get_json()
    assert document["claimReviewed"] == reviewed["text"]
    assert client.get(f"/claims/{reviewed['id']}").mimetype == "application/json"
    assert client.get("/claims/424242.jsonld").status_code == 404


def test_imports_over_http(editor):
    text = (FIXTURES / "claimskg.csv").read_text()
    assert editor.client.post("/imports?format=claimskg", data=text).status_code == 401
    response = editor.client.post("/imports?format=claimskg", data=text.encode(),
                                  headers={**editor.headers(), "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["records"] == 3
    again = editor.client.post("/imports?format=claimskg", data=text.encode(),
                               headers={**editor.headers(), "Content-Type": "text/csv"})
    assert again.get_json()["created"] == {}
    bad = editor.client.post("/imports?format=claimreview", data=b"[{}]",
                             headers=editor.headers(), content_type="application/ld+json")
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["records"] == ["record 1: not a ClaimReview"]
    assert editor.client.post("/imports?format=xml", data=b"x",
                              headers=editor.headers()).status_code == 400
    wrong_type = editor.client.post("/imports?format=claimskg", data=text.encode(),
                                    headers=editor.headers(), content_type="application/json")
    assert wrong_type.status_code == 415
    assert "text/csv" in wrong_type.get_json()["detail"]


def test_reviews_that_google_would_refuse_are_reported_not_emitted(fresh):
    app = fresh()
    run_import(app, (FIXTURES / "claimreview.jsonld").read_text(), "claimreview")
    broken = [{"@context": "https://schema.org", "@type": "ClaimReview",
               "claimReviewed": "Omitted review test: no url and no date",
               "author": {"@type": "Organization", "name": "Checks Example"},
               "reviewRating": {"@type": "Rating", "alternateName": "False"}},
              {"@context": "https://schema.org", "@type": "ClaimReview",
               "claimReviewed": "Omitted review test: no verdict",
               "url": "https://checks.example.org/no-verdict", "datePublished": "2024-01-02",
               "author": {"@type": "Organization", "name": "Checks Example"}}]
    run_import(app, json.dumps(broken), "claimreview")
    documents = exported(app)
    assert len(documents) == 3  # the fixture's three, not the two broken ones
    assert all(not missing_fields(d) for d in documents)
    client = app.test_client()
    report = client.get("/reviews.jsonld/report").get_json()
    assert {k: report[k] for k in ("emitted", "omitted", "missing")} == {
        "emitted": 3, "omitted": 2, "missing": {"reviewRating.alternateName": 1, "url": 1}}
    assert set(report["emitted_without"]) <= set(RECOMMENDED)
    claims = client.get("/claims", query_string={"q": '"Omitted review test"'}).get_json()
    assert len(claims["data"]) == 2
    for claim in claims["data"]:
        response = client.get(f"/claims/{claim['id']}.jsonld")
        assert response.get_json() == []
        assert response.headers["Claimbase-Omitted-Reviews"] == "1"


def test_a_review_without_a_date_is_emitted_and_reported(fresh):
    app = fresh()
    undated = [{"@context": "https://schema.org", "@type": "ClaimReview",
                "claimReviewed": "Undated review test", "url": "https://checks.example.org/u",
                "author": {"@type": "Organization", "name": "Checks Example"},
                "reviewRating": {"@type": "Rating", "alternateName": "False"}}]
    run_import(app, json.dumps(undated), "claimreview")
    documents = exported(app)
    assert [d["claimReviewed"] for d in documents] == ["Undated review test"]
    assert "datePublished" not in documents[0]
    report = app.test_client().get("/reviews.jsonld/report").get_json()
    assert report["emitted"] == 1 and report["omitted"] == 0
    assert report["emitted_without"] == {"datePublished": 1, "itemReviewed.author": 1,
                                         "itemReviewed.datePublished": 1}


@pytest.mark.parametrize(("document", "missing"), [
    ({"url": "https://a.example/x", "claimReviewed": "c", "datePublished": "2024-01-01",
      "author": {"name": "A"}, "reviewRating": {"alternateName": "False"}}, []),
    ({"url": "ftp://a.example/x", "claimReviewed": "c", "datePublished": "2024-01-01",
      "author": {"name": "A"}, "reviewRating": {"alternateName": "False"}}, ["url"]),
    ({"url": "https://a.example/x", "claimReviewed": " ", "author": "A",
      "reviewRating": {"alternateName": ""}}, ["claimReviewed", "reviewRating.alternateName"]),
    ({"claimReviewed": "c", "reviewRating": "False"}, ["url", "reviewRating.alternateName"]),
])
def test_missing_fields(document, missing):
    assert missing_fields(document) == missing
