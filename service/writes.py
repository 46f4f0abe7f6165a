"""Named writes: each runs in one transaction, bumps the version (the ETag) of what it
changes, and records who changed which fields, from what to what, in the same transaction.

Conflicts are the database's job: unique and foreign-key violations surface as
IntegrityError (→ 409) and a stale version makes the conditional UPDATE touch no row
(→ 412). Nothing here knows about HTTP requests; the caller names the actor.
"""

from . import identity
from .db import write_transaction
from .exceptions import InvalidInput
from .exceptions import NotFoundError
from .exceptions import StaleVersion
from .matching import index_claims
from .matching import refuse_near_duplicates
from .models import MAX_ID
from .models import Alias
from .models import Claim
from .models import ClaimTopic
from .models import Quote
from .models import Review
from .models import Source
from .models import Speaker
from .models import Stance
from .models import Topic
from .text import QuoteNotInSource
from .text import name_key
from .write.history import plain
from .write.history import record
from .write.location import SELECTOR_FIELDS
from .write.location import selector_columns
from .write.reviews import review_values

# --- history ------------------------------------------------------------------------------


def _columns(row, names):
    """{name: plain value} for these fields of a row (foreign keys as ids)."""
    return {name: plain(row.__data__.get(name)) for name in names}


def _editable_fields(model):
    return [name for name in model._meta.sorted_field_names if name not in ("id", "version")]


# --- the three generic writes -------------------------------------------------------------

def _create(model, resource, values, actor, parent=None):
    row = model.create(**values)
    after = _columns(row, [f for f in _editable_fields(model) if f != "key"])
    record(actor, "create", resource, row, {k: [None, v] for k, v in after.items()}, parent)
    return row


def _update(model, resource, row, version, values, actor):
    """Apply `values` if the row is still at `version`; else 412. Returns the fresh row."""
    before = _columns(row, values)
    if all(before[k] == plain(v) for k, v in values.items()):  # nothing to change
        if row.version != version:
            raise StaleVersion(row)
        return row
    changed = model.update(**values, version=model.version + 1).where(
        (model.id == row.id) & (model.version == version)
    ).execute()
    if not changed:
        current = model.get_or_none(model.id == row.id)
        raise StaleVersion(current)
    fresh = model.get_by_id(row.id)
    after = _columns(fresh, values)
    diff = {k: [before[k], after[k]] for k in values if before[k] != after[k] and k != "key"}
    record(actor, "update", resource, fresh, diff)
    return fresh


def _delete(model, resource, row, version, actor):
    before = _columns(row, [f for f in _editable_fields(model) if f != "key"])
    deleted = model.delete().where((model.id == row.id) & (model.version == version)).execute()
    if not deleted:
        raise StaleVersion(row)
    record(actor, "delete", resource, row, {k: [v, None] for k, v in before.items()})


def _touch(parent, version=None):
    """Bump a parent's version for a change to one of its parts (aliases, stances, …);
    with a version (from If-Match), only if the parent is still at it."""
    model = type(parent)
    condition = model.id == parent.id
    if version is not None:
        condition &= model.version == version
    if not model.update(version=model.version + 1).where(condition).execute():
        raise StaleVersion(parent)


# --- references in bodies -----------------------------------------------------------------

def find_speaker(ref, field):
    """A speaker named in a body by id or slug, or by a name that names one speaker surely
    (identity.speaker_named: never a guess); else 422 listing the candidates."""
    speaker = None
    if isinstance(ref, str) and ref.isascii() and ref.isdigit() and int(ref) <= MAX_ID:
        speaker = Speaker.get_or_none(Speaker.id == int(ref))
    elif isinstance(ref, str):
        speaker = Speaker.get_or_none(Speaker.slug == ref)
        if speaker is None:
            try:
                speaker = identity.speaker_named(ref)
            except identity.NotOneSpeaker as error:
                raise InvalidInput({field: [str(error)]}) from None
    if speaker is None:
        raise InvalidInput({field: [f"No speaker with id or slug {ref!r}."]})
    return speaker


def _find(model, ref, field, what):
    row = model.get_or_none(model.id == ref) if ref <= MAX_ID else None
    if row is None:
        raise InvalidInput({field: [f"No {what} with id {ref}."]})
    return row


