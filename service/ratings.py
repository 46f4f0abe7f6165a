"""Verdict normalisation: a fact-checker's published label -> Claimbase's rating scale.

Every review keeps the label exactly as published (``rating_label``); the normalised
``rating`` is derived from it with :func:`normalise_rating` and is only an index for filtering
and comparing across publishers. The human-readable version of the table, with the reason for
every row, is ``docs/ratings.md``; a test keeps it and :data:`LABELS` identical.

The scale
---------
``true``, ``mostly-true``, ``mixed``, ``mostly-false``, ``false`` are the five graded
verdicts (PolitiFact's six-level Truth-O-Meter with False and Pants on Fire merged).
``unproven`` is "examined, but no verdict possible". ``other`` is for labels that judge
something else than the truth of the claim (context, captions, attribution, satire, edited
media, age) or say nothing at all (Full Fact's ``Other``).

Keys
----
:func:`label_key` reduces a label to its letters and digits: case-folded (``casefold``, so
``ß`` == ``ss``), NFKD-normalised, accents removed from Latin letters (``é`` -> ``e``), and
everything else dropped: whitespace, ``-``, ``_``, ``!``, ``:``, ``/``, ``&``, quotes and
other punctuation or symbols. Dropping the separators glues the words together, so the
spellings seen in the wild all meet: ``Partly False``, ``Partly-False``, ``partly_false``
and ``Partlyfalse`` are all ``partlyfalse``; ``Not True`` and ``NOT_TRUE`` are ``nottrue``;
``Pants on Fire!`` is ``pantsonfire``. The keys of :data:`LABELS` are stored in that form
(a test checks every key is its own key). Combining marks of other scripts (Devanagari
vowel signs, Cyrillic ``й``, Arabic vowel marks) are part of the spelling and are kept.

The choices
-----------
The basis is the crosswalk in ``../shared/INTEROP.md`` ("Suggested crosswalk"), which splits
ClaimsKG's MIXTURE into the three graded middles.

* Only unqualified verdicts are ``true`` / ``false``: True, Correct, Accurate; False,
  Incorrect, Inaccurate, Not True, Fake, Hoax. PolitiFact's Pants on Fire (LIAR
  ``pants-fire``) is "false and ridiculous": still ``false``, the ridicule is not a degree of
  truth.
* ``mostly-true`` / ``mostly-false`` only for labels that say which side predominates:
  Mostly True / Mostly Correct, Mostly False, and PolitiFact's Barely True (LIAR
  ``barely-true``), the name Mostly False had until July 2011.
* ``mixed`` for the middle of every scale: PolitiFact's Half True (LIAR ``half-true``) is the
  midpoint of the six levels; Snopes' Mixture and TruthOrFiction's Mixed say "significant
  elements of both". Partly True / Partly False (and Partially ...) say that *a part* is
  true or false, not that it predominates, so they are ``mixed`` too (ClaimsKG: MIXTURE for
  AFP's Partly False and fatabyyano's Partially False). AAP's old six-level scale has two
  middles, Somewhat True and Somewhat False; both are ``mixed``, as PolitiFact's one middle.
* ``Misleading`` is ``mixed``. ClaimsKG's per-site tables (``claimskg_generator``
  ``ratings.py`` at 434642f) disagree: FALSE for checkyourfact and English AFP, MIXTURE for
  vishvasnews and polygraph and, for French AFP, ``trompeur`` (= misleading), and OTHER for
  factscan. MIXTURE is the plurality (3 of 6 tables; an earlier revision also had MIXTURE for
  checkyourfact), and a misleading claim is by definition partly accurate, which is what
  ``mixed`` says. X-Fact likewise files "partly true/misleading" as its middle level. Nothing
  in the label says which side predominates, so not ``mostly-false``.
* ``unproven`` for Unproven, Unverified, Unknown (TruthOrFiction), and Snopes' Legend, which
  Snopes applies to stories so general they "might well have happened" and are therefore
  unprovable (ClaimsKG had FALSE; Snopes' own definition wins).
* ``other`` for labels about something else than truth: Missing Context, Out of Context,
  Decontextualized, Miscaptioned, Misattributed / Correct Attribution (who said it, not
  whether it is true), Satire / Labeled Satire / Originated as Satire, Altered (image, photo,
  video), Outdated, Commentary, and Full Fact's Other.
* Unknown labels give ``None``, never a guess (ClaimsKG's fallback to OTHER is what this
  avoids). LIAR2's numeric codes 0-5 are dataset-specific and are not labels: an importer
  maps them to the LIAR names first.
"""

import unicodedata

RATINGS = ("true", "mostly-true", "mixed", "mostly-false", "false", "unproven", "other")

