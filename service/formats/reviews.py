"""ClaimReview JSON-LD and ClaimsKG CSV as import items: one claim per review, its claimant
asserting it, the review and where the claim appeared (service/claimreview.py reads them)."""

from .. import claimreview
from .base import Item


def _iso(date):
    return date.isoformat() if date else None


def claim_item(record):
    """The claim item of one ReviewRecord."""
    stances = []
    if record.claimant:
        stances.append({"speaker": dict(record.claimant), "quote": None, "source": None,
                        "stated_on": _iso(record.claim_date)})
    return Item(line=record.position[0], kind="claims", notes=list(record.notes), data={
        "text": record.claim_text, "lang": record.claim_lang,
        "first_seen": _iso(record.claim_date), "topics": [],
        "stances": {"asserts": stances, "denies": [], "questions": []},
        "reviews": [{"publisher": record.publisher, "url": record.url, "title": record.title,
                     "published_on": _iso(record.published_on), "lang": record.lang,
                     "rating_label": record.rating_label, "rating": record.rating,
                     "explanation": record.explanation}],
        "appearances": [{"url": url, "published_on": _iso(date), "first": first}
                        for url, date, first in record.appearances],
    })


def _items(reader, stream):
    records, problems = reader(stream.read())
    found = [claim_item(r) for r in records]
    found += problems  # RecordErrors already, with their line (or record) number
    return sorted(found, key=lambda item: item.line)


def read_jsonld(stream):
    """ClaimReview JSON-LD (an object, an array or a @graph); `line` is the record's number."""
    yield from _items(claimreview.read_jsonld, stream)


def read_claimskg(stream):
    """ClaimsKG's flattened CSV."""
    yield from _items(claimreview.read_claimskg_csv, stream)
