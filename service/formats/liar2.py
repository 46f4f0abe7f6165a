"""LIAR2 (PolitiFact statements, Xu & Kechadi 2024): a CSV with a header row.

Each row is a statement PolitiFact rated: it becomes a quote (PolitiFact's restatement of
what the speaker said) and a claim that the speaker asserts, with PolitiFact's review.
Columns used: label, statement, date, subject, speaker, speaker_description, context,
justification. LIAR2's `id` is its own row number, not PolitiFact's, so it is not kept.
"""

from .base import Item
from .base import RecordError
from .base import header_records
from .base import parse_date
from .base import topic_refs

REQUIRED_COLUMNS = ("id", "label", "statement", "date", "subject", "speaker")
DATE_PATTERN = "%B %d, %Y"  # "April 16, 2008"
# LIAR2's README gives the labels by their per-label totals; 0 is the worst.
LABELS = {0: "pants-fire", 1: "false", 2: "barely-true", 3: "half-true", 4: "mostly-true",
          5: "true"}
PUBLISHER = "PolitiFact"
SOURCE = {"slug": "politifact", "kind": "article", "publisher": PUBLISHER,
          "url": "https://www.politifact.com/"}
SPEAKER_KIND_NOTE = ("LIAR2 does not say what kind each speaker is; "
                     "new speakers are created as person")


def read(stream):
    """Items (a quote, then a claim, for each row) or RecordErrors, in file order."""
    first_claim = True
    for record in header_records(stream, REQUIRED_COLUMNS):
        if isinstance(record, RecordError):
            yield record
            continue
        line, row = record
        try:
            quote, claim = translate(line, row)
        except RecordError as error:
            yield error
            continue
        if first_claim:
            claim.notes.insert(0, SPEAKER_KIND_NOTE)
            first_claim = False
        yield quote
        yield claim


def cell(row, name):
    """A column's value without surrounding whitespace ('' for a column the file lacks)."""
    return (row.get(name) or "").strip()


def translate(line, row):
    """The quote and claim items of one row; RecordError for a row that cannot be one."""
    label = parse_label(line, cell(row, "label"))
    statement = required(line, row, "statement")
    stated_on = parse_date(cell(row, "date"), line, "date", DATE_PATTERN)
    speaker = {"name": required(line, row, "speaker"), "kind": "person",
               "description": cell(row, "speaker_description") or None}
    said_on = stated_on.isoformat() if stated_on else None
    quote = {"text": statement, "lang": "en", "kind": "indirect", "said_on": said_on,
             "context": cell(row, "context") or None, "speaker": speaker, "via": None,
             "source": dict(SOURCE), "text_position": None}
    topics, notes = topic_refs(cell(row, "subject").split(";"), "subject")
    review = {"publisher": PUBLISHER, "url": None, "rating_label": LABELS[label],
              "rating": None, "published_on": None, "lang": "en", "title": None,
              "explanation": cell(row, "justification") or None}
    stance = {"speaker": dict(speaker), "quote": {"text": statement}, "source": dict(SOURCE),
              "stated_on": said_on}
    claim = {"text": statement, "lang": "en", "first_seen": None, "topics": topics,
             "stances": {"asserts": [stance], "denies": [], "questions": []},
             "reviews": [review], "appearances": []}
    return Item(line, "quotes", quote), Item(line, "claims", claim, notes)


def parse_label(line, value):
    """LIAR2's label, an integer 0-5."""
    if value.isascii() and value.isdigit() and int(value) in LABELS:
        return int(value)
    raise RecordError(line, "label", f"{value!r} is not a LIAR2 label (an integer 0-5)")


def required(line, row, name):
    """A column's value, which must not be empty."""
    value = cell(row, name)
    if not value:
        raise RecordError(line, name, f"the {name} is empty")
    return value

