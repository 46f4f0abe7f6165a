"""EUvsDisinfo "Disinformation Review" cases (kalkun/euvsdisinfo-scraper): a CSV with a header.

Each row is a case: a claim (its title) that an outlet asserted on a date, which EUvsDisinfo
reviewed as disinformation, with the disproof as the review's explanation and the
disinforming publication as an appearance. Columns used: date, outlet, keywords, source,
title, disproof. The `language` column is the outlet's (and is sometimes a country), not the
title's, so claims have no language. Exact duplicate rows are left to the importer, which
collapses them by natural keys.
"""


from schemas.common import is_http_url

from .base import Item
from .base import RecordError
from .base import header_records
from .base import parse_date
from .base import topic_refs

REQUIRED_COLUMNS = ("date", "outlet", "title", "disproof", "source", "keywords")
DATE_PATTERN = "%m/%d/%y"  # US order, 2-digit year: "10/03/17"
PUBLISHER = "EUvsDisinfo"
RATING_LABEL = "Disinformation"


def read(stream):
    """A claim Item or a RecordError for each row, in file order."""
    for record in header_records(stream, REQUIRED_COLUMNS):
        if isinstance(record, RecordError):
            yield record
            continue
        line, row = record
        try:
            yield translate(line, row)
        except RecordError as error:
            yield error


def cell(row, name):
    """A column's value without surrounding whitespace."""
    return (row.get(name) or "").strip()


def required(line, row, name):
    """A column's value, which must not be empty."""
    value = cell(row, name)
    if not value:
        raise RecordError(line, name, f"the {name} is empty")
    return value


def translate(line, row):
    """The claim item of one row; RecordError for a row that cannot be one."""
    date = parse_date(cell(row, "date"), line, "date", DATE_PATTERN)
    title = required(line, row, "title")
    outlet = required(line, row, "outlet")
    seen_on = date.isoformat() if date else None
    topics, notes = topic_refs(cell(row, "keywords").split(","), "keyword")
    appearances, appearance_notes = source_appearances(cell(row, "source"), seen_on)
    stance = {"speaker": {"name": outlet, "kind": "media"}, "quote": None, "source": None,
              "stated_on": seen_on}
    review = {"publisher": PUBLISHER, "url": None, "rating_label": RATING_LABEL,
              "rating": None, "published_on": None, "lang": None, "title": None,
              "explanation": cell(row, "disproof") or None}
    claim = {"text": title, "lang": None, "first_seen": seen_on, "topics": topics,
             "stances": {"asserts": [stance], "denies": [], "questions": []},
             "reviews": [review], "appearances": appearances}
    return Item(line, "claims", claim, notes + appearance_notes)


def source_appearances(source, seen_on):
    """The appearance the source column gives when it is a web address, and notes."""
    if not source:
        return [], []
    if is_http_url(source):  # the one URL check (schemas/common.py)
        return [{"url": source, "published_on": seen_on, "first": False}], []
    return [], [f"source {source!r} is not an http(s) URL; no appearance recorded"]