# --- speakers and aliases -----------------------------------------------------------------

def _speaker_values(data):
    values = dict(data)
    if "name" in values:
        values["key"] = name_key(values["name"])
    return values


def create_speaker(data, actor):
    with write_transaction():
        speaker = _create(Speaker, "speaker", _speaker_values(data), actor)
        identity.index_speakers([speaker.id])
        return speaker


def update_speaker(speaker, version, data, actor):
    with write_transaction():
        updated = _update(Speaker, "speaker", speaker, version, _speaker_values(data), actor)
        identity.index_speakers([updated.id])
        return updated


def delete_speaker(speaker, version, actor):
    with write_transaction():
        _delete(Speaker, "speaker", speaker, version, actor)


def add_alias(speaker, data, actor, version=None):
    key = name_key(data["name"])
    if not key:
        raise InvalidInput({"name": ["An alias needs at least one letter or digit."]})
    with write_transaction():
        _touch(speaker, version)
        alias = _create(Alias, "alias", {**data, "key": key, "speaker": speaker}, actor, speaker)
        identity.index_speakers([speaker.id])
        return alias


def remove_alias(speaker, alias_id, version, actor):
    with write_transaction():
        alias = None
        if alias_id <= MAX_ID:
            alias = Alias.get_or_none((Alias.id == alias_id) & (Alias.speaker == speaker))
        if alias is None:
            raise NotFoundError("alias with id", alias_id)
        _touch(speaker, version)
        before = {"name": alias.name, "lang": alias.lang}
        alias.delete_instance()
        identity.index_speakers([speaker.id])
        record(actor, "delete", "alias", alias, {k: [v, None] for k, v in before.items()},
                speaker)


# --- sources and quotes -------------------------------------------------------------------

def _selector(text, exact, occurrence):
    """Selector columns for a quote in a source text (None text: no selector), or 422."""
    try:
        return selector_columns(text, exact, occurrence)
    except QuoteNotInSource as error:
        raise InvalidInput({"text": [f"{error}."]}) from None


def _relocate(text, quote):
    """Where a quote stands in a source's new text, using its old context to choose among
    several occurrences (prefix + exact + suffix, then prefix + exact, then exact)."""
    for before, after in ((quote.prefix or "", quote.suffix or ""), (quote.prefix or "", ""),
                          ("", "")):
        at = text.find(before + quote.text + after)
        if at >= 0:
            start = at + len(before)
            occurrence = text.count(quote.text, 0, start + len(quote.text)) or 1
            return _selector(text, quote.text, occurrence)
    return None


def create_source(data, actor):
    with write_transaction():
        return _create(Source, "source", data, actor)


def update_source(source, version, data, actor):
    with write_transaction():
        if "text" in data and data["text"] != source.text:
            _relocate_quotes(source, data["text"], actor)
        return _update(Source, "source", source, version, data, actor)


def _relocate_quotes(source, text, actor):
    lost = []
    for quote in Quote.select().where(Quote.source == source).order_by(Quote.id):
        selector = dict.fromkeys(SELECTOR_FIELDS) if text is None else _relocate(text, quote)
        if selector is None:
            lost.append(quote.id)
        elif any(getattr(quote, k) != v for k, v in selector.items()):
            _update(Quote, "quote", quote, quote.version, selector, actor)
    if lost:
        raise InvalidInput({"text": [
            "These quotes would no longer be found verbatim in the text: "
            + ", ".join(map(str, lost)) + "."]})


def delete_source(source, version, actor):
    with write_transaction():
        _delete(Source, "source", source, version, actor)


def _quote_values(data, quote=None):
    values = {k: v for k, v in data.items() if k not in ("speaker_ref", "via_ref", "source_ref",
                                                         "occurrence")}
    if "speaker_ref" in data:
        values["speaker"] = find_speaker(data["speaker_ref"], "speaker")
    if "via_ref" in data:
        values["via"] = find_speaker(data["via_ref"], "via") if data["via_ref"] else None
    if "source_ref" in data:
        source = values["source"] = _find(Source, data["source_ref"], "source", "source")
    elif quote is not None:
        source = Source.get_by_id(quote.source_id)  # with its text, which lists leave out
    if quote is None or {"text", "source_ref", "occurrence"} & set(data):
        text = values.get("text", quote.text if quote is not None else None)
        values.update(_selector(source.text, text, data.get("occurrence", 1)))
    return values


