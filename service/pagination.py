"""Keyset pagination over an unexecuted, ordered query: never OFFSET, never len()."""

import math
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .exceptions import InvalidParameters
from .models import MAX_ID


@dataclass
class Page:
    """One page of rows and the key to continue after (None on the last page)."""

    items: list
    limit: int
    next_after: Any = None
    meta: dict = field(default_factory=dict)




def cursor_key(cursor, key_type=int):
    """The key a cursor continues after (None without one), or a 400 for a forged one."""
    if cursor is None:
        return None
    after = cursor["after"]
    if type(after) is not key_type or (key_type is int and not 0 <= after <= MAX_ID):
        raise InvalidParameters({"cursor": ["Not a valid cursor for this list."]})
    return after


def keyset_page(query, key_field, limit, cursor=None, key_type=int):
    """Rows of `query` ordered by the unique `key_field`, after the cursor, `limit` at most."""
    after = cursor_key(cursor, key_type)
    if after is not None:
        query = query.where(key_field > after)
    rows = list(query.order_by(key_field).limit(limit + 1))
    next_after = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_after = getattr(rows[-1], key_field.name)
    return Page(items=rows, limit=limit, next_after=next_after)


def keyset_ids(query, key_field, limit, cursor=None):
    """(up to `limit` keys after the cursor, the key to continue after or None) from a query
    selecting only `key_field`, in its order."""
    after = cursor_key(cursor)
    if after is not None:
        query = query.where(key_field > after)
    keys = [key for (key,) in query.order_by(key_field).limit(limit + 1).tuples()]
    return keys[:limit], keys[limit - 1] if len(keys) > limit else None


def _valid_rank_cursor(after):
    return (isinstance(after, list) and len(after) == 2
            and isinstance(after[0], (int, float)) and not isinstance(after[0], bool)
            and math.isfinite(after[0]) and abs(after[0]) < 1e300
            and type(after[1]) is int and 0 <= after[1] <= MAX_ID)


def rank_cursor_key(cursor):
    """The [score, key] a search's cursor continues after (None without one), or a 400."""
    if cursor is None:
        return None
    after = cursor["after"]
    if not _valid_rank_cursor(after):
        raise InvalidParameters({"cursor": ["Not a valid cursor for this search."]})
    return after


def ranked_page(query, score, key_field, limit, cursor, score_of):
    """Rows of `query` by relevance (`score` ascending, then `key_field`), after the cursor.

    `score_of(row)` reads a row's score; the cursor is [score, key].
    """
    after = rank_cursor_key(cursor)
    if after is not None:
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
