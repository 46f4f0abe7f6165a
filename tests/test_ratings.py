"""Verdict normalisation: published labels -> the rating scale (service/ratings.py)."""

import csv
import json
import re
from pathlib import Path

import pytest

from service.ratings import LABELS
from service.ratings import RATINGS
from service.ratings import label_key
from service.ratings import normalise_rating

ROOT = Path(__file__).resolve().parents[1]
CLAIMSKG_SAMPLES = ROOT.parent / "shared" / "data" / "claimskg-extractor-samples"
RATINGS_DOC = ROOT / "docs" / "ratings.md"
DOC_TABLE_HEADER = "| published label (examples) | normalised rating | why |"
DOC_LANGUAGES_HEADER = "| published label | language | normalised rating | source |"

# Every distinct rating_alternateName in the 10 ClaimsKG extractor samples, spelled as
# published, with its count over all files and the rating it must get.
CLAIMSKG_LABELS = {
    "False": "false",  # 344
    "Misleading": "mixed",  # 39: afpfactcheck, africacheck, checkyourfact, vishvasnews
    "True": "true",  # 29
    "Other": "other",  # 13: fullfact
    "Partly False": "mixed",  # 12: aap
    "Decontextualized": "other",  # 11: truthorfiction
    "Missing Context": "other",  # 8: aap
    "Mixture": "mixed",  # 7: fullfact, snopes
    "Miscaptioned": "other",  # 7: snopes
    "Mostly False": "mostly-false",  # 5: aap, politifact, snopes
    "Pants on Fire": "false",  # 5: politifact
    "Incorrect": "false",  # 4: africacheck
    "Altered Image": "other",  # 2: aap, afpfactcheck
    "Somewhat True": "mixed",  # 2: aap
    "Missing context": "other",  # 2: afpfactcheck
    "Partlyfalse": "mixed",  # 2: africacheck
    "Mostly True": "mostly-true",  # 2: snopes
    "Not True": "false",  # 2: truthorfiction
    "Altered Photo/Video": "other",  # 1: aap
    "Satire": "other",  # 1: aap
    "Somewhat False": "mixed",  # 1: aap
    "FALSE": "false",  # 1: afpfactcheck
    "Altered image": "other",  # 1: afpfactcheck
    "Fake": "false",  # 1: africacheck
    "Correct": "true",  # 1: africacheck
    "Legend": "unproven",  # 1: snopes
    "Correct Attribution": "other",  # 1: snopes
    "Originated as Satire": "other",  # 1: snopes
    "Unproven": "unproven",  # 1: snopes
    "Unknown": "unproven",  # 1: truthorfiction
    "Misattributed": "other",  # 1: truthorfiction
    "Mixed": "mixed",  # 1: truthorfiction
}


def claimskg_ratings():
    """Every rating_alternateName of every ClaimsKG sample file, in file order."""
    if not CLAIMSKG_SAMPLES.is_dir():
        pytest.skip(f"ClaimsKG samples not found: {CLAIMSKG_SAMPLES}")
    labels = []
    for path in sorted(CLAIMSKG_SAMPLES.glob("output_sample_*.csv")):
        with path.open(newline="", encoding="utf-8") as file:
            labels.extend(row["rating_alternateName"] for row in csv.DictReader(file))
    return labels


def doc_table(header=DOC_TABLE_HEADER, rating_column=1):
    """(label, rating) for every label listed in one of docs/ratings.md's mapping tables."""
    lines = RATINGS_DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2  # skip the header and the --- row
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        labels, rating = cells[0], cells[rating_column]
        for label in labels.split(","):
            match = re.fullmatch(r"`(.+)`", label.strip())
            assert match, f"docs/ratings.md: write each label in backticks: {line}"
            rows.append((match.group(1), rating.strip("`")))
    return rows


