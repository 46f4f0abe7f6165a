"""Keyset pagination over an unexecuted, ordered query: never OFFSET, never len()."""

import math
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .errors import ValidationProblem


@dataclass
class Page:
    """One page of rows and the key to continue after (None on the last page)."""

    items: list
    limit: int
    next_after: Any = None
    meta: dict = field(default_factory=dict)


def keyset_page(query, key_field, limit, cursor=None, key_type=int):
    """Rows of `query` ordered by the unique `key_field`, after the cursor, `limit` at most."""
    if cursor is not None:
        after = cursor["after"]
        if type(after) is not key_type:
            raise ValidationProblem({"cursor": ["Not a valid cursor for this list."]})
        query = query.where(key_field > after)
    rows = list(query.order_by(key_field).limit(limit + 1))
    next_after = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_after = getattr(rows[-1], key_field.name)
    return Page(items=rows, limit=limit, next_after=next_after)


def _valid_rank_cursor(after):
    return (isinstance(after, list) and len(after) == 2
            and isinstance(after[0], (int, float)) and not isinstance(after[0], bool)
            and math.isfinite(after[0]) and type(after[1]) is int)


def ranked_page(query, score, key_field, limit, cursor, score_of):
    """Rows of `query` by relevance (`score` ascending, then `key_field`), after the cursor.

    `score_of(row)` reads a row's score; the cursor is [score, key].
    """
    if cursor is not None:
        after = cursor["after"]
        if not _valid_rank_cursor(after):
            raise ValidationProblem({"cursor": ["Not a valid cursor for this search."]})
        query = query.where((score > after[0]) | ((score == after[0]) & (key_field > after[1])))
    rows = list(query.order_by(score, key_field).limit(limit + 1))
    next_after = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_after = [score_of(rows[-1]), getattr(rows[-1], key_field.name)]
    return Page(items=rows, limit=limit, next_after=next_after)


def empty_page(limit, **meta):
    """A page with no rows (e.g. every speaker named was unknown)."""
    return Page(items=[], limit=limit, meta=meta)
