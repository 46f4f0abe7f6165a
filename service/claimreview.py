"""schema.org ClaimReview: Claimbase claims and reviews out as JSON-LD, and ClaimReview
records (JSON-LD, or the flattened CSV of ClaimsKG) in as claims, speakers and reviews.

Out, one ClaimReview per review: the claim as `itemReviewed` (a Claim) whose `author` is
the asserting speaker, with `sameAs` their Wikidata page when known — never where the claim
appeared, which goes to `appearance`/`firstAppearance`.
"""

import datetime
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlparse

from schemas.common import is_language_tag

from .formats.base import FileError
from .formats.base import RecordError
from .formats.base import header_records
from .formats.base import parse_date as parse_text_date
from .ratings import normalise_rating

CONTEXT = "https://schema.org"
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/{}"
WIKIDATA_ID = re.compile(r"wikidata\.org/(?:wiki|entity)/(Q[1-9][0-9]*)")
RATING_VALUES = {"true": 5, "mostly-true": 4, "mixed": 3, "mostly-false": 2, "false": 1}
SPEAKER_TYPES = {"person": "Person", "government": "GovernmentOrganization",
                 "media": "NewsMediaOrganization"}


# --- out ----------------------------------------------------------------------------------

def _drop_empty(node):
    return {k: v for k, v in node.items() if v not in (None, [], {})}


def _date(value):
    return value.isoformat() if value else None


def site_of(url):
    """The host of a URL without its scheme or `www.` (Google's `publisher.site`)."""
    host = urlparse(url or "").hostname or ""
    return host.removeprefix("www.") or None


def _claimant(speaker):
    return _drop_empty({
        "@type": SPEAKER_TYPES.get(speaker.kind, "Organization"),
        "name": speaker.name,
        "sameAs": WIKIDATA_PAGE.format(speaker.wikidata_id) if speaker.wikidata_id else None,
    })


def claimants(claim):
    """The speakers who assert a claim (claims need `stance_groups`, see queries)."""
    return [stance.speaker for stance in claim.stance_groups["asserts"]]


def claim_date(claim):
    """When the claim was made: its first-seen date, else its earliest asserting stance."""
    dates = [s.stated_on for s in claim.stance_groups["asserts"] if s.stated_on]
    return claim.first_seen or (min(dates) if dates else None)


def _appearances(claim):
    first = next((a for a in claim.appearance_list if a.first), None)
    others = [a for a in claim.appearance_list if a is not first]

    def work(appearance):
        return _drop_empty({"@type": "CreativeWork", "url": appearance.url,
                            "datePublished": _date(appearance.published_on)})

    return (work(first) if first else None), [work(a) for a in others]


# What Google requires of a ClaimReview (Search Central, "Fact check (ClaimReview) structured
# data"; ../shared/INTEROP.md, "ClaimReview JSON-LD"): the fact-check's absolute http(s) URL,
# the claim, and the verdict as displayed (Rating.alternateName). A review without one of
# them is reported, never emitted. datePublished is not required: Google's page listed it as
# recommended, and its current list of properties no longer names it (checked 2026-12-01,
# see README "ClaimReview and Google Fact Check Tools"), so a review without a date is still
# emitted, and the report counts the emitted reviews that lack each RECOMMENDED property.
REQUIRED = ("url", "claimReviewed", "reviewRating.alternateName")
RECOMMENDED = ("datePublished", "itemReviewed.author", "itemReviewed.datePublished")


def _at(document, path):
    """The value at a dotted path of a JSON-LD object (None when absent)."""
    value = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _lacking(document, paths):
    """The paths of `document` that hold nothing (absent, empty or blank)."""
    return [path for path in paths
            if not _at(document, path) or str(_at(document, path)).strip() == ""]


def missing_fields(document):
    """The required ClaimReview properties a JSON-LD object lacks ([] when it is valid)."""
    missing = [path for path in REQUIRED
               if not isinstance(_at(document, path), str) or not _at(document, path).strip()]
    url = document.get("url")
    if "url" not in missing and urlparse(url).scheme not in ("http", "https"):
        missing.append("url")
    return missing


def export_report(claims):
    """How many reviews of these claims (with details) are emitted and left out, how many of
    the omitted ones lack each required property, and how many of the emitted ones lack each
    recommended property."""
    emitted, omitted, missing, recommended = 0, 0, Counter(), Counter()
    for claim in claims:
        for document in claim_reviews(claim):
            lacking = missing_fields(document)
            missing.update(lacking)
            omitted += bool(lacking)
            emitted += not lacking
            if not lacking:
                recommended.update(_lacking(document, RECOMMENDED))
    return {"emitted": emitted, "omitted": omitted, "missing": dict(sorted(missing.items())),
            "emitted_without": dict(sorted(recommended.items()))}


