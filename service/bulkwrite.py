"""One batch of an import: validate each item, resolve its references, merge it by natural
key with what the database holds, then write with a few bulk statements.

Each record is checked completely (schema, references) before anything of it is written, so
a rejected record leaves nothing behind, not even the speaker it named. History rows are
written for every row created or updated, as the API's writes do.
"""

import datetime
import json
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from marshmallow import ValidationError
from peewee import SQL
from peewee import ForeignKeyField
from peewee import fn

from schemas.claims import AppearanceSchema
from schemas.claims import ClaimSchema
from schemas.quotes import QuoteSchema
from schemas.reviews import ReviewSchema
from schemas.sources import SourceSchema
from schemas.speakers import AliasSchema
from schemas.speakers import SpeakerSchema
from schemas.stances import StanceSchema
from schemas.topics import TopicSchema

from . import identity
from .auth import allows
from .auth import role_for
from .formats.base import RecordError
from .matching import index_claims
from .matching import near_duplicates
from .matching import normalised_key
from .matching import same_text_claims
from .models import POSITIONS
from .models import Alias
from .models import Appearance
from .models import Change
from .models import Claim
from .models import ClaimTopic
from .models import Quote
from .models import Review
from .models import Source
from .models import Speaker
from .models import Stance
from .models import Topic
from .models import utcnow
from .publishers import with_canonical_publisher
from .ratings import normalise_rating
from .text import QuoteNotInSource
from .text import locate_quote
from .text import name_key
from .text import selector_at
from .text import slugify

TEXT_START = 100  # characters of a text the natural-key indexes hold (migration 0005)
KINDS = ("topics", "speakers", "sources", "quotes", "claims")
RECORD = object()  # where a quote's row keeps its item until it is written
READ_ONLY = {"id", "status", "counts", "snippet", "selector", "speaker_positions", "claims",
             "rating_unmapped", "publisher_slug"}
AMBIGUOUS = object()  # a name key shared by several speakers
# Foreign keys of parts, and the attribute holding their id (compared without loading rows).
ID_ATTRIBUTES = {"quote": "quote_id", "source": "source_id", "canonical": "publisher_id"}


def text_start(column):
    """The indexed start of a text column; literals inlined so the expression index matches."""
    return fn.substr(column, SQL("1"), SQL(str(TEXT_START)))


def among(column, values):
    """`column IN (values)` with the values as one SQL node: Peewee converts an IN list value
    by value, which cost imports a tenth of their time on their big per-batch lookups."""
    values = list(values)
    if not values:
        return SQL("0 = 1")
    param = column.model._meta.database.param
    return column.in_(SQL("(" + ", ".join([param] * len(values)) + ")", values))


def starts_among(column, texts):
    """The indexed start of a text column among the starts of `texts`."""
    starts = {text[:TEXT_START] for text in texts}
    if not starts:
        return SQL("0 = 1")
    param = column.model._meta.database.param
    return text_start(column).in_(SQL("(" + ", ".join([param] * len(starts)) + ")",
                                      list(starts)))


def insert_rows(model, rows):
    """Insert dicts (field name → value; defaults fill the rest) with one statement per
    chunk, and return the new ids in the rows' order.

    Peewee's insert_many builds SQL value by value, which was most of an import's time; this
    builds the placeholders once. Ids come back sorted: both backends number the rows of a
    VALUES list in order, and the import holds the write lock (BEGIN IMMEDIATE on SQLite)."""
    database = model._meta.database
    fields = [f for f in model._meta.sorted_fields if f.name != "id"]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    defaults = [f.default() if callable(f.default) else f.default for f in fields]
    names = [f.name for f in fields]
    foreign = [i for i, f in enumerate(fields) if isinstance(f, ForeignKeyField)]
    table = model._meta.table_name
    ids = []
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        one = "(" + ", ".join([database.param] * len(fields)) + ")"
        sql = (f'INSERT INTO "{table}" ({columns}) VALUES ' + ", ".join([one] * len(chunk))
               + ' RETURNING "id"')
        params = [row.get(name, default) for row in chunk
                  for name, default in zip(names, defaults, strict=True)]
        for index in range(0, len(params), len(fields)):
            for position in foreign:  # a model instance where its id is meant
                if hasattr(params[index + position], "_pk"):
                    params[index + position] = params[index + position]._pk
        ids.extend(sorted(r[0] for r in database.execute_sql(sql, params).fetchall()))
    return ids


def insert_links(model, rows):
    """Insert rows of a table without ids (a link table) with one prepared statement
    (executemany): Peewee's insert_many built their SQL value by value."""
    database = model._meta.database
    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    one = ", ".join([database.param] * len(fields))
    database.cursor().executemany(
        f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({one})',
        [tuple(row[f.name] for f in fields) for row in rows])


