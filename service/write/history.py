"""History rows: who changed which fields of which row, from what to what, and the
resource a part belongs to (its parent). The API's writes and the imports build them here.
"""

import datetime
import json

from ..models import Change
from ..models import utcnow


def plain(value):
    """A column value as history stores it: dates as ISO 8601, rows as their id."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "_pk"):
        return value._pk
    return value


def _json_default(value):
    found = plain(value)
    if found is value:
        raise TypeError(f"{type(value).__name__} in a history row")
    return found


# One encoder for every history row (json.dumps with options builds a new one per call).
_history_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True,
                                 default=_json_default).encode


def history_row(actor, action, resource, row_id, fields, slug=None, parent=None):
    """A history row (a dict of Change's columns): `fields` maps each field to its value
    [before, after]. `parent` is the (resource, id) a part belongs to (a claim's stance, a
    speaker's alias), so that the part shows in its parent's history."""
    parent_resource, parent_id = parent or (None, None)
    return {"at": utcnow(), "token_name": actor, "action": action, "resource": resource,
            "resource_id": row_id, "resource_slug": slug,
            "parent_resource": parent_resource, "parent_id": parent_id,
            "fields": _history_json(fields)}


def change_row(actor, action, resource, row_id, values, slug=None, parent=None, before=None):
    """The history row of a row an import created or updated: `values` after, `before` (for
    an update) the values they replaced. Name keys are derived, so they are not recorded."""
    before = before or {}
    fields = {k: [before.get(k), v] for k, v in values.items() if k != "key"}
    return history_row(actor, action, resource, row_id, fields, slug, parent)


def record(actor, action, resource, row, fields, parent=None):
    """Write the history row of one write (the API's) in the caller's transaction; `parent`
    is the row that `row` is a part of."""
    Change.insert(history_row(
        actor, action, resource, row.id, fields, slug=getattr(row, "slug", None),
        parent=(parent._meta.table_name, parent.id) if parent is not None else None)).execute()
