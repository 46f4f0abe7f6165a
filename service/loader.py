"""The one validated loader for seeds and fixtures (format `claimbase-dataset/1`).

A dataset is a JSON file: topics, speakers (with aliases), sources (whose full text may sit
in a file beside it), quotes, and claims (with stances, reviews and topics). Each record is
validated by its resource schema; references are slugs (speakers, sources, topics) or
`ref`s (quotes). Loading is idempotent — records found by their natural key are left as
they are — and atomic: any invalid record means nothing is written, and every problem is
reported with its place in the file.
"""

import json
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from marshmallow import ValidationError
from peewee import IntegrityError

from schemas.claims import ClaimSchema
from schemas.quotes import QuoteSchema
from schemas.reviews import ReviewSchema
from schemas.sources import SourceSchema
from schemas.speakers import AliasSchema
from schemas.speakers import SpeakerSchema
from schemas.stances import StanceSchema
from schemas.topics import TopicSchema

from .db import database
from .matching import index_claims
from .models import Alias
from .models import Claim
from .models import ClaimTopic
from .models import Quote
from .models import Review
from .models import Source
from .models import Speaker
from .models import Stance
from .models import Topic
from .ratings import normalise_rating
from .text import QuoteNotInSource
from .text import locate_quote
from .text import name_key

FORMAT = "claimbase-dataset/1"
SECTIONS = ("topics", "speakers", "sources", "quotes", "claims")


