"""Claims of a batch with their parts (stances, reviews, appearances, topics): checked,
merged by natural key with what the database holds, written in bulk, and indexed for
matching.
"""

from collections import Counter

from ..formats.base import RecordError
from ..matching import index_claims
from ..matching import near_duplicates
from ..matching import normalised_key
from ..matching import same_text_claims
from ..models import POSITIONS
from ..models import Appearance
from ..models import Claim
from ..models import ClaimTopic
from ..models import Review
from ..models import Stance
from .history import change_row
from .reviews import review_values
from .rows import among
from .rows import insert_links
from .rows import starts_among
from .validation import SCHEMAS
from .validation import load
from .writer import Writer

# Foreign keys of parts, and the attribute holding their id (compared without loading rows).
ID_ATTRIBUTES = {"quote": "quote_id", "source": "source_id", "canonical": "publisher_id"}


def _earliest(old, new):
    return new if old is None or (new is not None and new < old) else old


class ClaimWriter(Writer):
    """A batch's claims, by text and language, with their parts."""

    def check(self, item):
        """The claim's own fields and its parts, every reference resolved (or to create)."""
        refs = ("topics", "stances", "reviews", "appearances")
        line, raw = item.line, item.data
        data = load(SCHEMAS["claims"], raw, line, "", refs=refs)
        topics = [self.refs.topic_id(ref, line, f"topics[{i}]")
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
        speaker = self.refs.speaker_id(raw.get("speaker"), line, f"{path}.speaker")
        source = raw.get("source") and self.refs.source(raw["source"], line, f"{path}.source")
        quote = raw.get("quote") and self.refs.quote_id(raw["quote"], speaker, source, line,
                                                        f"{path}.quote")
        return {"position": position, "stated_on": values.get("stated_on"),
                "speaker": speaker, "source": source, "quote": quote}

    def check_review(self, raw, line, path):
        return review_values(load(SCHEMAS["review"], raw, line, path), self.run.publishers)

    def write(self, items):
        self.refs.prefetch_quotes(items)
        checked = list(self.each_valid(items, self.check))
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
                self.recorder.updated("claims", Claim, claim, {"first_seen": _earliest(
                    claim.first_seen, data["first_seen"])}, "claim", line=item.line)
            elif key in new:
                self.outcome.unchanged["claims"] += 1
                new[key]["first_seen"] = _earliest(new[key]["first_seen"], data["first_seen"])
            else:
                new[key] = dict(data)
            target = claim.id if claim is not None else key
            parts.merge(target, self._resolved(topics, stances), reviews, appearances)
        ids = self.recorder.created("claims", Claim, list(new.values()), "claim")
        claim_ids = dict(zip(new, ids, strict=True))
        parts.flush(self.recorder, claim_ids)
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

    def flush(self, recorder, new_ids):
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
                elif recorder.updated(kind, model, row, self._columns(values), resource,
                                      parent=row.claim_id):
                    touched.add(row.claim_id)
            recorder.created(kind, model, rows, resource, parent=True)
            touched |= {r["claim"] for r in rows if not isinstance(r["claim"], tuple)}
        links = [{"claim": claim_id(c), "topic": t} for (c, t), held in self.topics.items()
                 if not held]
        if links:
            insert_links(ClaimTopic, links)
            recorder.inserted(ClaimTopic, links)
            recorder.outcome.created["claim topics"] += len(links)
            slugs = {topic_id: slug for slug, topic_id in recorder.run.topics.items()}
            for link in links:  # as tagging through the API records it
                recorder.record(change_row(recorder.run.actor, "update", "claim",
                                           link["claim"], {"topics": slugs[link["topic"]]}))
        recorder.outcome.unchanged["claim topics"] += sum(self.topics.values())
        recorder.outcome.unchanged.update(self.repeated)
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