# key (see label_key) -> rating. The comment names the published spelling(s) and who uses it.
# Keep docs/ratings.md in step: tests/test_ratings.py compares the two.
LABELS = {
    # true: unqualified verdicts that the claim is accurate
    "true": "true",  # True (PolitiFact, Snopes, LIAR `true`, ...)
    "correct": "true",  # Correct (Africa Check, Full Fact)
    "accurate": "true",  # Accurate
    "truth": "true",  # Truth! (TruthOrFiction's older scale)
    # mostly-true: accurate with minor gaps
    "mostlytrue": "mostly-true",  # Mostly True (PolitiFact, Snopes, AAP, LIAR `mostly-true`)
    "mostlycorrect": "mostly-true",  # Mostly Correct (Africa Check)
    "mostlyaccurate": "mostly-true",  # Mostly Accurate
    # mixed: the middle of every scale, and labels that say "partly"
    "halftrue": "mixed",  # Half True (PolitiFact), LIAR `half-true`
    "mixture": "mixed",  # Mixture (Snopes, Full Fact in ClaimsKG)
    "mixtureoftrueandfalseinformation": "mixed",  # Snopes' long form
    "mixed": "mixed",  # Mixed (TruthOrFiction)
    "partlytrue": "mixed",  # Partly True
    "partlyfalse": "mixed",  # Partly False (AFP, AAP), Partlyfalse (Africa Check)
    "partiallytrue": "mixed",  # Partially True
    "partiallyfalse": "mixed",  # Partially False (fatabyyano)
    "somewhattrue": "mixed",  # Somewhat True (AAP)
    "somewhatfalse": "mixed",  # Somewhat False (AAP)
    "misleading": "mixed",  # Misleading (AFP, Check Your Fact, Vishvas News, Africa Check)
    # mostly-false: inaccurate with a grain of truth
    "mostlyfalse": "mostly-false",  # Mostly False (PolitiFact, Snopes, AAP)
    "barelytrue": "mostly-false",  # Barely True (PolitiFact before 2011), LIAR `barely-true`
    # false: unqualified verdicts that the claim is inaccurate
    "false": "false",  # False, FALSE (everyone), LIAR `false`
    "pantsonfire": "false",  # Pants on Fire! (PolitiFact)
    "pantsfire": "false",  # LIAR `pants-fire`
    "incorrect": "false",  # Incorrect (Africa Check, Full Fact)
    "inaccurate": "false",  # Inaccurate
    "nottrue": "false",  # Not True (TruthOrFiction)
    "fake": "false",  # Fake (Africa Check, AFP)
    "hoax": "false",  # Hoax (AFP)
    "fiction": "false",  # Fiction! (TruthOrFiction's older scale)
    # unproven: examined, no verdict possible
    "unproven": "unproven",  # Unproven (Snopes, AFP, TruthOrFiction)
    "unverified": "unproven",  # Unverified
    "unknown": "unproven",  # Unknown (TruthOrFiction)
    "legend": "unproven",  # Legend (Snopes: general, hence unprovable, stories)
    # other: judges something else than truth, or nothing
    "missingcontext": "other",  # Missing Context (AAP, AFP, fatabyyano)
    "outofcontext": "other",  # Out of Context
    "decontextualized": "other",  # Decontextualized (TruthOrFiction)
    "miscaptioned": "other",  # Miscaptioned (Snopes)
    "misattributed": "other",  # Misattributed (Snopes, TruthOrFiction)
    "correctattribution": "other",  # Correct Attribution (Snopes)
    "satire": "other",  # Satire (AAP, AFP)
    "labeledsatire": "other",  # Labeled Satire (Snopes)
    "originatedassatire": "other",  # Originated as Satire (Snopes)
    "altered": "other",  # Altered (fatabyyano)
    "alteredimage": "other",  # Altered Image (AAP, AFP)
    "alteredphoto": "other",  # Altered Photo
    "alteredvideo": "other",  # Altered Video
    "alteredphotovideo": "other",  # Altered Photo/Video (AAP)
    "outdated": "other",  # Outdated (Snopes, TruthOrFiction, AFP)
    "commentary": "other",  # Commentary (TruthOrFiction)
    "other": "other",  # Other (Full Fact in ClaimsKG: Full Fact publishes no verdict)
}

