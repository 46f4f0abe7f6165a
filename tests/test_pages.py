"""The pages for people through the test client, on both backends: each page, each filter
of the search page with its facet counts, paging, the language, the exports a page links.

The browser (no JavaScript, axe, keyboard, phone width) is tests/test_browser.py.
"""

import json
import re
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest

from service import create_app
from service.db import bind
from service.db import migrate
from service.loader import load_dataset
from service.ui import highlighted
from tests.conftest import FIXTURES
from tests.conftest import SEED
from tests.conftest import WORLD

PAGES = FIXTURES / "pages.json"


@pytest.fixture(scope="module")
def app(backend, tmp_path_factory, request):
    """The seeds, the fixture world and fixtures/pages.json (reviewed claims in two
    languages by two fact-checkers, with appearances)."""
    from tests.conftest import empty_database_url

    url = empty_database_url(backend, tmp_path_factory.mktemp("pages"), request)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        for dataset in (SEED, WORLD, PAGES):
            load_dataset(dataset)
    yield app
    db.close()


def page(client, path, status=200, **kwargs):
    """GET a page: its HTML (asserting the status and that it is a page, not JSON)."""
    response = client.get(path, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def claim_ids(html):
    """The ids of the claim cards on a page, in order."""
    cards = r'<article class="claim-card">\s*<h\d><a href="/ui/claims/(\d+)"'
    return [int(i) for i in re.findall(cards, html)]


def facet(html, name):
    """{label: (count, link)} of one facet of the search page."""
    section = re.search(rf'<section class="facet" aria-labelledby="h-facet-{name}">(.*?)</section>',
                        html, re.S).group(1)
    found = {}
    entry = (r'<li>(?:<a href="([^"]*)"[^>]*>)?(?:✓ )?([^<]+?)(?:</a>)?\s*'
             r'<span class="count">([^<]+)</span>')
    for href, label, count in re.findall(entry, section):
        found[unescape(label).strip()] = (count, unescape(href) if href else None)
    return found


def link(html, text):
    """The href of the first link whose text is `text`."""
    return unescape(re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}</a>', html).group(1))


def claim_id(text):
    from service.models import Claim

    return Claim.get(Claim.text == text).id


TURNOUT = "Turnout in the Testland election of 2023 was 99 percent."
CHOMAGE = "Le chômage a doublé à Testland en 2023."
STEEL = "Testland exported more steel than Examplia in 2022."


# --- each page ------------------------------------------------------------------------------

def test_home_lists_contested_claims_with_counts(client):
    html = page(client, "/")
    assert "North Korea supplies artillery shells" in html
    assert re.search(r"\d+ speakers · \d+ claims · \d+ quotes", html)
    assert 'href="/ui/check"' in html and 'href="/ui/topics"' in html


def test_claim_page_shows_verdicts_appearances_and_exports(client):
    html = page(client, f"/ui/claims/{claim_id(TURNOUT)}")
    assert 'class="badge verdict verdict-false">false<' in html
    assert 'href="/ui/publishers/example-fact-check">Example Fact Check</a>' in html
    assert "https://social.example.org/posts/1" in html and "first appearance" in html
    assert "https://blog.example.org/turnout" in html
    assert '<time datetime="2023-06-01">Jun 1, 2023</time>' in html
    assert f'href="/claims/{claim_id(TURNOUT)}.jsonld"' in html


def test_a_claim_without_appearances_says_so(client):
    assert "No appearance on record." in page(client, f"/ui/claims/{claim_id(STEEL)}")


def test_source_page_highlights_and_links_every_located_quote(client):
    from service.models import Quote

    html = page(client, "/ui/sources/1")
    located = Quote.select().where(Quote.source == 1, Quote.start_offset.is_null(False))
    text = re.search(r'class="in-source source-text" lang="fr">(.*?)</div>', html, re.S).group(1)
    linked = set(map(int, re.findall(r'href="/ui/quotes/(\d+)"', text)))
    assert linked == {q.id for q in located} and len(linked) >= 20
    assert re.search(r'</mark><small class="also" lang="en"> \(also <a href="/ui/quotes/\d+">',
                     text)  # two speakers, the same words: both linked
    assert 'class="in-source source-text" lang="fr"' in html
    assert 'href="/ui/speakers/vladimir-putin">Vladimir Putin</a>' in html  # its speakers
    assert "North Korea supplies artillery shells" in html  # a claim that cites it


def test_a_source_without_text_says_so(client):
    from service.models import Source

    source = Source.get(Source.slug == "radio-placeholder-2024-02-10")
    assert "does not hold this source’s text" in page(client, f"/ui/sources/{source.id}")


def test_topic_pages(client):
    html = page(client, "/ui/topics")
    assert 'href="/ui/topics/testland-elections">Testland elections</a>' in html
    assert html.index(">Arms trade<") < html.index(">Testland elections<")  # by slug
    html = page(client, "/ui/topics/testland-elections")
    assert '<p class="counts">3 claims</p>' in html
    assert {claim_id(t) for t in (TURNOUT, CHOMAGE, STEEL)} == set(claim_ids(html))
    assert 'href="/claims.csv?topic=testland-elections"' in html


def test_publisher_pages(client):
    html = page(client, "/ui/publishers")
    assert re.search(r'href="/ui/publishers/verifexemple">Vérif’Exemple</a> <small>2 reviews', html)
    html = page(client, "/ui/publishers/verifexemple")
    assert set(claim_ids(html)) == {claim_id(CHOMAGE), claim_id(STEEL)}
    assert 'verdict-mostly-true">mostly true<' in html
    assert 'href="/claims.ndjson?publisher=verifexemple"' in html


def test_speaker_page_shows_verdicts(client):
    html = page(client, "/ui/speakers/testland-electoral-board")
    assert TURNOUT in html and 'verdict-false">false<' in html


@pytest.mark.parametrize("path", [
    "/ui/claims/999999", "/ui/sources/999999", "/ui/topics/nope", "/ui/publishers/nope",
    "/ui/speakers/nope", "/ui/quotes/999999",
])
def test_unknown_things_are_404_pages(client, path):
    assert "Back to the start" in page(client, path, 404)


# --- search: filters, facets, pages ---------------------------------------------------------

def test_search_without_words_or_filters_asks_for_them(client):
    html = page(client, "/ui/search")
    assert "Type a name or words" in html and claim_ids(html) == []


@pytest.mark.parametrize(("query", "expected"), [
    ("rating=false", {TURNOUT, CHOMAGE}),
    ("rating=mostly-true", {STEEL}),
    ("publisher=verifexemple", {CHOMAGE, STEEL}),
    ("q=Testland&lang=fr", {CHOMAGE}),
    ("topic=testland-elections&status=contested", {TURNOUT}),
    ("topic=testland-elections&reviewed_since=2024-01-01&reviewed_until=2024-12-31",
     {CHOMAGE, STEEL}),
    ("publisher=verifexemple&rating=false", {CHOMAGE}),
])
def test_each_filter_selects_its_claims(client, query, expected):
    html = page(client, f"/ui/search?{query}")
    assert set(claim_ids(html)) >= {claim_id(t) for t in expected}
    if "topic=" in query or "publisher=" in query:
        assert set(claim_ids(html)) == {claim_id(t) for t in expected}


def test_facets_count_the_matching_claims_and_link_to_narrower_searches(client):
    html = page(client, "/ui/search?topic=testland-elections")
    assert facet(html, "rating") == {
        "false": ("2", "/ui/search?topic=testland-elections&rating=false"),
        "mostly true": ("1", "/ui/search?topic=testland-elections&rating=mostly-true")}
    assert facet(html, "publisher") == {
        "Example Fact Check": ("1", "/ui/search?topic=testland-elections"
                                    "&publisher=example-fact-check"),
        "Vérif’Exemple": ("2", "/ui/search?topic=testland-elections&publisher=verifexemple")}
    assert {k: v[0] for k, v in facet(html, "lang").items()} == {"English": "2", "French": "1"}
    assert {k: v[0] for k, v in facet(html, "status").items()} == {
        "contested": "1", "unattributed": "2"}
    assert facet(html, "year") == {
        "2023": ("1", "/ui/search?topic=testland-elections&reviewed_since=2023-01-01"
                      "&reviewed_until=2023-12-31"),
        "2024": ("2", "/ui/search?topic=testland-elections&reviewed_since=2024-01-01"
                      "&reviewed_until=2024-12-31")}
    narrowed = page(client, facet(html, "publisher")["Vérif’Exemple"][1])
    assert set(claim_ids(narrowed)) == {claim_id(CHOMAGE), claim_id(STEEL)}
    assert facet(narrowed, "publisher")["Vérif’Exemple"] == (
        "2", "/ui/search?topic=testland-elections")  # a chosen value's link removes it


def test_facets_count_a_bounded_sample_of_the_newest_matches_and_say_so(client, monkeypatch):
    import service.ui

    html = page(client, "/ui/search?topic=testland-elections")
    assert "Counts among" not in html
    monkeypatch.setattr(service.ui, "FACET_SAMPLE", 2)
    html = page(client, "/ui/search?topic=testland-elections")
    assert "Counts among the 2 newest matching claims." in html
    assert {k: v[0] for k, v in facet(html, "publisher").items()} == {"Vérif’Exemple": "2"}
    assert len(claim_ids(html)) == 3  # the list itself is not cut


def test_a_chosen_filter_shows_as_a_chip_that_removes_it(client):
    html = page(client, "/ui/search?topic=testland-elections&lang=fr")
    chip = r'<a href="([^"]+)" aria-label="Remove the filter Language: French"'
    remove = unescape(re.search(chip, html).group(1))
    assert remove == "/ui/search?topic=testland-elections"


def test_search_pages_on_without_repeating_claims(client):
    first = page(client, "/ui/search?lang=en")
    more = link(first, "More claims")
    assert "cursor=" in more and "lang=en" in more
    second = page(client, more)
    assert len(claim_ids(first)) == 20 and claim_ids(second)
    assert not set(claim_ids(first)) & set(claim_ids(second))
    assert min(claim_ids(second)) > max(claim_ids(first))


def test_words_find_speakers_claims_and_quotes_on_the_first_page(client):
    html = page(client, "/ui/search?q=Poutine")
    assert 'href="/ui/speakers/vladimir-putin">Vladimir Putin</a>' in html
    assert "<mark>Poutine</mark>" in html


@pytest.mark.parametrize(("query", "message"), [
    ("rating=bogus", "rating"),
    ("lang=%3Cscript%3E", "lang"),
    ("reviewed_since=2024-02-01&reviewed_until=2024-01-01", "reviewed_until"),
    ("reviewed_since=yesterday", "reviewed_since"),
    ("q=%22unbalanced", "quote"),
    ("cursor=not-a-cursor&lang=en", "cursor"),
    ("q=" + "x" * 501, "q"),
])
def test_bad_filters_are_400_pages_that_say_why(client, query, message):
    html = page(client, f"/ui/search?{query}", 400)
    assert 'role="alert"' in html and message in html.lower()
    assert "<script" not in html


# --- exports ----------------------------------------------------------------------------------

def export_urls(html):
    return {name: unescape(url) for url, name in re.findall(
        r'<a href="([^"]+)">(CSV|NDJSON|JSON-LD)</a>', html)}


def test_export_links_carry_the_filters_and_give_the_same_claims(client):
    html = page(client, "/ui/search?publisher=verifexemple&rating=false")
    urls = export_urls(html)
    for url in urls.values():
        assert dict(parse_qsl(urlsplit(url).query)) == {"publisher": "verifexemple",
                                                        "rating": "false"}
    lines = client.get(urls["NDJSON"]).get_data(as_text=True).splitlines()
    assert [json.loads(line)["text"] for line in lines] == [CHOMAGE]
    csv = client.get(urls["CSV"]).get_data(as_text=True)
    assert CHOMAGE in csv and STEEL not in csv
    reviews = client.get(urls["JSON-LD"]).get_json()
    assert [r["claimReviewed"] for r in reviews] == [CHOMAGE]
    assert reviews[0]["@type"] == "ClaimReview"


def test_claims_jsonld_refuses_bad_filters_with_a_problem(client):
    response = client.get("/claims.jsonld?rating=bogus")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


# --- check a claim ---------------------------------------------------------------------------

def test_check_a_claim_finds_it_with_its_verdict(client):
    html = page(client, "/ui/check")
    assert '<form class="check" action="/ui/check" method="post">' in html
    response = client.post("/ui/check", data={"text": "Was turnout 99 percent in Testland?"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert claim_ids(html)[0] == claim_id(TURNOUT) and 'verdict-false">false<' in html
    assert re.search(r"Match: \d+ %", html)


def test_check_a_claim_by_a_link(client):
    html = page(client, "/ui/check?text=le+chômage+a+doublé&lang=fr")
    assert claim_ids(html)[0] == claim_id(CHOMAGE)


@pytest.mark.parametrize(("data", "message"), [
    ({"text": "x" * 20001}, "text"),
    ({"text": "steel", "lang": "not a language"}, "lang"),
])
def test_check_a_claim_refuses_bad_input_with_a_400_page(client, data, message):
    response = client.post("/ui/check", data=data)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


# --- languages -------------------------------------------------------------------------------

def html_lang(html):
    return re.search(r'<html lang="([^"]+)">', html).group(1)


@pytest.mark.parametrize(("accept", "lang", "words"), [
    ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "Affirmations contestées"),
    ("fr-CA", "fr", "Affirmations contestées"),
    ("en-GB,en;q=0.8,fr;q=0.5", "en", "Contested claims"),
    ("de-DE", "en", "Contested claims"),
    (None, "en", "Contested claims"),
])
def test_accept_language_picks_the_page_language(client, accept, lang, words):
    html = page(client, "/", headers={"Accept-Language": accept} if accept else {})
    assert html_lang(html) == lang and words in html


def test_the_switch_sets_a_cookie_and_goes_back(client):
    response = client.get("/ui/language/fr?next=/ui/topics/testland-elections")
    assert response.status_code == 303
    assert response.headers["Location"] == "/ui/topics/testland-elections"
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert "Max-Age=31536000" in response.headers["Set-Cookie"]


# (One page per test below: within a test, pytest-flask keeps one app context, where
# Flask-Babel caches the first page's locale.)
@pytest.mark.parametrize(("cookie", "accept", "lang", "words"), [
    ("fr", "en", "fr", "3 affirmations"),
    ("en", "fr", "en", "3 claims"),
    ("de", "fr", "fr", "3 affirmations"),  # a language we do not have: Accept-Language
])
def test_the_cookie_wins_over_accept_language(client, cookie, accept, lang, words):
    client.set_cookie("lang", cookie)
    html = page(client, "/ui/topics/testland-elections", headers={"Accept-Language": accept})
    assert html_lang(html) == lang and words in html
    other = "en" if lang == "fr" else "fr"
    assert f'href="/ui/language/{other}?next=/ui/topics/testland-elections"' in html


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil", ""])
def test_the_switch_never_redirects_off_the_site(client, target):
    response = client.get("/ui/language/fr", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_french_pages_format_dates_numbers_and_labels(client):
    client.set_cookie("lang", "fr")
    html = page(client, f"/ui/claims/{claim_id(TURNOUT)}")
    assert '<time datetime="2023-06-01">1 juin 2023</time>' in html
    assert 'verdict-false">faux<' in html and 'badge-contested">contestée<' in html
    search = page(client, "/ui/search?topic=testland-elections")
    assert set(facet(search, "lang")) == {"anglais", "français"}
    assert "Vérifications" in html and "Où elle est apparue" in html
    html = page(client, f"/ui/quotes/{far_quote().id}")
    assert re.search(r"Caractères \d\u202f\d{3} à \d\u202f\d{3} du texte", html)  # 6 031


def test_english_pages_format_numbers_with_commas(client):
    html = page(client, f"/ui/quotes/{far_quote().id}")
    assert re.search(r"Characters \d,\d{3}–\d,\d{3} of the source", html)


def far_quote():
    """A quote more than a thousand characters into its source."""
    from service.models import Quote

    return Quote.select().where(Quote.start_offset > 1000).order_by(Quote.id).first()


@pytest.mark.parametrize("path", ["/claims/1", "/claims?status=contested", "/claims/999999"])
def test_the_api_json_is_the_same_in_every_language(client, path):
    english = client.get(path, headers={"Accept-Language": "en"})
    client.set_cookie("lang", "fr")
    french = client.get(path, headers={"Accept-Language": "fr"})
    assert french.status_code == english.status_code
    assert french.get_json() == english.get_json()


def test_every_text_of_the_pages_has_a_french_translation():
    """Extracted from the code and templates now (babel.cfg's rules), checked against the
    compiled catalogue the app loads: a new English text, or a .po not compiled, fails."""
    from babel.messages.extract import DEFAULT_KEYWORDS
    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo

    from service.config import ROOT

    method_map = [("service/**.py", "python"), ("service/templates/**.html", "jinja2")]
    texts = {message if isinstance(message, str) else message[0]
             for _, _, message, _, _ in extract_from_dir(
                 ROOT, method_map, keywords={**DEFAULT_KEYWORDS, "_l": None})}
    with open(ROOT / "service/translations/fr/LC_MESSAGES/messages.mo", "rb") as handle:
        catalog = read_mo(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
    assert len(texts) > 100 and sorted(texts - translated) == []


# --- highlighting ---------------------------------------------------------------------------

def quote(id_, start, end):
    return SimpleNamespace(id=id_, start_offset=start, end_offset=end)


def test_highlighting_links_each_piece_to_the_narrowest_quote():
    outer, inner, apart, twin = quote(1, 0, 10), quote(2, 3, 5), quote(3, 12, 14), quote(4, 12, 14)
    pieces = highlighted("abcdefghijklmnop", [outer, inner, apart, twin])
    assert [(text, [q.id for q in quotes]) for text, quotes in pieces] == [
        ("abc", [1]), ("de", [2]), ("fghij", [1]), ("kl", []), ("mn", [3, 4]), ("op", [])]


def test_highlighting_skips_quotes_without_a_place():
    pieces = highlighted("abc", [quote(1, None, None), quote(2, 1, 9)])
    assert pieces == [("abc", [])]
