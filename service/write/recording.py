"""Writing a batch's rows: created in bulk, updated one by one when they differ, each with
its history row and its count in the report.
"""

from .. import identity
from ..models import Change
from ..models import Speaker
from .history import change_row
from .history import history_row
from .rows import insert_links
from .rows import insert_rows

# A record's field → the columns it sets (the others set the column of their name).
COLUMNS_OF = {"name": ("name", "key"), "via": ("via_id",)}


def carried(values, record):
    """The `values` of the fields a record carries: an import changes only those. A field
    given as null is carried (it clears the column); a field left out is not."""
    columns = {c for name in record for c in COLUMNS_OF.get(name, (name,))}
    return {k: v for k, v in values.items() if k in columns}


class Recorder:
    """Creates and updates a batch's rows, counting them in its outcome; keeps their history
    rows and the speakers whose names changed until `flush` writes what derives from them.
    Rows inserted are told to `derived` (service/derived.py), which derives their index rows
    and document bumps once per batch."""

    def __init__(self, run, outcome, derived):
        self.run = run  # who writes (the actor), and the seed guard
        self.outcome = outcome
        self.derived = derived
        self.history = []  # history rows, written in one statement by flush
        self.named_speakers = set()  # ids whose name or aliases this batch wrote

    def inserted(self, model, rows, ids=None):
        """Tell the derived rows of rows inserted without `created` (links, aliases)."""
        self.derived.inserted(model, rows, ids)

    def record(self, row):
        """Keep a history row built by a caller (links, aliases) for flush."""
        self.history.append(row)

    def flush(self):
        """Write the batch's history, and the name index of the speakers it named."""
        if self.history:
            insert_links(Change, self.history)  # no RETURNING: nobody needs their ids
        identity.index_speakers(self.named_speakers)

    def created(self, kind, model, rows, resource, slugs=False, parent=None):
        """Insert new rows (dicts) in bulk; their ids, in order. Each gets a history row."""
        if not rows:
            return []
        ids = insert_rows(model, rows)
        self.derived.inserted(model, rows, ids)
        if model is Speaker:
            self.named_speakers.update(ids)
        # Each editable field, [None, value], as the API records a create; defaults taken
        # once, as insert_rows takes them (per row, they were a tenth of an import's time).
        defaults = [(f.name, f.default() if callable(f.default) else f.default)
                    for f in model._meta.sorted_fields if f.name not in ("id", "version", "key")]
        actor, append = self.run.actor, self.history.append
        for row_id, values in zip(ids, rows, strict=True):
            append(history_row(
                actor, "create", resource, row_id,
                {name: [None, values.get(name, default)] for name, default in defaults},
                slug=values.get("slug") if slugs else None,
                parent=("claim", values["claim"]) if parent else None))
        self.outcome.created[kind] += len(rows)
        return ids

    def updated(self, kind, model, row, values, resource, parent=None, line=None):
        """Update the fields of `values` that differ from `row`; True when something did.
        With the record's `line`, the report lists the fields it changed."""
        diff = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not diff:
            self.outcome.unchanged[kind] += 1
            return False
        if self.run.kept(resource, row.id):
            self.outcome.kept[kind] += 1
            return False
        before = {k: getattr(row, k) for k in diff}
        extra = {"version": model.version + 1} if "version" in model._meta.fields else {}
        model.update(**diff, **extra).where(model.id == row.id).execute()
        if model is Speaker:
            self.named_speakers.add(row.id)
        for k, v in diff.items():
            setattr(row, k, v)
        self.history.append(change_row(self.run.actor, "update", resource, row.id, diff,
                                       slug=getattr(row, "slug", None),
                                       parent=parent and ("claim", parent), before=before))
        self.outcome.updated[kind] += 1
        if line is not None:
            self.outcome.changes.append({
                "line": line, "resource": resource, "id": row.id,
                "slug": getattr(row, "slug", None),
                "fields": sorted(k.removesuffix("_id") for k in diff if k != "key")})
        return True
