"""Exports: every row of a list, streamed a page at a time through the same named queries
and the same schemas as the API, so memory stays flat whatever the size.

NDJSON is one API representation per line. CSV flattens it: a nested resource becomes its
slug, topics are joined with `|`, and nested lists (aliases, stances, reviews, appearances)
are JSON in their cell, so that importing the export gives back the same data
(service/formats/own.py reads both). Sources carry their full text, unlike the list.
CSV cells that a spreadsheet would run as formulas are neutralised (service/spreadsheet.py).
"""

import csv
import functools
import io
import json

from schemas.claims import ClaimSchema
from schemas.quotes import QuoteSchema
from schemas.sources import SOURCE_REF
from schemas.sources import SourceSchema
from schemas.speakers import SpeakerSchema
from schemas.topics import TopicSchema

from . import queries
from . import search
from .spreadsheet import neutralise

BATCH = 500
RESOURCES = {
    "claims": (queries.claims_page, ClaimSchema()),
    "quotes": (queries.quotes_page, QuoteSchema()),
    "speakers": (queries.speakers_page, SpeakerSchema()),
    "sources": (functools.partial(queries.sources_page, with_text=True),
                SourceSchema(only=(*SOURCE_REF, "text"))),
    "topics": (queries.topics_page, TopicSchema()),
}
CSV_COLUMNS = {
    "claims": ["id", "text", "lang", "status", "first_seen", "topics", "asserts", "denies",
               "questions", "stances", "reviews", "appearances"],
    "quotes": ["id", "text", "lang", "kind", "said_on", "speaker", "via", "source", "context",
               "start", "end"],
    "speakers": ["id", "slug", "name", "kind", "country", "description", "wikidata_id",
                 "aliases"],
    "sources": ["id", "slug", "kind", "title", "publisher", "url", "lang", "published_on",
                "text"],
    "topics": ["slug", "name", "claims"],
}


def rows(resource, **filters):
    """Every row of a resource's list (with the list's filters), as the API shows it."""
    page_query, schema = RESOURCES[resource]
    cursor = None
    while True:
        page = page_query(limit=BATCH, cursor=cursor, **filters)
        yield from schema.dump(page.items, many=True)
        if page.next_after is None:
            return
        cursor = {"after": page.next_after}


def claim_pages(**filters):
    """Every claim a /claims query selects, with its details, a page at a time."""
    cursor = None
    while True:
        page = queries.claims_page(limit=BATCH, cursor=cursor, **filters)
        yield from page.items
        if page.next_after is None:
            return
        cursor = {"after": page.next_after}


def check_filters(resource, **filters):
    """Raise the 400 a list would for filters that fail only once read (a malformed `q`),
    before a stream starts: an error inside it could not be a problem response."""
    if filters.get("q"):
        search.parse(filters["q"])


def ndjson_lines(resource, **filters):
    for row in rows(resource, **filters):
        yield json.dumps(row, ensure_ascii=False) + "\n"


def _joined(values):
    return "|".join(str(v) for v in values)


def _json(value):
    return json.dumps(value, ensure_ascii=False)


def _flat(resource, row):
    if resource == "claims":
        stances = row["stances"]
        return {**row, "topics": _joined(t["slug"] for t in row["topics"]),
                **{p: _joined(s["speaker"]["slug"] for s in stances[p]) for p in stances},
                "stances": _json(stances), "reviews": _json(row["reviews"]),
                "appearances": _json(row["appearances"])}
    if resource == "quotes":
        position = row.get("text_position") or {}
        return {**row, "speaker": row["speaker"]["slug"],
                "via": (row["via"] or {}).get("slug"), "source": row["source"]["slug"],
                "start": position.get("start"), "end": position.get("end")}
    if resource == "speakers":
        return {**row, "aliases": _json([{"name": a["name"], "lang": a["lang"]}
                                         for a in row["aliases"]])}
    return row


def csv_lines(resource, **filters):
    """CSV text, a line at a time: a header, then one row per item."""
    buffer = io.StringIO()
    # RFC 4180's CRLF: with "\n" alone, the csv module left a cell holding "\r" unquoted,
    # which split its record in two.
    writer = csv.DictWriter(buffer, CSV_COLUMNS[resource], extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for row in rows(resource, **filters):
        writer.writerow({k: neutralise(v) for k, v in _flat(resource, row).items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


FORMATS = {"ndjson": ("application/x-ndjson", ndjson_lines), "csv": ("text/csv", csv_lines)}
