"""One URL check on every path; CSV exports that spreadsheets cannot run as formulas."""

import csv
import io
import json

import pytest

from service.importer import ImportFailed
from service.importer import import_text
from service.models import Appearance
from service.models import Claim
from service.spreadsheet import neutralise
from service.spreadsheet import restore

BAD_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
            "ftp://files.example.org/a", "//example.org/no-scheme", "example.org"]


def api_source(editor, url):
    return editor.post("/sources", {"slug": "url-check", "kind": "article", "url": url})


def api_review(editor, url):
    return editor.post("/claims/1/reviews", {"publisher": "URL Check", "url": url})


def import_claim(editor, field, url):
    parts = {"appearances": {"appearances": [{"url": url}]},
             "reviews": {"reviews": [{"publisher": "URL Check", "url": url}]}}[field]
    line = json.dumps({"text": f"A claim with a bad {field} URL.", **parts})
    return editor.client.post("/imports?format=ndjson&resource=claims", data=line.encode(),
                              content_type="application/x-ndjson", headers=editor.headers())


def import_source(editor, url):
    line = json.dumps({"slug": "url-check-import", "kind": "article", "url": url})
    return editor.client.post("/imports?format=ndjson&resource=sources", data=line.encode(),
                              content_type="application/x-ndjson", headers=editor.headers())


def import_claimreview(editor, url):
    document = {"@context": "https://schema.org", "@type": "ClaimReview",
                "url": "https://factcheck.example.org/url-check",
                "claimReviewed": "A claim that appeared at a bad URL.",
                "author": {"@type": "Organization", "name": "URL Check"},
                "reviewRating": {"@type": "Rating", "alternateName": "False"},
                "itemReviewed": {"@type": "Claim", "appearance": [{"@type": "CreativeWork",
                                                                   "url": url}]}}
    return editor.client.post("/imports?format=claimreview", json=document,
                              headers=editor.headers())


PATHS = {
    "POST /sources": api_source,
    "POST /claims/{id}/reviews": api_review,
    "import claims appearances": lambda editor, url: import_claim(editor, "appearances", url),
    "import claims reviews": lambda editor, url: import_claim(editor, "reviews", url),
    "import sources": import_source,
    "import claimreview appearances": import_claimreview,
}


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("path", sorted(PATHS))
def test_every_url_field_takes_only_http_and_https(editor, path, url):
    response = PATHS[path](editor, url)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "url" in json.dumps(response.get_json()["errors"])
    assert not Appearance.select().where(Appearance.url == url).exists()


def test_a_good_appearance_url_is_imported(editor):
    response = import_claim(editor, "appearances", "https://example.org/said-here")
    assert response.status_code == 200, response.get_json()
    assert Appearance.select().where(Appearance.url == "https://example.org/said-here").exists()


FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"click\")", "+1 of 2", "-5% in a year",
            "@SUM(A1:A2)", "\tIndented", "\rCarriage", "'=Already quoted", "''+Twice",
            "'Plain quote", "Plain = text"]


@pytest.mark.parametrize("text", FORMULAS)
def test_neutralise_and_restore_are_inverse(text):
    cell = neutralise(text)
    assert restore(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_exports_neutralise_formulas_and_import_back_the_same(editor):
    for text in FORMULAS:
        assert editor.post("/claims", {"text": f"{text}", "lang": "en"}).status_code == 201
    exported = editor.get("/claims.csv").get_data(as_text=True)
    cells = {row["text"] for row in csv.DictReader(io.StringIO(exported, newline=""))}
    for text in FORMULAS:
        assert neutralise(text) in cells
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    report = import_text(exported, "csv", "test", resource="claims")
    assert report.created == {}  # every claim found again by its text: the round trip holds
    for text in FORMULAS:
        assert Claim.select().where(Claim.text == text).count() == 1


def test_imports_refuse_a_bad_url_naming_the_line(editor):
    lines = "\n".join([json.dumps({"text": "Fine."}),
                       json.dumps({"text": "Bad.", "appearances": [{"url": "javascript:x"}]})])
    with pytest.raises(ImportFailed) as failed:
        import_text(lines, "ndjson", "test")
    assert (failed.value.problems[0].line, failed.value.problems[0].field) == (
        2, "appearances[0].url")


# --- imports change only the fields a record carries --------------------------------------

def import_speaker(record):
    return import_text(json.dumps(record), "ndjson", "test", resource="speakers")


def test_an_import_changes_only_the_fields_a_record_carries(editor):
    full = {"slug": "kim-carries", "name": "Kim Carries", "kind": "person", "country": "KP",
            "description": "Chairman", "wikidata_id": "Q56226000"}
    assert import_speaker(full).created == {"speakers": 1}
    report = import_speaker({"slug": "kim-carries", "name": "Kim Carries", "kind": "person",
                             "description": "General Secretary"})
    body = editor.get("/speakers/kim-carries").get_json()
    assert (body["country"], body["wikidata_id"]) == ("KP", "Q56226000")  # left out: kept
    assert body["description"] == "General Secretary"
    assert report.updated == {"speakers": 1}
    assert [(c["line"], c["resource"], c["slug"], c["fields"]) for c in report.changes] == [
        (1, "speaker", "kim-carries", ["description"])]


def test_an_import_clears_a_field_given_as_null(editor):
    import_speaker({"slug": "kim-nulls", "name": "Kim Nulls", "kind": "person",
                    "country": "KP", "wikidata_id": "Q56226001"})
    report = import_speaker({"slug": "kim-nulls", "name": "Kim Nulls", "kind": "person",
                             "country": None})
    body = editor.get("/speakers/kim-nulls").get_json()
    assert (body["country"], body["wikidata_id"]) == (None, "Q56226001")
    assert report.changes[0]["fields"] == ["country"]


def test_an_unchanged_record_lists_no_change(editor):
    record = {"slug": "kim-same", "name": "Kim Same", "kind": "person", "country": "KP"}
    import_speaker(record)
    report = import_speaker(record)
    assert (report.unchanged, report.changes) == ({"speakers": 1}, [])


def test_sources_and_quotes_keep_what_a_record_leaves_out(editor):
    source = {"slug": "carried-source", "kind": "article", "title": "Title",
              "url": "https://example.org/carried", "publisher": "Publisher"}
    import_text(json.dumps(source), "ndjson", "test", resource="sources")
    report = import_text(json.dumps({"slug": "carried-source", "kind": "article",
                                     "title": "New title"}), "ndjson", "test",
                         resource="sources")
    (row,) = [s for s in editor.get("/sources?limit=100").get_json()["data"]
              if s["slug"] == "carried-source"]
    assert (row["title"], row["url"], row["publisher"]) == (
        "New title", "https://example.org/carried", "Publisher")
    assert report.changes[0]["fields"] == ["title"]
    quote = {"text": "Carried words.", "kind": "direct", "speaker": {"slug": "elise-fauxnom"},
             "source": {"slug": "carried-source"}, "context": "At the harbour",
             "said_on": "2023-03-03", "lang": "en"}
    import_text(json.dumps(quote), "ndjson", "test", resource="quotes")
    again = {k: v for k, v in quote.items() if k not in ("context", "said_on")}
    report = import_text(json.dumps({**again, "lang": None}), "ndjson", "test",
                         resource="quotes")
    (found,) = [q for q in editor.get("/quotes?limit=100&speaker=elise-fauxnom")
                .get_json()["data"] if q["text"] == "Carried words."]
    assert (found["context"], found["said_on"], found["lang"]) == (
        "At the harbour", "2023-03-03", None)
    assert report.changes[0]["fields"] == ["lang"]