def valid_claim_reviews(claim):
    """(the claim's ClaimReview objects that may be published, how many were left out)."""
    documents = claim_reviews(claim)
    valid = [d for d in documents if not missing_fields(d)]
    return valid, len(documents) - len(valid)


def claim_reviews(claim):
    """The ClaimReview JSON-LD objects of a claim with its details attached, one per review
    (valid or not: see valid_claim_reviews)."""
    authors = [_claimant(s) for s in claimants(claim)]
    first, others = _appearances(claim)
    item = _drop_empty({
        "@type": "Claim",
        "author": authors[0] if len(authors) == 1 else authors,
        "datePublished": _date(claim_date(claim)),
        "inLanguage": claim.lang,
        "firstAppearance": first,
        "appearance": others,
    })
    return [_claim_review(claim, review, item) for review in claim.review_list]


def _claim_review(claim, review, item):
    rating = _drop_empty({
        "@type": "Rating",
        "alternateName": review.rating_label,
        "ratingValue": RATING_VALUES.get(review.rating),
        "bestRating": 5 if review.rating in RATING_VALUES else None,
        "worstRating": 1 if review.rating in RATING_VALUES else None,
        "ratingExplanation": review.explanation,
    })
    parts = urlparse(review.url or "")
    home = f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None
    return _drop_empty({
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": review.url,
        "name": review.title,
        "datePublished": _date(review.published_on),
        "inLanguage": review.lang,
        "claimReviewed": claim.text,
        "author": _drop_empty({"@type": "Organization", "name": review.publisher, "url": home}),
        "reviewRating": rating,
        "itemReviewed": item,
    })


# --- in -----------------------------------------------------------------------------------

def _error(position, reason):
    """The RecordError of a record at `position` (its number, and "record" or "line")."""
    number, unit = position
    return RecordError(number, None, reason, unit)


@dataclass
class ReviewRecord:
    """One ClaimReview, in the terms of Claimbase, ready for the importer."""

    position: tuple  # (number, unit): (3, "record") or (12, "line")
    claim_text: str
    claim_lang: str | None
    claim_date: datetime.date | None
    publisher: str
    url: str | None
    title: str | None
    published_on: datetime.date | None
    lang: str | None
    rating_label: str | None
    explanation: str | None
    rating: str | None = None  # normalised from the label, else from ratingValue
    claimant: dict | None = None  # {"name", "kind", "wikidata_id"}
    appearances: list = field(default_factory=list)  # [(url, date, first)]
    notes: list = field(default_factory=list)  # what the import had to decide, said aloud