# Labels in other languages (docs/ratings.md, "Labels in other languages", gives the source of
# each: ClaimsKG's table for AFP Factuel where it has one, else the English label it
# translates, whose row above says why it has that rating).
LABELS.update({
    # fr
    "faux": "false", "totalementfaux": "false", "vrai": "true", "totalementvrai": "true",
    "plutotvrai": "mostly-true", "plutotfaux": "mostly-false", "trompeur": "mixed",
    "partiellementfaux": "mixed", "partiellementvrai": "mixed", "manquedecontexte": "other",
    "horscontexte": "other", "imagemodifiee": "other", "nonprouve": "unproven",
    # es
    "falso": "false", "verdadero": "true", "enganoso": "mixed", "parcialmentefalso": "mixed",
    "parcialmenteverdadero": "mixed", "mayormentefalso": "mostly-false",
    "mayormenteverdadero": "mostly-true", "faltacontexto": "other", "sincontexto": "other",
    "satira": "other", "bulo": "false", "noverificado": "unproven",
    # pt
    "verdadeiro": "true", "enganador": "mixed", "parcialmenteverdadeiro": "mixed",
    "foradecontexto": "other", "semcontexto": "other",
    # de
    "falsch": "false", "richtig": "true", "wahr": "true", "irrefuhrend": "mixed",
    "teilweisefalsch": "mixed", "teilweiserichtig": "mixed", "grosstenteilsfalsch": "mostly-false",
    "grosstenteilsrichtig": "mostly-true", "fehlenderkontext": "other", "unbelegt": "unproven",
    # it
    "vero": "true", "fuorviante": "mixed", "parzialmentefalso": "mixed",
    "parzialmentevero": "mixed", "senzacontesto": "other", "fuoricontesto": "other",
    # nl
    "onwaar": "false", "nietwaar": "false", "waar": "true", "misleidend": "mixed",
    "deelsonwaar": "mixed", "deelswaar": "mixed", "grotendeelsonwaar": "mostly-false",
    "grotendeelswaar": "mostly-true", "ontbrekendecontext": "other",
    # pl
    "fałsz": "false", "prawda": "true", "manipulacja": "mixed", "czesciowaprawda": "mixed",
    "czesciowyfałsz": "mixed", "brakkontekstu": "other", "nieweryfikowalne": "unproven",
    # ru
    "ложь": "false", "неправда": "false", "фейк": "false", "правда": "true",
    "вводитвзаблуждение": "mixed", "полуправда": "mixed", "частичноправда": "mixed",
    "частичнонеправда": "mixed", "скореенеправда": "mostly-false", "скорееправда": "mostly-true",
    "внеконтекста": "other", "недоказано": "unproven",
    # ar
    "خطأ": "false", "زائف": "false", "كاذب": "false", "صحيح": "true", "مضلل": "mixed",
    "صحيحجزئيا": "mixed", "صحيحجزئياً": "mixed", "زائفجزئيا": "mixed", "زائفجزئياً": "mixed",
    "ينقصهسياق": "other", "ساخر": "other", "غيرمثبت": "unproven",
})


def label_key(label: str) -> str:
    """The lookup key of a published label: its letters and digits, case-folded, no accents.

    Separators, punctuation and symbols are dropped, so ``Partly-False``, ``partly false``
    and ``Partlyfalse`` share the key ``partlyfalse``. Accents are removed from Latin letters
    only; combining marks of other scripts are kept.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", label).casefold())
    kept = []
    after_latin = False
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("M"):
            if not after_latin:
                kept.append(char)
        elif category[0] in "LN":
            kept.append(char)
            after_latin = unicodedata.name(char, "").startswith("LATIN")
        else:
            after_latin = False
    return unicodedata.normalize("NFC", "".join(kept))


def normalise_rating(label: str | None, value=None, best=None, worst=None) -> str | None:
    """The normalised rating of a published verdict: its label's (LABELS), else its place on
    a numeric scale (ClaimReview ratingValue, bestRating, worstRating), else None."""
    rating = LABELS.get(label_key(label)) if label else None
    return rating or rating_on_scale(value, best, worst)


def rating_on_scale(value, best=None, worst=None):
    """The rating a ClaimReview's numeric verdict says, when it says one unambiguously.

    schema.org: higher is truer; bestRating defaults to 5 and worstRating to 1. The worst is
    `false`, the best `true`, the exact middle `mixed`, and the rest `mostly-false` or
    `mostly-true` by the side they fall on. A value off its scale (or an inverted scale)
    says nothing: None.
    """
    try:
        value = float(value)
        best = 5.0 if best in (None, "") else float(best)
        worst = 1.0 if worst in (None, "") else float(worst)
    except (TypeError, ValueError):
        return None
    if not (worst < best and worst <= value <= best):
        return None
    place = (value - worst) / (best - worst)
    if place == 0:
        return "false"
    if place == 1:
        return "true"
    if place == 0.5:
        return "mixed"
    return "mostly-false" if place < 0.5 else "mostly-true"


def unmapped(label: str | None, rating: str | None) -> bool:
    """Whether a review has a published label that no rule could normalise: it is flagged,
    counted in import reports, and never guessed."""
    return bool(label and label.strip()) and rating is None


def unmapped_labels(item) -> list:
    """The published labels of an import item's reviews that normalise to nothing (for the
    import report's count)."""
    reviews = (getattr(item, "data", None) or {}).get("reviews") or []
    labels = []
    for review in reviews:
        label = review.get("rating_label")
        rating = review.get("rating") or normalise_rating(label)
        if unmapped(label, rating):
            labels.append(label)
    return labels
