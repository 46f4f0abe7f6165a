"""Merging duplicate speakers, and finding likely duplicates for an editor to review.

A merge moves everything one speaker has (quotes said and relayed, stances, aliases, the
Wikidata id when the other has none) onto another, keeps the old name as an alias and the
old slug as a redirect, records the history, and deletes the merged speaker: one
transaction, so it happens whole or not at all. History rows are the write core's
(write/history.py), in the API's shape: an alias moved, dropped or made from the old name is
recorded as a part of its speaker (with its parent), as the alias endpoints record it.
"""

from dataclasses import dataclass

from peewee import fn

from . import identity
from .db import write_transaction
from .exceptions import InvalidInput
from .models import Alias
from .models import Claim
from .models import Quote
from .models import Speaker
from .models import SpeakerKey
from .models import SpeakerSlug
from .models import Stance
from .models import utcnow
from .write.history import record


@dataclass
class MergeReport:
    """What a merge moved."""

    quotes: int = 0
    relayed: int = 0
    stances: int = 0
    duplicate_stances: int = 0
    aliases: int = 0


def _move_stances(old, new, report):
    """Stances move, except where the target already takes that position on that claim."""
    kept = {(c, p) for c, p in Stance.select(Stance.claim, Stance.position).where(
        Stance.speaker == new).tuples()}
    mine = list(Stance.select(Stance.id, Stance.claim, Stance.position).where(
        Stance.speaker == old).tuples())
    dropped = [sid for sid, claim, position in mine if (claim, position) in kept]
    claims = {claim for _, claim, _ in mine}
    if dropped:
        Stance.delete().where(Stance.id.in_(dropped)).execute()
    report.duplicate_stances = len(dropped)
    report.stances = Stance.update(speaker=new).where(Stance.speaker == old).execute()
    if claims:
        Claim.update(version=Claim.version + 1).where(Claim.id.in_(list(claims))).execute()


def _move_aliases(old, new, report, actor):
    """Aliases move unless the target has the same one; the old name becomes an alias."""
    have = {(k, lang) for k, lang in Alias.select(Alias.key, Alias.lang).where(
        Alias.speaker == new).tuples()}
    for alias in Alias.select().where(Alias.speaker == old).order_by(Alias.id):
        if (alias.key, alias.lang) in have or alias.key == new.key and alias.lang is None:
            alias.delete_instance()
            record(actor, "delete", "alias", alias,
                   {"name": [alias.name, None], "lang": [alias.lang, None]}, old)
        else:
            Alias.update(speaker=new).where(Alias.id == alias.id).execute()
            record(actor, "update", "alias", alias, {"speaker": [old.id, new.id]}, new)
            have.add((alias.key, alias.lang))
            report.aliases += 1
    if old.key != new.key and (old.key, None) not in have and old.key:
        alias = Alias.create(speaker=new, name=old.name, key=old.key, lang=None)
        record(actor, "create", "alias", alias,
               {"speaker": [None, new.id], "name": [None, old.name], "lang": [None, None]}, new)
        report.aliases += 1


def speaker_to_merge_into(slug):
    """The speaker a merge names by slug (a merged one's old slug names its successor);
    422 when none."""
    speaker = Speaker.get_or_none(Speaker.slug == slug) or identity.merged_into(slug)
    if speaker is None:
        raise InvalidInput({"into": [f"No speaker with slug {slug!r}."]})
    return speaker


def merge_speakers(old, new, actor):
    """Merge speaker `old` into `new` (see the module); returns a MergeReport."""
    if old.id == new.id:
        raise InvalidInput({"into": ["A speaker cannot be merged into itself."]})
    report = MergeReport()
    with write_transaction():
        report.quotes = Quote.update(speaker=new, version=Quote.version + 1).where(
            Quote.speaker == old).execute()
        report.relayed = Quote.update(via=new, version=Quote.version + 1).where(
            Quote.via == old).execute()
        _move_stances(old, new, report)
        _move_aliases(old, new, report, actor)
        wikidata = new.wikidata_id or old.wikidata_id
        SpeakerSlug.update(speaker=new).where(SpeakerSlug.speaker == old).execute()
        SpeakerSlug.create(slug=old.slug, speaker=new, merged_at=utcnow())
        before = {"name": old.name, "slug": old.slug, "kind": old.kind,
                  "country": old.country, "description": old.description,
                  "wikidata_id": old.wikidata_id}
        Speaker.delete().where(Speaker.id == old.id).execute()
        changed = {"merged": [None, old.slug]}
        if wikidata != new.wikidata_id:
            changed["wikidata_id"] = [new.wikidata_id, wikidata]
        Speaker.update(version=Speaker.version + 1, wikidata_id=wikidata).where(
            Speaker.id == new.id).execute()
        record(actor, "delete", "speaker", old, {**{k: [v, None] for k, v in before.items()},
                                                 "merged_into": [None, new.slug]})
        record(actor, "update", "speaker", new, changed)
        identity.index_speakers([new.id])
    return report


# --- likely duplicates ---------------------------------------------------------------------

@dataclass
class Duplicate:
    """Two speakers that may be one, and why."""

    first: Speaker
    second: Speaker
    reason: str  # "same folded name" | "similar name"
    score: float


def likely_duplicates(limit=100, min_score=0.6):
    """Pairs of speakers an editor may want to merge: the same folded, transliterated name
    (one grouped statement over the index), then names similar through the trigram index."""
    folded = (SpeakerKey.select(SpeakerKey.key).where(SpeakerKey.step == "form")
              .group_by(SpeakerKey.key)
              .having(fn.COUNT(SpeakerKey.speaker.distinct()) > 1).limit(limit))
    pairs = {}
    groups = {}
    for speaker_id, key in SpeakerKey.select(SpeakerKey.speaker, SpeakerKey.key).where(
            (SpeakerKey.step == "form") & SpeakerKey.key.in_(folded)).tuples():
        groups.setdefault(key, set()).add(speaker_id)
    for ids in groups.values():
        ordered = sorted(ids)
        for other in ordered[1:]:
            pairs.setdefault((ordered[0], other), ("same folded name", 1.0))
    for speaker in Speaker.select().order_by(Speaker.id).limit(limit * 10):
        if len(pairs) >= limit:
            break
        for other_id, score, _ in identity.similar_speakers(speaker.name):
            if other_id != speaker.id and score >= min_score:
                pair = tuple(sorted((speaker.id, other_id)))
                pairs.setdefault(pair, ("similar name", score))
    ids = {i for pair in pairs for i in pair}
    speakers = {s.id: s for s in Speaker.select().where(Speaker.id.in_(list(ids)))} if ids \
        else {}
    found = [Duplicate(speakers[a], speakers[b], reason, score)
             for (a, b), (reason, score) in pairs.items()]
    return sorted(found, key=lambda d: (-d.score, d.first.id, d.second.id))[:limit]