# --- validation ---------------------------------------------------------------------------

def _messages(error, prefix):
    """(field path, message) pairs from a marshmallow ValidationError."""
    def walk(messages, path):
        if isinstance(messages, dict):
            for key, value in messages.items():
                yield from walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(messages, list) and messages and not all(
                isinstance(m, str) for m in messages):
            for index, value in enumerate(messages):
                yield from walk(value, f"{path}[{index}]")
        else:
            yield path, "; ".join(map(str, messages if isinstance(messages, list)
                                      else [messages]))
    return list(walk(error.messages, prefix))


def load(schema, data, line, path, refs=()):
    """Validate a record through its resource schema (less read-only fields and refs)."""
    if not isinstance(data, dict):
        raise RecordError(line, path or None, "expected an object")
    values = {k: v for k, v in data.items() if k not in READ_ONLY and k not in refs}
    try:
        return schema.load(values)
    except ValidationError as error:
        (where, message), *_ = _messages(error, path)
        raise RecordError(line, where, message) from None


SCHEMAS = {
    "topics": TopicSchema(),
    "speakers": SpeakerSchema(),
    "speaker_ref": SpeakerSchema(partial=True),
    "alias": AliasSchema(),
    "sources": SourceSchema(),
    "source_ref": SourceSchema(partial=True),
    "quotes": QuoteSchema(),
    "claims": ClaimSchema(),
    "stance": StanceSchema(),
    "review": ReviewSchema(),
    "appearance": AppearanceSchema(),
}


# --- history ------------------------------------------------------------------------------

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


# --- one import's state across batches ---------------------------------------------------

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


# A record's field → the columns it sets (the others set the column of their name).
COLUMNS_OF = {"name": ("name", "key"), "via": ("via_id",)}


def carried(values, record):
    """The `values` of the fields a record carries: an import changes only those. A field
    given as null is carried (it clears the column); a field left out is not."""
    columns = {c for name in record for c in COLUMNS_OF.get(name, (name,))}
    return {k: v for k, v in values.items() if k in columns}


def _cached_speaker(cache, field_name, value):
    """The id of the speaker whose `field_name` is `value` (remembered in `cache`), or None."""
    if value not in cache:
        found = Speaker.get_or_none(getattr(Speaker, field_name) == value)
        if found is None:
            return None
        cache[value] = found.id
    return cache[value]


def _stances_of(record):
    """The stance objects of a claim record, whatever their grouping holds (unchecked)."""
    stances = record.get("stances")
    for group in stances.values() if isinstance(stances, dict) else ():
        yield from (s for s in group if isinstance(s, dict)) if isinstance(group, list) else ()


def _earliest(old, new):
    return new if old is None or (new is not None and new < old) else old


