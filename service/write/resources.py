"""Topics, speakers (with aliases), sources and quotes of a batch: checked, merged by
natural key with what the database holds, then written in bulk.
"""

from collections import defaultdict

from ..formats.base import RecordError
from ..models import Alias
from ..models import Quote
from ..models import Source
from ..models import Speaker
from ..models import Topic
from ..text import QuoteNotInSource
from ..text import name_key
from .history import change_row
from .location import selector_columns
from .recording import carried
from .rows import among
from .rows import insert_rows
from .rows import starts_among
from .validation import SCHEMAS
from .validation import load
from .writer import Writer

RECORD = object()  # where a quote's row keeps its item until it is written


class TopicWriter(Writer):
    """A batch's topics, by slug."""

    def write(self, items):
        valid = list(self.each_valid(
            items, lambda item: load(SCHEMAS["topics"], item.data, item.line, "")))
        existing = {t.slug: t for t in Topic.select().where(
            among(Topic.slug, [d["slug"] for _, d in valid]))}
        new = {}
        for item, data in valid:
            if data["slug"] in existing:
                self.recorder.updated("topics", Topic, existing[data["slug"]],
                                      {"name": data["name"]}, "topic", line=item.line)
            elif data["slug"] in new:
                self.outcome.unchanged["topics"] += 1
            elif self.run.kept("topic", key=data["slug"]):
                self.outcome.kept["topics"] += 1
            else:
                new[data["slug"]] = data
        ids = self.recorder.created("topics", Topic, list(new.values()), "topic", slugs=True)
        self.run.topics.update(zip(new, ids, strict=True))


class SpeakerWriter(Writer):
    """A batch's speakers, by slug, with their aliases."""

    def check(self, item):
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

    def write(self, items):
        valid = list(self.each_valid(items, self.check))
        slugs = [data["slug"] for _, (data, _) in valid]
        existing = {s.slug: s for s in Speaker.select().where(among(Speaker.slug, slugs))}
        new, aliases_of = {}, defaultdict(list)
        for item, (data, aliases) in valid:
            data["key"] = name_key(data["name"])
            row = existing.get(data["slug"])
            if row is not None:
                self.recorder.updated("speakers", Speaker, row, carried(data, item.data),
                                      "speaker", line=item.line)
            elif data["slug"] in new:
                self.outcome.unchanged["speakers"] += 1
            elif self.run.kept("speaker", key=data["slug"]):
                self.outcome.kept["speakers"] += 1
                continue
            else:
                new[data["slug"]] = data
            aliases_of[data["slug"]].extend(aliases)
        ids = self.recorder.created("speakers", Speaker, list(new.values()), "speaker",
                                    slugs=True)
        for slug, speaker_id in zip(new, ids, strict=True):
            self.refs.remember_speaker(speaker_id, new[slug])
        ids_by_slug = {**{s: r.id for s, r in existing.items()}, **dict(zip(new, ids,
                                                                          strict=True))}
        self._write_aliases(aliases_of, ids_by_slug)

    def _write_aliases(self, aliases_of, ids_by_slug):
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
                self.recorder.named_speakers.add(speaker_id)
                self.refs.remember_key(alias["key"], speaker_id)
        if rows:
            ids = insert_rows(Alias, rows)
            self.recorder.inserted(Alias, rows, ids)
            for alias_id, row in zip(ids, rows, strict=True):
                self.recorder.record(change_row(
                    self.run.actor, "create", "alias", alias_id,
                    {k: row[k] for k in ("speaker", "name", "lang")},
                    parent=("speaker", row["speaker"])))
            self.outcome.created["aliases"] += len(rows)
            Speaker.update(version=Speaker.version + 1).where(
                Speaker.id.in_(list(touched))).execute()



class SourceWriter(Writer):
    """A batch's sources, by slug."""

    def write(self, items):
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
                self.recorder.updated("sources", Source, row, data, "source",
                                      line=item.line)
                self.run.sources.pop(data["slug"], None)
            elif data["slug"] in new:
                self.outcome.unchanged["sources"] += 1
            elif self.run.kept("source", key=data["slug"]):
                self.outcome.kept["sources"] += 1
            else:
                new[data["slug"]] = data
        self.recorder.created("sources", Source, list(new.values()), "source", slugs=True)



class QuoteWriter(Writer):
    """A batch's quotes, by source, speaker, text and position, located in their source."""

    def check(self, item):
        refs = ("speaker", "via", "source", "text_position")
        data = load(SCHEMAS["quotes"], item.data, item.line, "", refs=refs)
        speaker = self.refs.speaker_id(item.data.get("speaker"), item.line, "speaker")
        via = item.data.get("via") and self.refs.speaker_id(item.data["via"], item.line, "via")
        source = self.refs.source(item.data.get("source"), item.line, "source")
        position = item.data.get("text_position")
        if callable(source):
            if position:
                raise RecordError(item.line, "text_position", "the new source has no text")
            return data, speaker, via, source, {}
        return data, speaker, via, source, self.locate(source, data["text"], position,
                                                       item.line)

    @staticmethod
    def locate(source, text, position, line):
        """The selector columns of a quote in its source's text (None when it has no text)."""
        if position:
            if source.text is None:
                raise RecordError(line, "text_position", "the source holds no text")
            if not isinstance(position, dict) or not all(
                    isinstance(position.get(k), int) for k in ("start", "end")):
                raise RecordError(line, "text_position", "expected {start, end} integers")
            position = (position["start"], position["end"])
        try:
            return selector_columns(source.text, text, position=position or None)
        except QuoteNotInSource as error:
            raise RecordError(line, "text", str(error)) from None

    def write(self, items):
        checked = [(item, *parts) for item, parts in self.each_valid(items, self.check)]
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
                self.recorder.updated("quotes", Quote, existing[key], carried({
                    k: row[k] for k in ("lang", "kind", "said_on", "context")} | {
                    "via_id": row["via"]}, item.data), "quote", line=item.line)
            elif key in new:
                self.outcome.unchanged["quotes"] += 1
            elif self.run.kept("quote", key=key):
                self.outcome.kept["quotes"] += 1
            else:
                new[key] = row
        self.recorder.created("quotes", Quote, list(new.values()), "quote")
