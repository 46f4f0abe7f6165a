"""What every format adapter yields: items in Claimbase's shape, or errors with their line.

See docs/import-pipeline.md for the shapes. Adapters only parse and translate; they never
touch the database.
"""

import csv
import datetime
import re
from dataclasses import dataclass
from dataclasses import field

from ..text import slugify


@dataclass
class Item:
    """One record of the file, as a Claimbase resource (`kind`) ready for validation."""

    line: int  # the physical line where the record starts (1-based)
    kind: str  # topics | speakers | sources | quotes | claims
    data: dict
    notes: list = field(default_factory=list)


class RecordError(ValueError):
    """One record that cannot be imported: its line, the field at fault, and why."""

    def __init__(self, line, field_name, reason, unit="line"):
        where = f"{unit} {line}: {field_name}" if field_name else f"{unit} {line}"
        super().__init__(f"{where}: {reason}")
        self.line = line
        self.field = field_name
        self.reason = reason
        self.unit = unit  # "line", or "record" for formats that are not line-based (JSON-LD)

    def as_dict(self):
        return {self.unit: self.line, "field": self.field, "reason": self.reason}


class FileError(RecordError):
    """The file as a whole is not in the format (no header, wrong columns, not JSON…): nothing
    is imported, even with skip_invalid."""

    def __init__(self, reason):
        super().__init__(1, None, reason)


class CountingLines:
    """Wraps a text stream; counts the physical lines handed out (for csv.reader).

    A stream opened with newline="" also breaks lines at a lone CR, which grep, wc and sed
    do not count as a line (LIAR2 has `\r\r\n` inside fields): only LF ends a line."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def __iter__(self):
        for line in self.stream:
            if line.endswith("\n"):
                self.count += 1
            yield line


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")


def parse_date(value, line, field_name, pattern=None, unit="line"):
    """A date from text: in a strptime `pattern`, or without one in ISO 8601 as fact-checkers
    write it ('2021-07-16', '2021-7-16', '2021-07-16T10:00:00Z'). None for empty; otherwise a
    RecordError (a month alone is not a date we may invent a day for)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if pattern:
            return datetime.datetime.strptime(value, pattern).date()
        match = _ISO_DATE.match(value)
        if match:
            return datetime.date(*map(int, match.groups()))
    except ValueError:
        pass
    reason = (f"{value!r} is not a date ({pattern})" if pattern
              else f"{value!r} is not a full date (YYYY-MM-DD)")
    raise RecordError(line, field_name, reason, unit) from None


def readable_records(stream, **reader_options):
    """(first physical line, row) for each CSV record, or a RecordError that ends the file.

    Quoted fields may hold newlines, so a record's first line is one past where the
    previous record ended.

    The csv module raises on a record it cannot read (a field over csv.field_size_limit(),
    which an unclosed quote soon makes); adapters must not raise, so that becomes an error
    on the line where the record starts."""
    lines = CountingLines(stream)
    reader = csv.reader(lines, **reader_options)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RecordError(start, None, f"unreadable CSV record: {error}")
            return
        yield start, row
        start = lines.count + 1


def header_records(stream, required, **reader_options):
    """(first physical line, {column: value}) for each record of a CSV with a header row.

    Yields a RecordError instead when the header lacks a `required` column (line 1, and
    nothing more is read), when a record has more or fewer fields than the header, or when
    the csv module cannot read a record (which ends the file). Blank lines are skipped."""
    records = readable_records(stream, **reader_options)
    first = next(records, None)
    if first is None or isinstance(first, RecordError):
        yield first or FileError("the file is empty: expected a header row")
        return
    # A UTF-8 BOM left by a spreadsheet would otherwise hide the first column's name.
    header = [name.strip().lstrip("\ufeff").strip() for name in first[1]]
    missing = [name for name in required if name not in header]
    if missing:
        yield FileError(f"the header lacks the column(s) {', '.join(missing)} "
                                   f"(found: {', '.join(header)})")
        return
    for record in records:
        if isinstance(record, RecordError):
            yield record
            return
        line, row = record
        if not row:
            continue
        if len(row) != len(header):
            yield RecordError(line, None, f"expected {len(header)} fields as in the header, "
                                          f"found {len(row)}")
            continue
        yield line, dict(zip(header, row, strict=True))


def topic_refs(names, what):
    """Topic refs {slug, name} for names (stripped; empty ones and repeated slugs dropped),
    and notes on names that make no slug. `what` names them in the notes ('subject')."""
    topics, notes, slugs = [], [], set()
    for name in (name.strip() for name in names):
        slug = slugify(name)
        if not name or slug in slugs:
            continue
        if not slug:
            notes.append(f"{what} {name!r} has no letter or digit to make a slug; skipped")
            continue
        slugs.add(slug)
        topics.append({"slug": slug, "name": name})
    return topics, notes
