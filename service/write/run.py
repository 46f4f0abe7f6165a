"""What lasts across the batches of one import (who writes, resolved references, the seed
guard) and what the batches report.
"""

import json
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from ..models import Change

AMBIGUOUS = object()  # a name key shared by several speakers


class EditGuard:
    """For seeds: which rows `actor` wrote that someone else has changed (or deleted) since.

    A seeded row is found by its natural key, or, when an editor changed that key (a claim's
    text), through the history of what `actor` created. Seeds are small, so each question
    is one indexed query."""

    KEYS = {"claim": ("text", "lang"), "quote": ("source", "speaker", "text", "start_offset")}

    def __init__(self, actor):
        self.actor = actor
        self._created = None

    def edited(self, resource, row_id):
        """Whether anyone but the actor changed this row, or a part of it, ever."""
        own = (Change.resource == resource) & (Change.resource_id == row_id)
        parts = (Change.parent_resource == resource) & (Change.parent_id == row_id)
        return Change.select().where((own | parts) & (Change.token_name != self.actor)
                                     ).exists()

    def created_before(self, resource, key):
        """Whether the actor once created a row of this natural key (since changed or gone)."""
        if self._created is None:
            self._created = set()
            query = Change.select(Change.resource, Change.resource_slug, Change.fields).where(
                (Change.token_name == self.actor) & (Change.action == "create")
                & Change.resource.in_(["topic", "speaker", "source", "claim", "quote"]))
            for change in query:
                if change.resource in self.KEYS:
                    fields = json.loads(change.fields)
                    self._created.add((change.resource, tuple(
                        (fields.get(k) or [None, None])[1] for k in self.KEYS[change.resource])))
                else:
                    self._created.add((change.resource, change.resource_slug))
        return (resource, key) in self._created


class Run:
    """What lasts across the batches of one import: who writes, and resolved references;
    for seeds, the guard that keeps what editors changed."""

    def __init__(self, actor, keep_edits=False, role="admin", duplicates="report"):
        self.actor = actor
        self.guard = EditGuard(actor) if keep_edits else None
        self.role = role  # what the writer may do: service/auth.py WRITE_ROLES
        self.duplicates = duplicates  # near-duplicate claims: report | similar | attach | ignore
        self.forget()

    def kept(self, resource, row_id=None, key=None):
        """Whether to leave a record alone: its row was edited by someone else since the
        actor wrote it, or the actor's row of that key was changed away or deleted."""
        if self.guard is None:
            return False
        if row_id is not None:
            return self.guard.edited(resource, row_id)
        return self.guard.created_before(resource, key)

    def forget(self):
        """Drop every cached reference (after a savepoint was rolled back)."""
        self.speaker_slugs = {}  # slug → id
        self.speaker_keys = {}  # name key → id, or AMBIGUOUS
        self.speaker_wikidata = {}  # Q-id → id
        self.sources = {}  # slug → Source (id, text)
        self.topics = {}  # slug → id
        self.publishers = {}  # publisher alias key → id


@dataclass
class Outcome:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # per updated record: line, what, fields
    near_duplicates: list = field(default_factory=list)

    def add(self, other):
        self.created.update(other.created)
        self.updated.update(other.updated)
        self.unchanged.update(other.unchanged)
        self.kept.update(other.kept)
        self.problems.extend(other.problems)
        self.changes.extend(other.changes)
        self.near_duplicates.extend(other.near_duplicates)
