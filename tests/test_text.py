"""Name keys and text-quote selectors, without a database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.text import SELECTOR_CONTEXT
from service.text import QuoteNotInSource
from service.text import locate_quote
from service.text import name_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Poutine", "poutine"),
        ("VLADIMIR  POUTINE", "vladimir poutine"),
        ("  vladimir-poutine ", "vladimir poutine"),
        ("États-Unis", "etats unis"),
        ("etats unis", "etats unis"),
        ("united-states", "united states"),
        ("Путин", "путин"),
        ("Пётр", "петр"),
        ("김정은", "김정은"),
        ("Kim Jong-un", "kim jong un"),
        ("l’agence", "l agence"),
        ("---", ""),
    ],
)
def test_name_key_ignores_case_accents_punctuation_and_spaces(name, key):
    assert name_key(name) == key


def test_hangul_survives_decomposition_unchanged():
    assert name_key("블라디미르 푸틴") == "블라디미르 푸틴"


def test_locate_quote_gives_selector_and_offsets():
    text = "Il a dit « bonjour » puis « bonjour » encore."
    first = locate_quote(text, "bonjour")
    second = locate_quote(text, "bonjour", occurrence=2)
    assert (first.start, first.end) == (11, 18)
    assert text[second.start : second.end] == "bonjour"
    assert second.start > first.start
    assert first.prefix == "Il a dit « "
    assert second.suffix == " » encore."


def test_locate_quote_counts_code_points_not_utf16_units():
    text = "🚢 bon vent"
    found = locate_quote(text, "bon vent")
    assert found.start == 2


@pytest.mark.parametrize(("exact", "occurrence"), [("absent", 1), ("dit", 2), ("", 1)])
def test_locate_quote_refuses_what_is_not_there(exact, occurrence):
    with pytest.raises(QuoteNotInSource):
        locate_quote("Il a dit bonjour.", exact, occurrence)


@given(st.text(min_size=1), st.text(min_size=1), st.text())
def test_selector_always_points_at_the_exact_text(before, exact, after):
    text = before + exact + after
    found = locate_quote(text, exact)
    assert text[found.start : found.end] == exact
    assert text[: found.start].endswith(found.prefix)
    assert text[found.end :].startswith(found.suffix)
    assert len(found.prefix) <= SELECTOR_CONTEXT and len(found.suffix) <= SELECTOR_CONTEXT