class Batch:
    """The items of one batch, written kind by kind (topics before the claims naming them)."""

    def __init__(self, run, items):
        self.run = run
        self.items = items
        self.outcome = Outcome()
        self.history = []
        self.quote_refs = {}  # (speaker id, text) → quotes
        self.named_speakers = set()  # ids whose name or aliases this batch wrote

    def write(self):
        by_kind = defaultdict(list)
        for item in self.items:
            if item.kind not in KINDS:
                self.outcome.problems.append(RecordError(item.line, None,
                                                         f"unknown resource {item.kind!r}"))
            else:
                by_kind[item.kind].append(item)
        self.prefetch_refs()
        for kind in KINDS:
            if by_kind[kind]:
                getattr(self, f"write_{kind}")(by_kind[kind])
        if self.history:
            insert_rows(Change, self.history)
        identity.index_speakers(self.named_speakers)
        return self.outcome

    def prefetch_refs(self):
        """Fill the caches, in two statements, with the speakers and sources the batch's
        quotes and stances name by slug."""
        speakers, sources = set(), set()
        for item in self.items:
            for ref in [item.data, *_stances_of(item.data)]:
                for name, wanted in (("speaker", speakers), ("via", speakers),
                                     ("source", sources)):
                    value = ref.get(name)
                    if isinstance(value, dict) and isinstance(value.get("slug"), str):
                        wanted.add(value["slug"])
        speakers -= set(self.run.speaker_slugs)
        sources -= set(self.run.sources)
        if speakers:
            self.run.speaker_slugs.update(Speaker.select(Speaker.slug, Speaker.id).where(
                among(Speaker.slug, speakers)).tuples())
        if sources:
            self.run.sources.update((s.slug, s) for s in Source.select(
                Source.id, Source.slug, Source.text).where(among(Source.slug, sources)))

    def each_valid(self, items, check):
        """(item, checked record) for the items that pass `check`; the others are reported."""
        for item in items:
            try:
                yield item, check(item)
            except RecordError as error:
                self.outcome.problems.append(error)

    def created(self, kind, model, rows, resource, slugs=False, parent=None):
        """Insert new rows (dicts) in bulk; their ids, in order. Each gets a history row."""
        if not rows:
            return []
        ids = insert_rows(model, rows)
        if model is Speaker:
            self.named_speakers.update(ids)
        recorded = [(f.name, f.default) for f in model._meta.sorted_fields
                    if f.name not in ("id", "version", "key")]  # as the API records a create
        for row_id, values in zip(ids, rows, strict=True):
            self.history.append(change_row(
                self.run.actor, "create", resource, row_id,
                {name: values.get(name, default() if callable(default) else default)
                 for name, default in recorded},
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

    # --- topics ---------------------------------------------------------------------------

    def write_topics(self, items):
        valid = list(self.each_valid(
            items, lambda item: load(SCHEMAS["topics"], item.data, item.line, "")))
        existing = {t.slug: t for t in Topic.select().where(
            among(Topic.slug, [d["slug"] for _, d in valid]))}
        new = {}
        for item, data in valid:
            if data["slug"] in existing:
                self.updated("topics", Topic, existing[data["slug"]], {"name": data["name"]},
                             "topic", line=item.line)
            elif data["slug"] in new:
                self.outcome.unchanged["topics"] += 1
            elif self.run.kept("topic", key=data["slug"]):
                self.outcome.kept["topics"] += 1
            else:
                new[data["slug"]] = data
        ids = self.created("topics", Topic, list(new.values()), "topic", slugs=True)
        self.run.topics.update(zip(new, ids, strict=True))

    def topic_id(self, ref, line, path):
        """The id of the topic a ref names; created when unknown (name defaults to the slug)."""
        if not isinstance(ref, dict) or not isinstance(ref.get("slug"), str):
            raise RecordError(line, path, "a topic is referred to as {\"slug\": …}")
        slug = ref["slug"]
        if slug not in self.run.topics:
            found = Topic.get_or_none(Topic.slug == slug)
            if found is None:
                if not allows(self.run.role, "topics", "create"):
                    raise RecordError(line, path, f"no topic {slug!r}: creating topics needs "
                                      f"the {role_for('topics', 'create')} role")
                data = load(SCHEMAS["topics"], {"slug": slug, "name": ref.get("name") or slug},
                            line, path)
                return lambda: self._new_topic(data)
            self.run.topics[slug] = found.id
        return self.run.topics[slug]

    def _new_topic(self, data):
        if data["slug"] not in self.run.topics:
            self.run.topics[data["slug"]] = self.created("topics", Topic, [data], "topic",
                                                         slugs=True)[0]
        return self.run.topics[data["slug"]]

    # --- speakers -------------------------------------------------------------------------

    def check_speaker(self, item):
        data = load(SCHEMAS["speakers"], item.data, item.line, "", refs=("aliases",))
        return data, self._aliases(item.data.get("aliases") or [], item.line)

    def _aliases(self, aliases, line):
        if not isinstance(aliases, list):
            raise RecordError(line, "aliases", "expected a list")
        checked = []
        for index, alias in enumerate(aliases):
            data = load(SCHEMAS["alias"], alias, line, f"aliases[{index}]")
            data["key"] = name_key(data["name"])
            if not data["key"]:
                raise RecordError(line, f"aliases[{index}].name", "has no letters or digits")
            checked.append(data)
        return checked

    def write_speakers(self, items):
        valid = list(self.each_valid(items, self.check_speaker))
        slugs = [data["slug"] for _, (data, _) in valid]
        existing = {s.slug: s for s in Speaker.select().where(among(Speaker.slug, slugs))}
        new, aliases_of = {}, defaultdict(list)
        for item, (data, aliases) in valid:
            data["key"] = name_key(data["name"])
            row = existing.get(data["slug"])
            if row is not None:
                self.updated("speakers", Speaker, row, carried(data, item.data), "speaker",
                             line=item.line)
            elif data["slug"] in new:
                self.outcome.unchanged["speakers"] += 1
            elif self.run.kept("speaker", key=data["slug"]):
                self.outcome.kept["speakers"] += 1
                continue
            else:
                new[data["slug"]] = data
            aliases_of[data["slug"]].extend(aliases)
        ids = self.created("speakers", Speaker, list(new.values()), "speaker", slugs=True)
        for slug, speaker_id in zip(new, ids, strict=True):
            self.remember_speaker(speaker_id, new[slug])
        ids_by_slug = {**{s: r.id for s, r in existing.items()}, **dict(zip(new, ids,
                                                                          strict=True))}
        self.write_aliases(aliases_of, ids_by_slug)

    def write_aliases(self, aliases_of, ids_by_slug):
        speaker_ids = list(ids_by_slug.values())
        have = {(a.speaker_id, a.key, a.lang) for a in Alias.select(
            Alias.speaker, Alias.key, Alias.lang).where(among(Alias.speaker, speaker_ids))}
        rows, touched = [], set()
        for slug, aliases in aliases_of.items():
            speaker_id = ids_by_slug[slug]
            for alias in aliases:
                key = (speaker_id, alias["key"], alias["lang"])
                if key in have:
                    self.outcome.unchanged["aliases"] += 1
                    continue
                have.add(key)
                rows.append({"speaker": speaker_id, **alias})
                touched.add(speaker_id)
                self.named_speakers.add(speaker_id)
                self.remember_key(alias["key"], speaker_id)
        if rows:
            ids = insert_rows(Alias, rows)
            for alias_id, row in zip(ids, rows, strict=True):
                self.history.append(change_row(self.run.actor, "create", "alias", alias_id,
                                               {k: row[k] for k in ("speaker", "name", "lang")},
                                               parent=("speaker", row["speaker"])))
            self.outcome.created["aliases"] += len(rows)
            Speaker.update(version=Speaker.version + 1).where(
                Speaker.id.in_(list(touched))).execute()

    def remember_speaker(self, speaker_id, data):
        self.run.speaker_slugs[data["slug"]] = speaker_id
        if data.get("wikidata_id"):
            self.run.speaker_wikidata[data["wikidata_id"]] = speaker_id
        self.remember_key(data["key"], speaker_id)

    def remember_key(self, key, speaker_id):
        known = self.run.speaker_keys.get(key)
        self.run.speaker_keys[key] = speaker_id if known in (None, speaker_id) else AMBIGUOUS

    def speaker_id(self, ref, line, path):
        """The id of the speaker a ref names, or a function creating it (see the doc)."""
        if isinstance(ref, dict) and ref.get("slug") in self.run.speaker_slugs:
            return self.run.speaker_slugs[ref["slug"]]  # known: nothing to validate
        data = load(SCHEMAS["speaker_ref"], ref, line, path, refs=("aliases",))
        run = self.run
        for field_name, cache in (("slug", run.speaker_slugs),
                                  ("wikidata_id", run.speaker_wikidata)):
            found = data.get(field_name) and _cached_speaker(cache, field_name,
                                                             data[field_name])
            if found:
                return found
        if not data.get("name"):
            raise RecordError(line, path, f"no speaker with slug {data.get('slug')!r}, and no "
                              "name to find or create one by")
        key = name_key(data["name"])
        if key not in run.speaker_keys:
            ids = {s.id for s in Speaker.select(Speaker.id).where(Speaker.key == key)}
            ids |= {a.speaker_id for a in Alias.select(Alias.speaker).where(Alias.key == key)}
            run.speaker_keys[key] = ids.pop() if len(ids) == 1 else (AMBIGUOUS if ids else None)
            if run.speaker_keys[key] is None:  # the same name in another order, title, script
                sure = identity.confident_speaker(data["name"])
                run.speaker_keys[key] = sure.id if sure is not None else None
        found = run.speaker_keys[key]
        if found is AMBIGUOUS:
            raise RecordError(line, f"{path}.name", f"{data['name']!r} names several speakers; "
                              "give the slug (or wikidata_id) to say which")
        if found is not None:
            return found
        if not data.get("kind"):
            raise RecordError(line, f"{path}.kind", f"no speaker named {data['name']!r}; a kind "
                              "is needed to create one")
        return lambda: self._new_speaker(data)

    def _new_speaker(self, data):
        key = name_key(data["name"])
        if self.run.speaker_keys.get(key) not in (None, AMBIGUOUS):
            return self.run.speaker_keys[key]  # created by an earlier record of this batch
        values = {"slug": data.get("slug") or self._free_slug(data["name"]),
                  "name": data["name"], "key": key, "kind": data["kind"],
                  **{k: data.get(k) for k in ("country", "description", "wikidata_id")}}
        speaker_id = self.created("speakers", Speaker, [values], "speaker", slugs=True)[0]
        self.remember_speaker(speaker_id, values)
        return speaker_id

    def _free_slug(self, name):
        base = slugify(name, 100, transliterate=True) or "speaker"  # room for a "-2"
        taken = {s.slug for s in Speaker.select(Speaker.slug).where(
            Speaker.slug.startswith(base))}
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        return slug

    # --- sources --------------------------------------------------------------------------

    def write_sources(self, items):
        valid = list(self.each_valid(
            items, lambda item: load(SCHEMAS["sources"], item.data, item.line, "")))
        existing = {s.slug: s for s in Source.select().where(
            among(Source.slug, [d["slug"] for _, d in valid]))}
        new = {}
        for item, data in valid:
            row = existing.get(data["slug"])
            if row is not None:
                data = carried(data, item.data)
                if "text" in data and data["text"] != row.text and Quote.select().where(
                        Quote.source == row.id).exists():
                    self.outcome.problems.append(RecordError(
                        item.line, "text", "the source has quotes located in its text; change "
                        "its text with PATCH /sources/{id}, which relocates them"))
                    continue
                self.updated("sources", Source, row, data, "source", line=item.line)
                self.run.sources.pop(data["slug"], None)
            elif data["slug"] in new:
                self.outcome.unchanged["sources"] += 1
            elif self.run.kept("source", key=data["slug"]):
                self.outcome.kept["sources"] += 1
            else:
                new[data["slug"]] = data
        self.created("sources", Source, list(new.values()), "source", slugs=True)

    def source(self, ref, line, path):
        """The Source (id, text) a ref names, or a function creating it."""
        if isinstance(ref, dict) and ref.get("slug") in self.run.sources:
            return self.run.sources[ref["slug"]]
        data = load(SCHEMAS["source_ref"], ref, line, path, refs=("text",))
        slug = data.get("slug")
        if not slug:
            raise RecordError(line, f"{path}.slug", "a source is referred to by its slug")
        if slug not in self.run.sources:
            found = Source.select(Source.id, Source.slug, Source.text).where(
                Source.slug == slug).first()
            if found is None:
                if not data.get("kind"):
                    raise RecordError(line, f"{path}.kind", f"no source {slug!r}; a kind is "
                                      "needed to create one")
                return lambda: self._new_source(data)
            self.run.sources[slug] = found
        return self.run.sources[slug]

    def _new_source(self, data):
        if data["slug"] not in self.run.sources:
            values = {k: v for k, v in data.items() if k != "text"}
            source_id = self.created("sources", Source, [values], "source", slugs=True)[0]
            self.run.sources[data["slug"]] = Source(id=source_id, slug=data["slug"], text=None)
        return self.run.sources[data["slug"]]

    # --- quotes ---------------------------------------------------------------------------

    def check_quote(self, item):
        refs = ("speaker", "via", "source", "text_position")
        data = load(SCHEMAS["quotes"], item.data, item.line, "", refs=refs)
        speaker = self.speaker_id(item.data.get("speaker"), item.line, "speaker")
        via = item.data.get("via") and self.speaker_id(item.data["via"], item.line, "via")
        source = self.source(item.data.get("source"), item.line, "source")
        position = item.data.get("text_position")
        if callable(source):
            if position:
                raise RecordError(item.line, "text_position", "the new source has no text")
            return data, speaker, via, source, {}
        return data, speaker, via, source, self.locate(source, data["text"], position,
                                                       item.line)

    @staticmethod
    def locate(source, text, position, line):
        """The selector columns of a quote in its source's text (none when it has no text)."""
        if source.text is None:
            if position:
                raise RecordError(line, "text_position", "the source holds no text")
            return {}
        try:
            if position:
                if not isinstance(position, dict) or not all(
                        isinstance(position.get(k), int) for k in ("start", "end")):
                    raise RecordError(line, "text_position", "expected {start, end} integers")
                found = selector_at(source.text, text, position["start"], position["end"])
            else:
                found = locate_quote(source.text, text)
        except QuoteNotInSource as error:
            raise RecordError(line, "text", str(error)) from None
        return {"prefix": found.prefix, "suffix": found.suffix,
                "start_offset": found.start, "end_offset": found.end}

    def write_quotes(self, items):
        checked = [(item, *parts) for item, parts in self.each_valid(items, self.check_quote)]
        rows = []
        for item, data, speaker, via, source, selector in checked:
            speaker = speaker() if callable(speaker) else speaker
            via = via() if callable(via) else (via or None)
            source = source() if callable(source) else source
            rows.append({**data, **dict.fromkeys(("prefix", "suffix", "start_offset",
                                                  "end_offset")), **selector,
                         "speaker": speaker, "via": via, "source": source.id,
                         RECORD: item})
        existing = {}
        if rows:
            query = Quote.select().where(
                starts_among(Quote.text, [r["text"] for r in rows]))
            existing = {(q.source_id, q.speaker_id, q.text, q.start_offset): q for q in query}
        new = {}
        for row in rows:
            item = row.pop(RECORD)
            key = (row["source"], row["speaker"], row["text"], row["start_offset"])
            if key in existing:
                self.updated("quotes", Quote, existing[key], carried({
                    k: row[k] for k in ("lang", "kind", "said_on", "context")} | {
                    "via_id": row["via"]}, item.data), "quote", line=item.line)
            elif key in new:
                self.outcome.unchanged["quotes"] += 1
            elif self.run.kept("quote", key=key):
                self.outcome.kept["quotes"] += 1
            else:
                new[key] = row
        self.created("quotes", Quote, list(new.values()), "quote")

    # --- claims ---------------------------------------------------------------------------

    def check_claim(self, item):
        """The claim's own fields and its parts, every reference resolved (or to create)."""
        refs = ("topics", "stances", "reviews", "appearances")
        line, raw = item.line, item.data
        data = load(SCHEMAS["claims"], raw, line, "", refs=refs)
        topics = [self.topic_id(ref, line, f"topics[{i}]")
                  for i, ref in enumerate(self._list(raw, "topics", line))]
        stances = raw.get("stances") or {}
        if not isinstance(stances, dict) or set(stances) - set(POSITIONS):
            raise RecordError(line, "stances", "expected {asserts: [], denies: [], "
                              "questions: []}")
        checked_stances = [self.check_stance(stance, position, line,
                                             f"stances.{position}[{i}]")
                           for position in POSITIONS
                           for i, stance in enumerate(self._list(stances, position, line))]
        reviews = [self.check_review(review, line, f"reviews[{i}]")
                   for i, review in enumerate(self._list(raw, "reviews", line))]
        appearances = []
        for i, appearance in enumerate(self._list(raw, "appearances", line)):
            values = load(SCHEMAS["appearance"], appearance, line, f"appearances[{i}]")
            if not values.get("url"):
                raise RecordError(line, f"appearances[{i}].url", "Missing data for required "
                                  "field.")
            appearances.append({"url": values["url"], "published_on": values.get(
                "published_on"), "first": bool(values.get("first"))})
        return data, topics, checked_stances, reviews, appearances

    @staticmethod
    def _list(data, name, line):
        value = data.get(name) or []
        if not isinstance(value, list):
            raise RecordError(line, name, "expected a list")
        return value

    def check_stance(self, raw, position, line, path):
        values = load(SCHEMAS["stance"], {**(raw if isinstance(raw, dict) else {}),
                                          "position": position}, line, path,
                      refs=("speaker", "quote", "source"))
        speaker = self.speaker_id(raw.get("speaker"), line, f"{path}.speaker")
        source = raw.get("source") and self.source(raw["source"], line, f"{path}.source")
        quote = raw.get("quote") and self.quote_id(raw["quote"], speaker, source, line,
                                                   f"{path}.quote")
        return {"position": position, "stated_on": values.get("stated_on"),
                "speaker": speaker, "source": source, "quote": quote}

    def quote_id(self, ref, speaker, source, line, path):
        """The id of the quote a stance refers to: by its speaker, text (and position),
        preferring the stance's source."""
        if not isinstance(ref, dict) or not isinstance(ref.get("text"), str):
            raise RecordError(line, path, "a quote is referred to as {\"text\": …}")
        if callable(speaker):
            raise RecordError(line, path, "the speaker is new, so no quote of theirs exists; "
                              "import the quotes first")
        start = (ref.get("text_position") or {}).get("start")
        found = [q for q in self.quotes_of(speaker, ref["text"])
                 if start is None or q.start_offset == start]
        if len(found) > 1 and source is not None and not callable(source):
            found = [q for q in found if q.source_id == source.id] or found
        if not found:
            raise RecordError(line, f"{path}.text", "no quote by this speaker with this text; "
                              "import the quotes first")
        if len(found) > 1:
            raise RecordError(line, f"{path}.text", f"{len(found)} quotes by this speaker "
                              "have this text; give its source or text_position")
        return found[0].id

    def quotes_of(self, speaker, text):
        """The quotes by a speaker with this text (from the batch's prefetch when it has it)."""
        key = (speaker, text)
        if key not in self.quote_refs:
            self.quote_refs[key] = list(Quote.select(
                Quote.id, Quote.source, Quote.start_offset, Quote.text).where(
                (text_start(Quote.text) == text[:TEXT_START]) & (Quote.speaker == speaker)
                & (Quote.text == text)))
        return self.quote_refs[key]

    def prefetch_quote_refs(self, items):
        """Look up, in one statement, the quotes that the batch's stances name by text, for
        speakers named by a known slug (the common case of Claimbase's own files)."""
        wanted = set()
        for item in items:
            for stance in _stances_of(item.data):
                speaker, quote = stance.get("speaker"), stance.get("quote")
                slug = speaker.get("slug") if isinstance(speaker, dict) else None
                if (isinstance(quote, dict) and isinstance(quote.get("text"), str)
                        and slug in self.run.speaker_slugs):
                    wanted.add((self.run.speaker_slugs[slug], quote["text"]))
        if not wanted:
            return
        for key in wanted:
            self.quote_refs[key] = []
        query = Quote.select(Quote.id, Quote.source, Quote.start_offset, Quote.text,
                             Quote.speaker).where(
            starts_among(Quote.text, [t for _, t in wanted]))
        for quote in query:
            if (quote.speaker_id, quote.text) in wanted:
                self.quote_refs[(quote.speaker_id, quote.text)].append(quote)

    def check_review(self, raw, line, path):
        values = load(SCHEMAS["review"], raw, line, path)
        if values.get("rating") is None:
            values["rating"] = normalise_rating(values.get("rating_label"))
        return with_canonical_publisher(values, self.run.publishers)

    def write_claims(self, items):
        self.prefetch_quote_refs(items)
        checked = list(self.each_valid(items, self.check_claim))
        texts = {data["text"] for _, (data, *_) in checked}
        existing = {}
        if texts:
            existing = {(c.text, c.lang): c for c in Claim.select().where(
                starts_among(Claim.text, texts)) if c.text in texts}
        attached = self.near_duplicates(checked, existing)
        parts = ClaimParts.load([c.id for c in [*existing.values(), *attached.values()]])
        new = {}
        for item, (data, topics, stances, reviews, appearances) in checked:
            key = (data["text"], data["lang"])
            claim = existing.get(key) or attached.get(key)
            if (self.run.kept("claim", claim.id) if claim is not None
                    else key not in new and self.run.kept("claim", key=key)):
                self.outcome.kept["claims"] += 1  # the claim and its parts, as edited
                continue
            if claim is not None:
                self.updated("claims", Claim, claim, {"first_seen": _earliest(
                    claim.first_seen, data["first_seen"])}, "claim", line=item.line)
            elif key in new:
                self.outcome.unchanged["claims"] += 1
                new[key]["first_seen"] = _earliest(new[key]["first_seen"], data["first_seen"])
            else:
                new[key] = dict(data)
            target = claim.id if claim is not None else key
            parts.merge(target, self._resolved(topics, stances), reviews, appearances)
        ids = self.created("claims", Claim, list(new.values()), "claim")
        claim_ids = dict(zip(new, ids, strict=True))
        parts.flush(self, claim_ids)
        index_claims([*ids, *(c.id for c in existing.values())])  # the batch's, in bulk

    def near_duplicates(self, checked, existing):
        """Report the batch's new claims that nearly duplicate a claim of the database
        (docs/matching.md); with `attach`, {natural key: the claim to attach them to}.

        `report` compares normalised texts only, in one indexed statement per batch;
        `similar` and `attach` also run a matching query per new claim (slower)."""
        attached = {}
        if self.run.duplicates == "ignore":
            return attached
        records = {(d["text"], d["lang"]): item.line for item, (d, *_) in checked}
        records = {key: line for key, line in records.items() if key not in existing}
        equal = same_text_claims(key[0] for key in records)
        for (text, lang), line in records.items():
            found = equal.get(normalised_key(text), [])
            if self.run.duplicates != "report":
                found = near_duplicates(text, lang or "en")
            if not found:
                continue
            self.outcome.near_duplicates.append({"line": line, "duplicates": [
                {"id": m.claim_id, "score": m.duplicate} for m in found]})
            if self.run.duplicates == "attach":
                attached[(text, lang)] = Claim.get_by_id(found[0].claim_id)
        return attached

    @staticmethod
    def _resolved(topics, stances):
        def value(ref):
            return ref() if callable(ref) else ref

        topic_ids = [value(t) for t in topics]
        for stance in stances:
            stance["speaker"] = value(stance["speaker"])
            source = value(stance["source"]) if stance["source"] else None
            stance["source"] = source.id if source is not None else None
        return topic_ids, stances


class ClaimParts:
    """The stances, reviews, appearances and topics of a batch's claims: what the database
    holds for existing claims, merged with what the batch brings, then written in bulk."""

    def __init__(self):
        self.repeated = Counter()  # parts named again by a later record of the batch
        self.stances = {}  # (claim, speaker, position) → [row or None, values, changed]
        self.reviews = {}
        self.appearances = {}
        self.topics = {}  # (claim, topic) → existing?

    @classmethod
    def load(cls, claim_ids):
        parts = cls()
        if not claim_ids:
            return parts
        for s in Stance.select().where(among(Stance.claim, claim_ids)):
            parts.stances[(s.claim_id, s.speaker_id, s.position)] = [s, None]
        for r in Review.select().where(among(Review.claim, claim_ids)):
            parts.reviews[review_key(r.claim_id, r.__data__)] = [r, None]
        for a in Appearance.select().where(among(Appearance.claim, claim_ids)):
            parts.appearances[(a.claim_id, a.url)] = [a, None]
        for t in ClaimTopic.select().where(among(ClaimTopic.claim, claim_ids)):
            parts.topics[(t.claim_id, t.topic_id)] = True
        return parts

    def merge(self, claim, resolved, reviews, appearances):
        """Add one record's parts to claim (an id, or the natural key of a new claim)."""
        topic_ids, stances = resolved
        for topic_id in topic_ids:
            self.topics.setdefault((claim, topic_id), False)
        for stance in stances:
            key = (claim, stance["speaker"], stance["position"])
            values = {"stated_on": stance["stated_on"], "quote": stance["quote"],
                      "source": stance["source"]}
            self._merge("stances", key, values, earliest=("stated_on",))
        for review in reviews:
            self._merge("reviews", review_key(claim, review), review)
        for appearance in appearances:
            key = (claim, appearance["url"])
            values = {"published_on": appearance["published_on"], "first": appearance["first"]}
            self._merge("appearances", key, values, earliest=("published_on",),
                        any_of=("first",))

    def _merge(self, kind, key, values, earliest=(), any_of=()):
        """Fold values into the entry: dates keep the earliest, flags any true, other fields
        take a given (non-null) value."""
        entry = getattr(self, kind).setdefault(key, [None, None])
        row, current = entry
        if current is not None:
            self.repeated[kind] += 1
        if current is None:
            current = {k: (getattr(row, ID_ATTRIBUTES.get(k, k)) if row is not None else None)
                       for k in values}
            if row is None:
                current = dict(values)
        merged = dict(current)
        for k, v in values.items():
            if k in earliest:
                merged[k] = _earliest(current[k], v)
            elif k in any_of:
                merged[k] = bool(current[k]) or bool(v)
            elif v is not None:
                merged[k] = v
        entry[1] = merged

    def flush(self, batch, new_ids):
        """Insert new parts, update changed ones, count the rest; bump touched claims."""
        def claim_id(claim):
            return new_ids[claim] if isinstance(claim, tuple) else claim

        touched = set()
        for kind, table, model, resource in (
                ("stances", self.stances, Stance, "stance"),
                ("reviews", self.reviews, Review, "review"),
                ("appearances", self.appearances, Appearance, "appearance")):
            rows = []
            for key, (row, values) in table.items():
                if values is None:
                    continue  # held by the database, not named by this batch
                if row is None:
                    rows.append({**self._key_fields(kind, key, claim_id), **values})
                elif batch.updated(kind, model, row, self._columns(values), resource,
                                   parent=row.claim_id):
                    touched.add(row.claim_id)
            batch.created(kind, model, rows, resource, parent=True)
            touched |= {r["claim"] for r in rows if not isinstance(r["claim"], tuple)}
        links = [{"claim": claim_id(c), "topic": t} for (c, t), held in self.topics.items()
                 if not held]
        if links:
            insert_links(ClaimTopic, links)
            batch.outcome.created["claim topics"] += len(links)
            slugs = {topic_id: slug for slug, topic_id in batch.run.topics.items()}
            for link in links:  # as tagging through the API records it
                batch.history.append(change_row(batch.run.actor, "update", "claim",
                                                link["claim"], {"topics": slugs[link["topic"]]}))
        batch.outcome.unchanged["claim topics"] += sum(self.topics.values())
        batch.outcome.unchanged.update(self.repeated)
        existing_touched = touched - set(new_ids.values())
        if existing_touched:
            Claim.update(version=Claim.version + 1).where(
                Claim.id.in_(list(existing_touched))).execute()

    @staticmethod
    def _key_fields(kind, key, claim_id):
        claim = claim_id(key[0])
        if kind == "stances":
            return {"claim": claim, "speaker": key[1], "position": key[2]}
        if kind == "appearances":
            return {"claim": claim, "url": key[1]}
        return {"claim": claim}

    @staticmethod
    def _columns(values):
        return {ID_ATTRIBUTES.get(k, k): v for k, v in values.items()}


REVIEW_IDENTITY = ("publisher", "title", "rating_label", "explanation")


def review_key(claim, values):
    """A review is its claim, publisher and URL; without a URL, all that it says."""
    if values.get("url"):
        return (claim, values["publisher"], values["url"])
    return (claim, None, *(values.get(k) for k in REVIEW_IDENTITY))
