"""Claimbase's own formats, as `claimbase export` writes them: NDJSON (one API representation
per line) and CSV (the same, flattened: see service/exports.py). One file holds one resource;
which one is the `resource` option (the CLI takes it from the file name, e.g. quotes.csv)."""

import json

from ..spreadsheet import restore
from .base import Item
from .base import RecordError
from .base import header_records

RESOURCES = ("topics", "speakers", "sources", "quotes", "claims")
# CSV columns that only summarise others (read-only) and are not read back.
SUMMARY_COLUMNS = {"id", "status", "asserts", "denies", "questions", "claims"}
JSON_COLUMNS = {"aliases", "stances", "reviews", "appearances"}
REF_COLUMNS = {"speaker", "via", "source"}


def _resource(resource):
    if resource not in RESOURCES:
        raise ValueError(f"resource must be one of {', '.join(RESOURCES)}")
    return resource


def read_ndjson(stream, resource="claims"):
    """One item per non-blank line; each line a JSON object."""
    kind = _resource(resource)
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            yield RecordError(number, None, f"not JSON: {error}")
            continue
        if not isinstance(data, dict):
            yield RecordError(number, None, "expected a JSON object")
            continue
        yield Item(number, kind, data)


def read_csv(stream, resource="claims"):
    """One item per CSV record, with the header `export` writes for the resource."""
    kind = _resource(resource)
    required = ("text",) if kind in ("quotes", "claims") else ("slug",)
    for record in header_records(stream, required):
        if isinstance(record, RecordError):
            yield record
            continue
        line, row = record
        try:
            yield Item(line, kind, _unflattened(kind, row, line))
        except RecordError as error:
            yield error


def _unflattened(kind, row, line):
    """The API representation of a CSV row (empty cells are null; cells neutralised against
    spreadsheet formulas restored)."""
    data = {}
    for column, value in row.items():
        if column in SUMMARY_COLUMNS:
            continue
        value = restore(value) if value != "" else None
        if column in JSON_COLUMNS and value is not None:
            try:
                value = json.loads(value)
            except ValueError:
                raise RecordError(line, column, "not JSON") from None
        elif column in REF_COLUMNS and kind == "quotes":
            value = {"slug": value} if value is not None else None
        elif column == "topics" and kind == "claims":
            value = [{"slug": slug} for slug in (value or "").split("|") if slug]
        data[column] = value
    if kind == "quotes":
        start, end = data.pop("start", None), data.pop("end", None)
        data["text_position"] = None
        if start is not None or end is not None:
            try:
                data["text_position"] = {"start": int(start), "end": int(end)}
            except (TypeError, ValueError):
                raise RecordError(line, "start", "start and end are whole numbers, "
                                  "both or neither") from None
    return data