@pytest.mark.parametrize(
    ("label", "rating"),
    [
        # PolitiFact's Truth-O-Meter, including the pre-2011 Barely True
        ("True", "true"),
        ("Mostly True", "mostly-true"),
        ("Half True", "mixed"),
        ("Mostly False", "mostly-false"),
        ("False", "false"),
        ("Pants on Fire", "false"),
        ("Pants on Fire!", "false"),
        ("Barely True", "mostly-false"),
        # LIAR / LIAR2 label names
        ("pants-fire", "false"),
        ("false", "false"),
        ("barely-true", "mostly-false"),
        ("half-true", "mixed"),
        ("mostly-true", "mostly-true"),
        ("true", "true"),
        # case, punctuation and spacing
        ("FALSE", "false"),
        (" false! ", "false"),
        ("False:", "false"),
        ("Half true", "mixed"),
        ("HALF_TRUE", "mixed"),
        ("Partly False", "mixed"),
        ("Partlyfalse", "mixed"),
        ("Partly-False", "mixed"),
        ("partly false", "mixed"),
        ("partly_false", "mixed"),
        ("  Partly \t False  ", "mixed"),
        ("Partly True", "mixed"),
        ("Not True", "false"),
        ("NOT_TRUE", "false"),
        ("Nottrue", "false"),
        ("Altered Photo/Video", "other"),
        ("Mixture of true and false information:", "mixed"),
        ("MIXTURE OF TRUE AND FALSE INFORMATION", "mixed"),
        ("Truth!", "true"),
        # other common variants
        ("Incorrect", "false"),
        ("Inaccurate", "false"),
        ("Fake", "false"),
        ("Correct", "true"),
        ("Accurate", "true"),
        ("Mixture", "mixed"),
        ("Misleading", "mixed"),
        ("Missing Context", "other"),
        ("Miscaptioned", "other"),
        ("Decontextualized", "other"),
        ("Satire", "other"),
        ("Altered", "other"),
        ("Altered image", "other"),
        ("Outdated", "other"),
        ("Other", "other"),
        ("Unproven", "unproven"),
        ("Unverified", "unproven"),
        ("Unknown", "unproven"),
    ],
)
def test_published_label_gets_rating(label, rating):
    assert normalise_rating(label) == rating


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Pants on Fire!", "pantsonfire"),
        ("pants-fire", "pantsfire"),
        ("NOT_TRUE", "nottrue"),
        ("Partly-False", "partlyfalse"),
        ("Vérifié : FAUX", "verifiefaux"),
        ("Straße", "strasse"),
    ],
)
def test_label_key(label, key):
    assert label_key(label) == key


def test_label_key_keeps_marks_of_other_scripts():
    assert label_key("भ्रामक") == "भ्रामक"
    assert label_key("Неправда!") == "неправда"


@pytest.mark.parametrize("label", ["Purple", "", None, "   ", "!!!", "0", "Mostly"])
def test_unknown_label_has_no_rating(label):
    assert normalise_rating(label) is None


def test_every_label_maps_to_a_rating():
    assert set(LABELS.values()) <= set(RATINGS)


def test_table_keys_are_in_key_form():
    assert [key for key in LABELS if label_key(key) != key] == []


@pytest.mark.parametrize(("label", "rating"), sorted(CLAIMSKG_LABELS.items()))
def test_claimskg_label(label, rating):
    assert normalise_rating(label) == rating


def test_every_claimskg_sample_rating_is_normalised():
    labels = claimskg_ratings()
    unmapped = sorted({label for label in labels if normalise_rating(label) not in RATINGS})
    assert labels
    assert unmapped == [], f"labels without a rating: {unmapped}"


def test_claimskg_labels_lists_every_sample_label():
    assert sorted(set(claimskg_ratings())) == sorted(CLAIMSKG_LABELS)


def test_doc_table_matches_labels():
    documented = {}
    for label, rating in doc_table() + doc_table(DOC_LANGUAGES_HEADER, 2):
        documented.setdefault(label_key(label), set()).add(rating)
    assert sorted(set(LABELS) - set(documented)) == [], "in LABELS, missing from docs/ratings.md"
    assert sorted(set(documented) - set(LABELS)) == [], "in docs/ratings.md, missing from LABELS"
    wrong = {key: ratings for key, ratings in documented.items() if ratings != {LABELS[key]}}
    assert wrong == {}, "docs/ratings.md gives another rating than LABELS"