class DatasetError(Exception):
    """The dataset is invalid: `problems` lists (place, message) pairs; nothing was written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(
            f"{place}: {message}" for place, message in problems[:5]))


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def summary(self):
        kinds = sorted(set(self.created) | set(self.unchanged))
        return ", ".join(
            f"{kind}: {self.created[kind]} created, {self.unchanged[kind]} unchanged"
            for kind in kinds
        )


def _validate(schema, record, place, problems, refs=()):
    """Load `record` (less its reference keys) through a resource schema; note problems."""
    data = {k: v for k, v in record.items() if k not in refs}
    try:
        return schema.load(data)
    except ValidationError as error:
        for name, messages in error.normalized_messages().items():
            problems.append((f"{place}.{name}", "; ".join(map(str, _flat(messages)))))
        return None


def _flat(messages):
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    if isinstance(messages, list):
        return [m for v in messages for m in _flat(v)]
    return [messages]


class _Loader:
    """Holds one load: natural keys seen so far, the report, and the problems found."""

    def __init__(self, dataset, base_dir):
        self.dataset = dataset
        self.base_dir = base_dir
        self.report = LoadReport()
        self.problems = []
        self.speakers, self.sources, self.topics, self.quotes = {}, {}, {}, {}

    def ref(self, table, key, place):
        if key not in table:
            self.problems.append((place, f"unknown reference {key!r}"))
            return None
        return table[key]

    def get_or_create(self, model, kind, lookup, values):
        """The row matching `lookup`, else a new one from lookup + values."""
        row = model.get_or_none(*[getattr(model, k) == v for k, v in lookup.items()])
        if row is not None:
            self.report.unchanged[kind] += 1
            return row
        self.report.created[kind] += 1
        return model.create(**lookup, **values)

    def load_topics(self):
        for i, record in enumerate(self.dataset.get("topics", [])):
            data = _validate(TopicSchema(), record, f"topics[{i}]", self.problems)
            if data:
                slug = data.pop("slug")
                self.topics[slug] = self.get_or_create(Topic, "topics", {"slug": slug}, data)

    def load_speakers(self):
        for i, record in enumerate(self.dataset.get("speakers", [])):
            place = f"speakers[{i}]"
            data = _validate(SpeakerSchema(), record, place, self.problems, refs=("aliases",))
            aliases = [
                _validate(AliasSchema(), alias, f"{place}.aliases[{j}]", self.problems)
                for j, alias in enumerate(record.get("aliases", []))
            ]
            if not data or not all(aliases):
                continue
            slug = data.pop("slug")
            data["key"] = name_key(data["name"])
            speaker = self.get_or_create(Speaker, "speakers", {"slug": slug}, data)
            self.speakers[slug] = speaker
            for alias in aliases:
                key = name_key(alias["name"])
                if not key:
                    self.problems.append((place, f"alias {alias['name']!r} has no letters"))
                    continue
                lookup = {"speaker": speaker, "key": key, "lang": alias["lang"]}
                row = self.get_or_create(Alias, "aliases", lookup, {"name": alias["name"]})
                if row.name != alias["name"]:
                    self.problems.append((f"{place}.aliases", f"{alias['name']!r} and "
                                          f"{row.name!r} are the same name for matching"))

    def load_sources(self):
        for i, record in enumerate(self.dataset.get("sources", [])):
            place = f"sources[{i}]"
            data = _validate(SourceSchema(), record, place, self.problems, refs=("text_file",))
            if not data:
                continue
            if record.get("text_file"):
                path = self.base_dir / record["text_file"]
                if not path.is_file():
                    self.problems.append((f"{place}.text_file", f"no file {path}"))
                    continue
                data["text"] = path.read_text(encoding="utf-8")
            slug = data.pop("slug")
            self.sources[slug] = self.get_or_create(Source, "sources", {"slug": slug}, data)

    def load_quotes(self):
        refs = ("ref", "speaker", "via", "source", "occurrence")
        for i, record in enumerate(self.dataset.get("quotes", [])):
            place = f"quotes[{i}]"
            data = _validate(QuoteSchema(), record, place, self.problems, refs=refs)
            speaker = self.ref(self.speakers, record.get("speaker"), f"{place}.speaker")
            source = self.ref(self.sources, record.get("source"), f"{place}.source")
            via = record.get("via") and self.ref(self.speakers, record["via"], f"{place}.via")
            if not data or not speaker or not source or (record.get("via") and not via):
                continue
            if source.text is not None:
                try:
                    found = locate_quote(source.text, data["text"], record.get("occurrence", 1))
                except QuoteNotInSource as error:
                    self.problems.append((f"{place}.text", str(error)))
                    continue
                data.update(prefix=found.prefix, suffix=found.suffix,
                            start_offset=found.start, end_offset=found.end)
            lookup = {"source": source, "speaker": speaker, "text": data.pop("text"),
                      "start_offset": data.pop("start_offset", None)}
            quote = self.get_or_create(Quote, "quotes", lookup, {**data, "via": via or None})
            if record.get("ref") in self.quotes:
                self.problems.append((f"{place}.ref", f"duplicate ref {record['ref']!r}"))
            self.quotes[record.get("ref")] = quote

    def load_claims(self):
        nested = ("ref", "topics", "stances", "reviews")
        loaded = []
        for i, record in enumerate(self.dataset.get("claims", [])):
            place = f"claims[{i}]"
            data = _validate(ClaimSchema(), record, place, self.problems, refs=nested)
            if not data:
                continue
            lookup = {"text": data.pop("text"), "lang": data.pop("lang")}
            claim = self.get_or_create(Claim, "claims", lookup, data)
            loaded.append(claim.id)
            for j, slug in enumerate(record.get("topics", [])):
                topic = self.ref(self.topics, slug, f"{place}.topics[{j}]")
                if topic:
                    self.get_or_create(ClaimTopic, "claim topics",
                                       {"claim": claim, "topic": topic}, {})
            for j, stance in enumerate(record.get("stances", [])):
                self.load_stance(claim, stance, f"{place}.stances[{j}]")
            for j, review in enumerate(record.get("reviews", [])):
                data = _validate(ReviewSchema(), review, f"{place}.reviews[{j}]", self.problems)
                if data:
                    if data.get("rating") is None:
                        data["rating"] = normalise_rating(data.get("rating_label"))
                    lookup = {"claim": claim, "publisher": data.pop("publisher"),
                              "url": data.pop("url")}
                    self.get_or_create(Review, "reviews", lookup, data)
        index_claims(loaded)

    def load_stance(self, claim, record, place):
        refs = ("speaker", "quote", "source")
        data = _validate(StanceSchema(), record, place, self.problems, refs=refs)
        speaker = self.ref(self.speakers, record.get("speaker"), f"{place}.speaker")
        quote = record.get("quote") and self.ref(self.quotes, record["quote"], f"{place}.quote")
        source = record.get("source") and self.ref(self.sources, record["source"],
                                                   f"{place}.source")
        if not data or not speaker:
            return
        if quote and quote.speaker_id != speaker.id:
            self.problems.append((f"{place}.quote", "the quote is by another speaker"))
            return
        lookup = {"claim": claim, "speaker": speaker, "position": data.pop("position")}
        self.get_or_create(Stance, "stances", lookup,
                           {**data, "quote": quote or None, "source": source or None})


def load_dataset(path):
    """Load a dataset file into the bound database, all or nothing. Returns a LoadReport."""
    path = Path(path)
    try:
        dataset = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DatasetError([(str(path), f"cannot read: {error}")]) from None
    if not isinstance(dataset, dict) or dataset.get("format") != FORMAT:
        raise DatasetError([(str(path), f"not a {FORMAT} file")])
    unknown = set(dataset) - set(SECTIONS) - {"format"}
    if unknown:
        raise DatasetError([(str(path), f"unknown sections: {', '.join(sorted(unknown))}")])
    loader = _Loader(dataset, path.parent)
    try:
        with database.atomic() as transaction:
            for section in SECTIONS:
                getattr(loader, f"load_{section}")()
            if loader.problems:
                transaction.rollback()
                raise DatasetError(loader.problems)
    except IntegrityError as error:  # a constraint the schemas cannot see; nothing was kept
        raise DatasetError([(str(path), f"conflicts with the database: {error}")]) from None
    return loader.report