def _one(value):
    """The first of a list, or the value itself (ClaimReview values come scalar or listed)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value):
    value = _one(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_date(value, position, what):
    """A date from a ClaimReview value (ISO 8601 text, or a list of it); None if empty."""
    number, unit = position
    return parse_text_date(_text(value), number, what, unit=unit)


def _lang(value):
    value = _text(value)
    return value if is_language_tag(value) else None


def _claimant_from(author):
    author = _one(author)
    if isinstance(author, str):
        author = {"name": author}
    if not isinstance(author, dict) or not _text(author.get("name")):
        return None
    kinds = {"Person": "person", "GovernmentOrganization": "government",
             "NewsMediaOrganization": "media"}
    same_as = author.get("sameAs")
    same_as = same_as if isinstance(same_as, list) else [same_as]
    wikidata = next((m.group(1) for s in same_as if isinstance(s, str)
                     for m in [WIKIDATA_ID.search(s)] if m), None)
    return {"name": _text(author.get("name")),
            "kind": kinds.get(_text(author.get("@type")) or "", "organization"
                              if author.get("@type") else "person"),
            "wikidata_id": wikidata}


def _appearance_list(item, position):
    found = []
    for key, first in (("firstAppearance", True), ("appearance", False)):
        values = item.get(key)
        for value in values if isinstance(values, list) else [values]:
            url = value if isinstance(value, str) else (value or {}).get("url")
            url = _text(url)
            if url:
                date = parse_date((value or {}).get("datePublished") if isinstance(value, dict)
                                  else None, position, f"{key}.datePublished")
                found.append((url, date, first))
    return found


def _is_claim_review(node):
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1].removeprefix("schema:")
               == "ClaimReview" for t in types)


def review_from_jsonld(node, position):
    """A ReviewRecord from one ClaimReview node, or a RecordError saying what is missing."""
    claim_text = _text(node.get("claimReviewed"))
    if not claim_text:
        raise _error(position, "claimReviewed is missing or empty")
    author = _one(node.get("author"))
    publisher = _text(author) if not isinstance(author, str) else author.strip()
    url = _text(node.get("url"))
    publisher = publisher or site_of(url)
    if not publisher:
        raise _error(position, "no author (the fact-checker) and no url to name it by")
    rating = _one(node.get("reviewRating")) or {}
    item = _one(node.get("itemReviewed")) or {}
    if not isinstance(item, dict):
        item = {}
    label = _text(rating.get("alternateName")) or _text(rating.get("name"))
    return ReviewRecord(
        position=position,
        claim_text=claim_text,
        claim_lang=_lang(item.get("inLanguage")) or _lang(node.get("inLanguage")),
        claim_date=parse_date(item.get("datePublished"), position, "itemReviewed.datePublished"),
        publisher=publisher,
        url=url,
        title=_text(node.get("name")) or _text(node.get("headline")),
        published_on=parse_date(node.get("datePublished"), position, "datePublished"),
        lang=_lang(node.get("inLanguage")),
        rating_label=label,
        explanation=_text(rating.get("ratingExplanation")),
        rating=normalise_rating(label, _one(rating.get("ratingValue")),
                                _one(rating.get("bestRating")), _one(rating.get("worstRating"))),
        claimant=_claimant_from(item.get("author")),
        appearances=_appearance_list(item, position),
    )


def read_jsonld(text):
    """ReviewRecords from ClaimReview JSON-LD: one object, an array, or a @graph. Returns
    (records, problems); problems are RecordErrors, one per bad record."""
    try:
        document = json.loads(text)
    except ValueError as error:
        return [], [FileError(f"not JSON: {error}")]
    nodes = document.get("@graph", [document]) if isinstance(document, dict) else document
    if not isinstance(nodes, list):
        return [], [FileError("expected a ClaimReview object, an array or a @graph")]
    records, problems = [], []
    for index, node in enumerate(nodes):
        position = (index + 1, "record")
        if not isinstance(node, dict) or not _is_claim_review(node):
            problems.append(_error(position, "not a ClaimReview"))
            continue
        try:
            records.append(review_from_jsonld(node, position))
        except RecordError as error:
            problems.append(error)
    return records, problems


def _unquoted(value):
    """ClaimsKG wraps some names in literal straight quotes: '"Rohan नाशिककर"'."""
    value = (value or "").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].strip()
    return value or None


def read_claimskg_csv(text):
    """ReviewRecords from ClaimsKG's flattened CSV (see ../shared/data/claimskg-extractor-
    samples/SOURCE.md). Its creativeWork_author_name is not reliably the claimant (often the
    fact-check's own writer), so it makes no speaker; the file gives no language either.
    Positions are the physical lines where records start (fields may hold newlines)."""
    records, problems = [], []
    for record in header_records(io.StringIO(text, newline=""), sorted(_CLAIMSKG_COLUMNS)):
        if not isinstance(record, tuple):  # a RecordError of the adapters' kind
            problems.append(FileError(record.reason) if record.line == 1 and record.field is None
                            else RecordError(record.line, None, record.reason))
            continue
        line, row = record
        try:
            records.append(_claimskg_record(row, (line, "line")))
        except RecordError as error:
            problems.append(error)
    return records, problems


_CLAIMSKG_COLUMNS = {"claimReview_claimReviewed", "rating_alternateName", "claimReview_url"}


def _claimskg_record(row, position):
    title = _unquoted(row.get("extra_title"))
    claim_text = _unquoted(row.get("claimReview_claimReviewed"))
    notes = []
    if not claim_text and title:
        # aap and africacheck leave claimReviewed empty: the fact-check's own title is
        # then the only statement of what was checked; it is kept as the review title too.
        claim_text = title
        notes.append(f"line {position[0]}: claimReviewed is empty; the claim is the title")
    node = {
        "@type": "ClaimReview",
        "claimReviewed": claim_text,
        "name": title,
        "url": row.get("claimReview_url"),
        "datePublished": row.get("claimReview_datePublished"),
        "author": {"name": _unquoted(row.get("claimReview_author_name"))},
        "reviewRating": {"alternateName": _unquoted(row.get("rating_alternateName"))},
        "itemReviewed": {"datePublished": row.get("creativeWork_datePublished")},
    }
    record = review_from_jsonld(node, position)
    record.notes = notes
    return record


FORMATS = {"claimreview": read_jsonld, "claimskg": read_claimskg_csv}
