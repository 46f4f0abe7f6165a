"""History rows: who changed which fields of which row, from what to what, and the
resource a part belongs to (its parent). The API's writes and the imports build them here.
"""

import datetime
import json

from ..models import utcnow


def _plain(value):
    """JSON for what json cannot write itself: dates as ISO 8601, rows as their id."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "_pk"):
        return value._pk
    raise TypeError(f"{type(value).__name__} in a history row")


# One encoder for every history row (json.dumps with options builds a new one per call).
_history_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_plain).encode


def change_row(actor, action, resource, row_id, values, slug=None, parent=None, before=None):
    """A history row (as a dict for insert_rows): each field's value before and after.
    `parent` is the (resource, id) a part belongs to (a claim's stance, a speaker's alias),
    so that it shows in its parent's history as the API's writes do."""
    before = before or {}
    fields = {k: [before.get(k), v] for k, v in values.items() if k != "key"}
    parent_resource, parent_id = parent or (None, None)
    return {"at": utcnow(), "token_name": actor, "action": action, "resource": resource,
            "resource_id": row_id, "resource_slug": slug,
            "parent_resource": parent_resource, "parent_id": parent_id,
            "fields": _history_json(fields)}
