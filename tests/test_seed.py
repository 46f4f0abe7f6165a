"""The seed article: every quotation verbatim, located, attributed; the contested claim."""

import json
import re

import pytest

from service.loader import load_dataset
from service.models import Claim
from service.models import Quote
from service.models import Source
from service.models import Speaker
from tests.conftest import SEED

ARTICLE = SEED.parent / "sources" / "kim-putin-summit-2023-09-13.txt"
GUILLEMETS = re.compile(r"«[\u00a0\u202f ]?(.+?)[\u00a0\u202f ]?»", re.S)


def seed_source():
    return Source.get(Source.slug == "kim-putin-summit-2023-09-13")


def test_article_is_stored_exactly_as_the_file(db):
    assert seed_source().text == ARTICLE.read_text(encoding="utf-8")


def test_article_metadata_absent_from_it_stays_empty(db):
    source = seed_source()
    assert (source.publisher, source.url, source.published_on) == (None, None, None)
    assert source.lang == "fr"


def test_every_seeded_quote_is_its_source_text_at_its_selector(db):
    quotes = list(Quote.select().join(Source).where(Source.slug == seed_source().slug))
    assert len(quotes) >= 20
    for quote in quotes:
        text = quote.source.text
        assert text[quote.start_offset : quote.end_offset] == quote.text
        assert text[: quote.start_offset].endswith(quote.prefix)
        assert text[quote.end_offset :].startswith(quote.suffix)


def test_every_guillemet_quotation_is_a_direct_or_partial_quote(db):
    spans = [m.group(1) for m in GUILLEMETS.finditer(ARTICLE.read_text(encoding="utf-8"))]
    assert len(spans) >= 10
    quoted = {q.text for q in Quote.select().where(Quote.kind.in_(["direct", "partial"]))}
    assert [span for span in spans if span not in quoted] == []


def test_typographic_characters_survive(db):
    texts = [q.text for q in Quote.select()]
    assert any("’" in t for t in texts)
    assert "soutien total et inconditionnel" in texts


def test_central_claim_is_contested(db):
    claim = Claim.get(Claim.text.contains("artillery shells"))
    assert claim.status == "contested"
    positions = {(s.speaker.slug, s.position) for s in claim.stances}
    assert positions == {
        ("united-states", "asserts"),
        ("russian-officials", "denies"),
        ("north-korean-officials", "denies"),
    }


def test_wikidata_ids_only_where_certain(db):
    known = dict(Speaker.select(Speaker.slug, Speaker.wikidata_id)
                 .where(Speaker.wikidata_id.is_null(False)).tuples())
    assert known["vladimir-putin"] == "Q7747"
    assert known["kim-jong-un"] == "Q56226"
    assert set(known.values()) <= {"Q7747", "Q56226", "Q30", "Q159", "Q423", "Q884", "Q17"}


def test_seed_reload_changes_nothing(db):
    report = load_dataset(SEED)
    assert sum(report.created.values()) == 0
    assert report.unchanged["quotes"] == len(json.loads(SEED.read_text())["quotes"])


@pytest.mark.parametrize("slug", ["analysts", "russian-officials", "kcna", "russian-state-media"])
def test_groups_and_relaying_media_are_speakers(db, slug):
    assert Speaker.get_or_none(Speaker.slug == slug) is not None
