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
