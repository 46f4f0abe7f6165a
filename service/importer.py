"""Imports of ClaimReview records: all or nothing, idempotent, with a report.

Each record becomes (or finds) a claim, its claimant as a speaker asserting it, the review
and the claim's appearances. Natural keys make a second import of the same file change
nothing: a claim is its text and language, a speaker its Wikidata id or any of its names,
a review its claim, publisher and URL.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from .claimreview import FORMATS
from .claimreview import RecordError
from .db import write_transaction
from .models import Alias
from .models import Appearance
from .models import Claim
from .models import Review
from .models import Speaker
from .models import Stance
from .ratings import normalise_rating
from .text import name_key
from .writes import create_row


class ImportFailed(Exception):
    """The file was not imported (nothing was written): `problems` says where and why."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} bad record(s); nothing was imported")


@dataclass
class ImportReport:
    records: int = 0
    created: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)

    def as_dict(self):
        return {"records": self.records, "created": dict(self.created),
                "unchanged": dict(self.unchanged), "notes": self.notes}


def slug_for(name):
    """An unused ASCII slug for a new speaker's name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100] or "speaker"
    slug, n = base, 1
    while Speaker.select().where(Speaker.slug == slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class _Import:
    def __init__(self, actor):
        self.actor = actor
        self.report = ImportReport()

    def find_or_create(self, model, kind, lookup, values, parent=None):
        row = model.get_or_none(*[getattr(model, k) == v for k, v in lookup.items()])
        if row is not None:
            self.report.unchanged[kind] += 1
            return row
        self.report.created[kind] += 1
        return create_row(model, kind.rstrip("s"), {**lookup, **values}, self.actor, parent)

    def speaker(self, claimant, position):
        """The speaker a claimant names: by Wikidata id, else by any name; new if unknown."""
        if claimant["wikidata_id"]:
            found = Speaker.get_or_none(Speaker.wikidata_id == claimant["wikidata_id"])
            if found:
                self.report.unchanged["speakers"] += 1
                return found
        key = name_key(claimant["name"])
        ids = {s.id for s in Speaker.select(Speaker.id).where(Speaker.key == key)}
        ids |= {a.speaker_id for a in Alias.select(Alias.speaker).where(Alias.key == key)}
        if len(ids) > 1:
            raise RecordError(position, f"the claimant {claimant['name']!r} names "
                              f"{len(ids)} speakers; give sameAs to say which")
        if ids:
            self.report.unchanged["speakers"] += 1
            return Speaker.get_by_id(ids.pop())
        self.report.created["speakers"] += 1
        return create_row(Speaker, "speaker", {
            "slug": slug_for(claimant["name"]), "name": claimant["name"], "key": key,
            "kind": claimant["kind"], "wikidata_id": claimant["wikidata_id"]}, self.actor)

    def record(self, record):
        claim = self.find_or_create(Claim, "claims",
                                    {"text": record.claim_text, "lang": record.claim_lang},
                                    {"first_seen": record.claim_date})
        if record.claimant:
            speaker = self.speaker(record.claimant, record.position)
            self.find_or_create(Stance, "stances",
                                {"claim": claim, "speaker": speaker, "position": "asserts"},
                                {"stated_on": record.claim_date}, claim)
        self.find_or_create(Review, "reviews", {
            "claim": claim, "publisher": record.publisher, "url": record.url}, {
            "title": record.title, "published_on": record.published_on, "lang": record.lang,
            "rating_label": record.rating_label, "explanation": record.explanation,
            "rating": normalise_rating(record.rating_label)}, claim)
        for url, date, first in record.appearances:
            self.find_or_create(Appearance, "appearances", {"claim": claim, "url": url},
                                {"published_on": date, "first": first})


def import_text(text, format_name, actor):
    """Import a file's text in one of FORMATS; an ImportReport, or ImportFailed (nothing
    written) listing every bad record."""
    records, problems = FORMATS[format_name](text)
    if problems:
        raise ImportFailed(problems)
    run = _Import(actor)
    with write_transaction() as transaction:
        for record in records:
            try:
                run.record(record)
            except RecordError as error:
                problems.append(error)
        if problems:
            transaction.rollback()
            raise ImportFailed(problems)
    run.report.records = len(records)
    run.report.notes = [note for record in records for note in record.notes]
    return run.report