def create_quote(data, actor):
    with write_transaction():
        return _create(Quote, "quote", _quote_values(data), actor)


def update_quote(quote, version, data, actor):
    with write_transaction():
        return _update(Quote, "quote", quote, version, _quote_values(data, quote), actor)


def delete_quote(quote, version, actor):
    with write_transaction():
        _delete(Quote, "quote", quote, version, actor)


# --- claims, with their stances, reviews and topics ----------------------------------------

def create_claim(data, actor, allow_duplicate=False):
    """A new claim; a near-duplicate of an existing one is refused (409) unless allowed."""
    with write_transaction():
        if not allow_duplicate:
            refuse_near_duplicates(data["text"], data.get("lang"))
        claim = _create(Claim, "claim", data, actor)
        index_claims([claim.id])
        return claim


def update_claim(claim, version, data, actor):
    with write_transaction():
        fresh = _update(Claim, "claim", claim, version, data, actor)
        index_claims([claim.id])
        return fresh


def delete_claim(claim, version, actor):
    with write_transaction():
        _delete(Claim, "claim", claim, version, actor)


def add_stance(claim, data, actor, version=None):
    with write_transaction():
        values = {"claim": claim, "position": data["position"],
                  "stated_on": data.get("stated_on"),
                  "speaker": find_speaker(data["speaker_ref"], "speaker")}
        if data.get("quote_ref"):
            quote = values["quote"] = _find(Quote, data["quote_ref"], "quote", "quote")
            if quote.speaker_id != values["speaker"].id:
                raise InvalidInput({"quote": ["The quote is by another speaker."]})
        if data.get("source_ref"):
            values["source"] = _find(Source, data["source_ref"], "source", "source")
        _touch(claim, version)
        return _create(Stance, "stance", values, actor, claim)


def add_review(claim, data, actor, version=None):
    with write_transaction():
        data = review_values(data)
        _touch(claim, version)
        review = _create(Review, "review", {**data, "claim": claim}, actor, claim)
        index_claims([claim.id])  # its title is matched too
        return review


def _remove_part(claim, model, resource, part_id, version, actor):
    with write_transaction():
        part = None
        if part_id <= MAX_ID:
            part = model.get_or_none((model.id == part_id) & (model.claim == claim))
        if part is None:
            raise NotFoundError(f"{resource} with id", part_id)
        _touch(claim, version)
        before = _columns(part, [f for f in part._meta.sorted_field_names if f != "id"])
        part.delete_instance()
        record(actor, "delete", resource, part, {k: [v, None] for k, v in before.items()}, claim)


def remove_stance(claim, stance_id, version, actor):
    _remove_part(claim, Stance, "stance", stance_id, version, actor)


def remove_review(claim, review_id, version, actor):
    with write_transaction():
        _remove_part(claim, Review, "review", review_id, version, actor)
        index_claims([claim.id])  # its title was matched too


def tag_claim(claim, topic, version, actor):
    """Add a topic to a claim (idempotent: tagging twice changes nothing)."""
    with write_transaction():
        if ClaimTopic.get_or_none(claim=claim, topic=topic):
            return
        _touch(claim, version)
        ClaimTopic.create(claim=claim, topic=topic)
        record(actor, "update", "claim", claim, {"topics": [None, topic.slug]})


def untag_claim(claim, topic, version, actor):
    with write_transaction():
        if not ClaimTopic.delete().where((ClaimTopic.claim == claim)
                                         & (ClaimTopic.topic == topic)).execute():
            raise NotFoundError("topic on this claim with slug", topic.slug)
        _touch(claim, version)
        record(actor, "update", "claim", claim, {"topics": [topic.slug, None]})


# --- topics -------------------------------------------------------------------------------

def create_topic(data, actor):
    with write_transaction():
        return _create(Topic, "topic", data, actor)


def update_topic(topic, version, data, actor):
    with write_transaction():
        return _update(Topic, "topic", topic, version, data, actor)


def delete_topic(topic, version, actor):
    with write_transaction():
        _delete(Topic, "topic", topic, version, actor)

