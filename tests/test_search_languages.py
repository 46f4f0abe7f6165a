"""Language-aware search: stems in each text's language, elisions, accents, on both engines."""

import pytest

from service import search
from service.db import database
from service.models import Claim

TEXTS = {
    "fr-satellites": ("fr", "Les satellites ont été lancés depuis Vostochny."),
    "fr-artillerie": ("fr", "Des tirs d’artillerie ont visé la ville."),
    "fr-l-artillerie": ("fr", "L'artillerie lourde a été déplacée."),
    "fr-plain": ("fr", "Une artillerie moderne."),
    "en-satellites": ("en", "Two satellites were running out of fuel."),
    "en-runs": ("en", "The agency runs the programme."),
    "es-satelites": ("es", "Los satélites fueron lanzados por el gobierno."),
    "es-acusaciones": ("es", "Las acusaciones del ministro son falsas."),
    "de-satelliten": ("de-DE", "Die Satelliten wurden gestartet."),
    "de-haeuser": ("de", "Die Häuser der Regierung."),
    "ru-sputniki": ("ru", "Россия запустила спутники связи."),
    "ru-sputnikov": ("ru", "Запуск трёх спутников отложен."),
    "it-esercito": ("it", "Le truppe dell’esercito sono arrivate."),
    "none-satellite": (None, "satellite"),
}


@pytest.fixture
def corpus(db):
    """The texts above as claims (rolled back after the test): {key: id}."""
    return {key: Claim.create(text=text, lang=lang).id for key, (lang, text) in TEXTS.items()}


def found(corpus, q, lang=None):
    """The texts matching `q`; with `lang`, among the texts in that language (as lang= does)."""
    ids = {row[0] for row in database.execute(search.hits(Claim, q, lang)).fetchall()}
    keys = {key for key, claim_id in corpus.items() if claim_id in ids}
    return {k for k in keys if not lang or (TEXTS[k][0] or "").startswith(lang)}


@pytest.mark.parametrize(("q", "lang", "expected"), [
    # French: plural and singular share a stem; accents folded; elisions (’ and ') dropped
    ("satellite", "fr", {"fr-satellites"}),
    ("lancer", "fr", {"fr-satellites"}),
    ("artillerie", "fr", {"fr-artillerie", "fr-l-artillerie", "fr-plain"}),
    ("d’artillerie", "fr", {"fr-artillerie", "fr-l-artillerie", "fr-plain"}),
    ("l'artillerie", "fr", {"fr-artillerie", "fr-l-artillerie", "fr-plain"}),
    ("deplacee", "fr", {"fr-l-artillerie"}),
    # English
    ("satellite", "en", {"en-satellites"}),
    ("run", "en", {"en-satellites", "en-runs"}),
    # Spanish
    ("satelite", "es", {"es-satelites"}),
    ("ministros", "es", {"es-acusaciones"}),
    ("lanzar", "es", {"es-satelites"}),
    # German
    ("Satellit", "de", {"de-satelliten"}),
    ("Haus", "de", {"de-haeuser"}),
    # Russian
    ("спутник", "ru", {"ru-sputniki", "ru-sputnikov"}),
    ("спутниками", "ru", {"ru-sputniki", "ru-sputnikov"}),
    # Italian elision
    ("esercito", "it", {"it-esercito"}),
    ("dell'esercito", "it", {"it-esercito"}),
])
def test_words_match_by_stem_in_their_language(corpus, q, lang, expected):
    assert found(corpus, q, lang) == expected


def test_a_query_without_lang_stems_in_every_language(corpus):
    assert found(corpus, "satellite") == {"fr-satellites", "en-satellites", "de-satelliten",
                                          "none-satellite"}
    assert found(corpus, "satelite") == {"es-satelites"}  # Spanish spells it with one l
    assert found(corpus, "спутник") == {"ru-sputniki", "ru-sputnikov"}


def test_the_words_as_written_match_in_any_language(corpus):
    """The language-neutral field: a text without language is found by its exact words."""
    assert found(corpus, "satellite") >= {"none-satellite"}
    assert found(corpus, "satellites") >= {"none-satellite"}  # by the English stem of both
    assert found(corpus, "Vostochny", "en") == set()  # a French text, outside lang=en
    assert found(corpus, "Vostochny") == {"fr-satellites"}


def test_phrases_match_the_words_as_written_not_their_stems(corpus):
    assert found(corpus, '"tirs d’artillerie"') == {"fr-artillerie"}
    assert found(corpus, '"tir artillerie"') == set()
    assert found(corpus, '"artillerie lourde"') == {"fr-l-artillerie"}


def test_prefixes_and_exclusions(corpus):
    assert found(corpus, "artill*") == {"fr-artillerie", "fr-l-artillerie", "fr-plain"}
    assert found(corpus, "artillerie -lourde -moderne") == {"fr-artillerie"}
    assert found(corpus, "(satellite OR спутник) -связи") == {
        "fr-satellites", "en-satellites", "de-satelliten", "none-satellite", "ru-sputnikov"}


def test_the_index_follows_a_change_of_language(corpus, db):
    claim = Claim.get_by_id(corpus["en-runs"])
    assert "en-runs" in found(corpus, "run")
    claim.text, claim.lang = "Les fusées décollent.", "fr"
    claim.save()
    assert found(corpus, "fusée") == {"en-runs"}
    assert "en-runs" not in found(corpus, "run")
