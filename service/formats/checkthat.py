"""CLEF 2020 CheckThat! Task 2 verified claims (`verified_claims.docs.tsv`): a TSV with a
header row `<empty> vclaim title` (the first column, unnamed, is the lab's `vclaim_id`).

Each row is a claim as Snopes stated it (`vclaim`, English), with a Snopes review whose
title is the title of the article that checked it. The file says nothing else: the
review's URL, date and rating stay empty, and the lab's id is not kept (it is the lab's
row number, not Snopes'). Cells holding quotes are CSV-quoted with doubled quotes.
"""

import csv

from .base import Item
from .base import RecordError
from .base import header_records

REQUIRED_COLUMNS = ("vclaim", "title")
PUBLISHER = "Snopes"
NOTE = ("CheckThat! verified claims: each claim gets a Snopes review titled as the article; "
        "the file gives no URL, date or rating, so they stay empty")


def read(stream):
    """Items (one claim per row) or RecordErrors, in file order."""
    first = True
    for record in header_records(stream, REQUIRED_COLUMNS, delimiter="\t",
                                 quoting=csv.QUOTE_MINIMAL):
        if isinstance(record, RecordError):
            yield record
            continue
        line, row = record
        text = row["vclaim"].strip()
        if not text:
            yield RecordError(line, "vclaim", "the claim is empty")
            continue
        title = row["title"].strip() or None
        review = {"publisher": PUBLISHER, "url": None, "rating_label": None, "rating": None,
                  "published_on": None, "lang": "en", "title": title, "explanation": None}
        item = Item(line, "claims", {
            "text": text, "lang": "en", "first_seen": None, "topics": [],
            "stances": {"asserts": [], "denies": [], "questions": []},
            "reviews": [review], "appearances": []})
        if first:
            item.notes.append(NOTE)
            first = False
        yield item
