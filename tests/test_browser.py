"""The pages, in a real browser (Debian's Chromium through Playwright) against a live server.

Screenshots of the main pages go to artifacts/screenshots/ (CI keeps them). The axe-core
audit injects tests/vendor/axe-core/axe.min.js (the npm package's file, MPL-2.0, vendored
so that the tests need no network); without it the audit is skipped, saying so.
"""

import re
import shutil
from pathlib import Path

import pytest

from service import create_app
from service.db import bind
from service.db import migrate
from service.loader import load_dataset
from tests.conftest import FIXTURES
from tests.conftest import SEED
from tests.conftest import WORLD
from tests.live import live_server

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="no Chromium on this machine: browser tests skipped")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def live(backend, tmp_path_factory, request):
    """A gunicorn server over the seeds and the fixture world."""
    from tests.conftest import empty_database_url

    url = empty_database_url(backend, tmp_path_factory.mktemp("browser"), request)
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
        load_dataset(FIXTURES / "pages.json")
    with live_server(url, tmp_path_factory.mktemp("cwd"), workers=2) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(browser, request):
    context = browser.new_context(java_script_enabled=request.param,
                                  viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def shoot(page, backend, name, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-{name}.png"), full_page=full_page)


def test_from_search_to_the_claim_to_the_quote(page, live, backend):
    page.goto(live + "/")
    shoot(page, backend, "home")
    page.get_by_label("Search a speaker (any language or spelling) or words").fill("Poutine")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/search?q=Poutine")
    page.get_by_role("link", name="Vladimir Putin").first.click()
    page.wait_for_url("**/ui/speakers/vladimir-putin")
    assert page.get_by_role("heading", level=1).inner_text() == "Vladimir Putin"
    shoot(page, backend, "speaker")

    page.goto(live + "/")
    page.get_by_role("link", name="North Korea supplies artillery shells").click()
    denies = page.locator("section.position-denies")
    assert denies.get_by_role("link", name="Russian officials").count() == 1
    assert denies.get_by_role("link", name="North Korean officials").count() == 1
    asserts = page.locator("section.position-asserts")
    assert asserts.get_by_role("link", name="United States").count() == 1
    assert page.locator(".badge-contested").first.inner_text().lower() == "contested"
    shoot(page, backend, "claim")

    asserts.get_by_role("link", name="See it in its source").click()
    mark = page.locator("mark#quote")
    assert mark.inner_text().startswith("Les États-Unis ont accusé la Corée du Nord")
    assert page.locator(".in-source").get_attribute("lang") == "fr"
    shoot(page, backend, "quote")


def test_unknown_name_offers_did_you_mean(page, live):
    page.goto(live + "/ui/search?q=Putn")
    suggestion = page.locator(".did-you-mean")
    assert "Did you mean" in suggestion.inner_text()
    assert suggestion.get_by_role("link", name="Vladimir Putin").count() == 1


def test_quotes_in_other_languages_carry_lang(page, live):
    page.goto(live + "/ui/speakers/pyotr-obraztsov")
    assert page.locator('blockquote[lang="ru"]').count() == 1
    assert page.locator('blockquote[lang="fr"]').count() >= 1


def test_hostile_text_stays_text(page, live):
    page.goto(live + "/ui/speakers/bob-hostile")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "<script>alert(1)</script>" in heading and "\u200f" in heading
    for path in ("/ui/search?q=%3Cscript%3Ealert(2)%3C%2Fscript%3E", "/ui/search?q=Bob"):
        page.goto(live + path)
        assert page.locator("script").count() == 0  # the pages have no script at all
    assert page.dialogs == []


def test_keyboard_reaches_the_search_box_first(page, live):
    page.goto(live + "/ui/claims/1")
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Skip to content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.locator(":focus").get_attribute("id") == "q-top"
    page.keyboard.type("Kim Jong Un")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/search?q=Kim+Jong+Un")
    assert page.get_by_role("link", name="Kim Jong-un").count() >= 1


def test_a_phone_sized_screen_shows_one_column(browser, live, backend):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live + "/ui/claims/1")
    asserts = page.locator("section.position-asserts").bounding_box()
    denies = page.locator("section.position-denies").bounding_box()
    assert denies["y"] > asserts["y"] and denies["x"] == asserts["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, backend, "claim-phone")
    context.close()


# --- pages v2: every page, filter and language, without JavaScript --------------------------

@pytest.fixture
def plain(browser):
    """A page without JavaScript (what the pages must work with), English first."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB",
                                  viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def claim_texts(page):
    return set(page.locator("article.claim-card h3 a").all_inner_texts())


TURNOUT = "Turnout in the Testland election of 2023 was 99 percent."
CHOMAGE = "Le chômage a doublé à Testland en 2023."
STEEL = "Testland exported more steel than Examplia in 2022."


def test_source_page_links_each_highlighted_quote(plain, live, backend):
    plain.goto(live + "/ui/quotes/1")
    plain.get_by_role("link", name="The whole source").click()
    plain.wait_for_url("**/ui/sources/1")
    marks = plain.locator(".source-text mark a")
    assert marks.count() >= 20
    assert plain.locator(".source-text").get_attribute("lang") == "fr"
    speakers = plain.locator("section[aria-labelledby=h-speakers]")
    assert speakers.get_by_role("link", name="Kim Jong-un", exact=True).count() == 1
    shoot(plain, backend, "source", full_page=False)  # (the whole text: a megabyte)
    marks.filter(has_text="soutien total et inconditionnel").first.click()
    plain.wait_for_url(re.compile(r".*/ui/quotes/\d+$"))
    assert plain.locator("mark#quote").inner_text() == "soutien total et inconditionnel"


def test_claim_page_links_topic_publisher_and_appearances(plain, live, backend):
    plain.goto(live + "/ui/search?q=turnout")
    plain.get_by_role("link", name=TURNOUT).click()
    assert plain.locator(".review .verdict-false").inner_text().lower() == "false"
    appearances = plain.locator("ul.appearances li")
    assert appearances.count() == 2 and "first appearance" in appearances.first.inner_text().lower()
    shoot(plain, backend, "claim-reviewed")
    plain.get_by_role("link", name="Testland elections").click()
    plain.wait_for_url("**/ui/topics/testland-elections")
    assert claim_texts(plain) == {TURNOUT, CHOMAGE, STEEL}
    assert plain.locator(".claim-card .verdict").count() == 3  # a verdict on every reviewed one
    plain.get_by_role("link", name=TURNOUT).click()
    plain.get_by_role("link", name="Example Fact Check").click()
    plain.wait_for_url("**/ui/publishers/example-fact-check")
    assert TURNOUT in claim_texts(plain)


def test_search_narrows_by_each_facet_and_dates(plain, live, backend):
    plain.goto(live + "/ui/search?topic=testland-elections")
    facets = plain.locator("aside.facets")
    assert facets.locator("#h-facet-publisher + ul li", has_text="Vérif’Exemple") \
        .locator(".count").inner_text() == "2"
    shoot(plain, backend, "search")
    for facet, value, expected in [("rating", "mostly true", {STEEL}),
                                   ("publisher", "Vérif’Exemple", {CHOMAGE, STEEL}),
                                   ("lang", "French", {CHOMAGE}),
                                   ("status", "contested", {TURNOUT}),
                                   ("year", "2023", {TURNOUT})]:
        plain.goto(live + "/ui/search?topic=testland-elections")
        plain.locator(f"#h-facet-{facet} + ul").get_by_role("link", name=value).click()
        assert claim_texts(plain) == expected, facet
        while plain.locator("ul.chips li").count() > 1:  # each chip removes its filter
            plain.locator("ul.chips li").last.get_by_role("link").click()
        assert claim_texts(plain) == {TURNOUT, CHOMAGE, STEEL}, facet
    plain.get_by_label("From", exact=True).fill("2024-04-01")
    plain.get_by_label("To", exact=True).fill("2024-12-31")
    plain.get_by_role("button", name="Apply").click()
    assert "reviewed_since=2024-04-01" in plain.url and claim_texts(plain) == {STEEL}


def test_search_pages_on(plain, live):
    plain.goto(live + "/ui/search?lang=en")
    first = claim_texts(plain)
    plain.get_by_role("link", name="More claims").click()
    second = claim_texts(plain)
    assert len(first) == 20 and second and not first & second


def test_export_links_carry_the_filters(plain, live):
    plain.goto(live + "/ui/search?publisher=verifexemple&rating=false")
    links = plain.locator("p.formats a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert [h.split("?")[0] for h in hrefs] == ["/claims.csv", "/claims.ndjson", "/claims.jsonld"]
    assert all(h.endswith("?publisher=verifexemple&rating=false") for h in hrefs)


def test_check_a_claim_without_javascript(plain, live, backend):
    plain.goto(live + "/")
    plain.get_by_role("link", name="Check a claim").click()
    plain.get_by_label("Paste a claim, a post or a paragraph").fill(
        "BREAKING: turnout in Testland was 99% !!! https://t.example/x")
    plain.get_by_role("button", name="Find similar claims").click()
    first = plain.locator(".similar").first
    assert first.locator("h3").inner_text() == TURNOUT
    assert first.locator(".verdict-false").count() == 1
    shoot(plain, backend, "check")


def test_the_language_switch_is_remembered(plain, live, backend):
    plain.goto(live + "/ui/claims/1")
    assert plain.locator("html").get_attribute("lang") == "en"
    plain.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    plain.wait_for_url("**/ui/claims/1")
    assert plain.locator("html").get_attribute("lang") == "fr"
    assert plain.get_by_role("heading", name="Affirment").count() == 1
    shoot(plain, backend, "claim-fr")
    plain.goto(live + "/ui/topics")  # remembered on the next page
    assert plain.get_by_role("heading", level=1).inner_text() == "Thèmes"
    plain.get_by_role("link", name="English").click()
    assert plain.get_by_role("heading", level=1).inner_text() == "Topics"


def test_a_french_browser_gets_french_pages(browser, live):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live + "/ui/search?topic=testland-elections")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Affiner").count() == 1
    assert page.locator(".verdict-mostly-true").first.inner_text().lower() == "plutôt vrai"
    page.goto(live + "/ui/claims/1")
    page.get_by_role("link", name="La voir dans sa source").first.click()
    assert re.search(r"Caractères 6\u202f031 à 6\u202f190", page.locator(".selector").inner_text())
    context.close()


def test_the_search_page_fits_a_phone(browser, live, backend):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)
    page = context.new_page()
    for path in ("/ui/search?topic=testland-elections", "/ui/sources/1", "/ui/check"):
        page.goto(live + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(live + "/ui/search?topic=testland-elections")
    results = page.locator(".results").bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert facets["y"] > results["y"]  # one column: the results first, then the facets
    shoot(page, backend, "search-phone")
    context.close()


# --- accessibility: axe-core on every page ---------------------------------------------------

AUDITED = [
    "/", "/ui/claims/1", "/ui/quotes/23", "/ui/sources/1", "/ui/speakers/vladimir-putin",
    "/ui/speakers/elise-fauxnom", "/ui/topics", "/ui/topics/testland-elections",
    "/ui/publishers", "/ui/publishers/verifexemple", "/ui/search?q=Poutine",
    "/ui/search?topic=testland-elections&lang=fr", "/ui/search?q=Putn", "/ui/check",
    "/ui/check?text=turnout+in+Testland", "/ui/search?rating=bogus", "/ui/claims/999999",
]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: the axe-core audit is skipped")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en-GB", "fr-FR"])
def test_axe_finds_no_serious_violation_on_any_page(browser, live, axe_source, language):
    context = browser.new_context(locale=language, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    found = {}
    for path in AUDITED:
        page.goto(live + path)
        page.evaluate(axe_source)  # through the DevTools protocol: the page's CSP is untouched
        violations = page.evaluate("""async () => (await axe.run(document,
            {resultTypes: ['violations']})).violations.map(v => ({id: v.id, impact: v.impact,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    context.close()
    assert found == {}


def test_the_keyboard_reaches_and_follows_a_facet(plain, live):
    plain.goto(live + "/ui/search?topic=testland-elections")
    for _ in range(40):
        plain.keyboard.press("Tab")
        if plain.evaluate("document.activeElement.textContent") == "French":
            break
    assert plain.evaluate("document.activeElement.getAttribute('href')").endswith("lang=fr")
    plain.keyboard.press("Enter")
    plain.wait_for_url("**/ui/search?topic=testland-elections&lang=fr")
    assert claim_texts(plain) == {CHOMAGE}
