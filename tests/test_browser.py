"""The pages, in a real browser (Debian's Chromium through Playwright) against a live server.

Screenshots of the main pages go to artifacts/screenshots/ (CI keeps them).
"""

import shutil
from pathlib import Path

import pytest

from service import create_app
from service.db import bind
from service.db import migrate
from service.loader import load_dataset
from tests.conftest import SEED
from tests.conftest import WORLD
from tests.live import live_server

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="no Chromium on this machine: browser tests skipped")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
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


def shoot(page, backend, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-{name}.png"), full_page=True)


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