@pytest.mark.parametrize(("label", "lang", "rating"), [
    ("Faux", "fr", "false"), ("FAUX", "fr", "false"), ("Vrai", "fr", "true"),
    ("Trompeur", "fr", "mixed"), ("Plutôt faux", "fr", "mostly-false"),
    ("plutot vrai", "fr", "mostly-true"), ("Manque de contexte", "fr", "other"),
    ("Falso", "es", "false"), ("Engañoso", "es", "mixed"), ("Enganoso", "es", "mixed"),
    ("Verdadero", "es", "true"), ("Mayormente falso", "es", "mostly-false"),
    ("Falso", "pt", "false"), ("Enganoso", "pt", "mixed"), ("Verdadeiro", "pt", "true"),
    ("Fora de contexto", "pt", "other"),
    ("Falsch", "de", "false"), ("Irreführend", "de", "mixed"), ("Richtig", "de", "true"),
    ("Größtenteils falsch", "de", "mostly-false"), ("GRÖSSTENTEILS FALSCH", "de", "mostly-false"),
    ("Falso", "it", "false"), ("Fuorviante", "it", "mixed"), ("Vero", "it", "true"),
    ("Onwaar", "nl", "false"), ("Niet waar", "nl", "false"), ("Misleidend", "nl", "mixed"),
    ("Waar", "nl", "true"),
    ("Fałsz", "pl", "false"), ("FAŁSZ", "pl", "false"), ("Manipulacja", "pl", "mixed"),
    ("Prawda", "pl", "true"), ("Nieweryfikowalne", "pl", "unproven"),
    ("Ложь", "ru", "false"), ("Неправда!", "ru", "false"), ("Вводит в заблуждение", "ru", "mixed"),
    ("Правда", "ru", "true"), ("Скорее правда", "ru", "mostly-true"),
    ("زائف", "ar", "false"), ("خطأ", "ar", "false"), ("مضلل", "ar", "mixed"),
    ("صحيح", "ar", "true"), ("صحيح جزئياً", "ar", "mixed"),
])
def test_labels_in_other_languages(label, lang, rating):
    assert normalise_rating(label) == rating, lang


@pytest.mark.parametrize("label", ["Inexact", "Douteux", "Exagéré", "Falsissimo", "Почти"])
def test_ambiguous_labels_in_other_languages_stay_unmapped(label):
    assert normalise_rating(label) is None


@pytest.mark.parametrize(("value", "best", "worst", "rating"), [
    (1, 5, 1, "false"), (2, 5, 1, "mostly-false"), (3, 5, 1, "mixed"), (4, 5, 1, "mostly-true"),
    (5, 5, 1, "true"), (3, None, None, "mixed"), ("4", "5", "1", "mostly-true"),
    (0, 1, 0, "false"), (1, 1, 0, "true"), (0.25, 1, 0, "mostly-false"),
    (6, 5, 1, None), (0, 5, 1, None), (3, 1, 5, None), (3, 3, 3, None), ("high", 5, 1, None),
    (None, 5, 1, None), (True, "x", 1, None),
])
def test_numeric_verdicts_by_their_place_on_the_scale(value, best, worst, rating):
    assert normalise_rating("Some label nobody mapped", value, best, worst) == rating


def test_a_known_label_wins_over_its_number():
    assert normalise_rating("False", 5, 5, 1) == "false"
    assert normalise_rating(None, 5, 5, 1) == "true"


def claim_review(text, label, **numbers):
    rating = {"@type": "Rating", **({"alternateName": label} if label else {}), **numbers}
    return {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": text,
            "url": f"https://checks.example.org/{abs(hash(text))}", "datePublished": "2024-05-01",
            "author": {"@type": "Organization", "name": "Checks Example"},
            "reviewRating": rating}


def test_imports_rate_by_label_then_number_and_count_the_unmapped(db):
    from schemas.reviews import ReviewSchema
    from service.importer import import_text
    from service.models import Claim
    from service.models import Review

    records = [
        claim_review("Ratings test: a French label", "Plutôt faux"),
        claim_review("Ratings test: a number", "Pas vraiment", ratingValue=2, bestRating=5,
                     worstRating=1),
        claim_review("Ratings test: unknown", "Pas clair"),
        claim_review("Ratings test: unknown again", "Pas clair"),
        claim_review("Ratings test: a number off its scale", "Bof", ratingValue=9),
    ]
    report = import_text(json.dumps(records), "claimreview", "test")
    assert report.as_dict()["unmapped_ratings"] == {"Pas clair": 2, "Bof": 1}
    reviews = {r.claim.text: r for r in Review.select().join(Claim).where(
        Claim.text.startswith("Ratings test:"))}
    assert {text: r.rating for text, r in reviews.items()} == {
        "Ratings test: a French label": "mostly-false",
        "Ratings test: a number": "mostly-false",
        "Ratings test: unknown": None,
        "Ratings test: unknown again": None,
        "Ratings test: a number off its scale": None,
    }
    dumped = {text: ReviewSchema().dump(r)["rating_unmapped"] for text, r in reviews.items()}
    assert dumped == {"Ratings test: a French label": False, "Ratings test: a number": False,
                      "Ratings test: unknown": True, "Ratings test: unknown again": True,
                      "Ratings test: a number off its scale": True}
    assert {r.rating_label for r in reviews.values()} >= {"Pas clair", "Plutôt faux"}
