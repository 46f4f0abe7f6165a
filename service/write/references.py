"""Reference resolution: the speaker, source, topic or quote a record names, found by its
natural key (speakers through identity's ladder, as reads resolve them), or a function
that creates it once the whole record has been checked.
"""

from .. import identity
from ..auth import allows
from ..auth import role_for
from ..formats.base import RecordError
from ..models import Alias
from ..models import Quote
from ..models import Source
from ..models import Speaker
from ..models import Topic
from ..text import name_key
from ..text import slugify
from .rows import TEXT_START
from .rows import among
from .rows import starts_among
from .rows import text_start
from .run import AMBIGUOUS
from .validation import SCHEMAS
from .validation import load


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


class References:
    """Resolves a batch's references through the caches of its Run; what a record names and
    nobody holds yet is created, once the record is checked, through the batch's Recorder."""

    def __init__(self, run, recorder):
        self.run = run  # the caches that last across batches, and the writer's role
        self.recorder = recorder
        self.quote_refs = {}  # (speaker id, text) → quotes

    def prefetch(self, items):
        """Fill the caches, in two statements, with the speakers and sources the batch's
        quotes and stances name by slug."""
        speakers, sources = set(), set()
        for item in items:
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
            self.run.topics[data["slug"]] = self.recorder.created(
                "topics", Topic, [data], "topic", slugs=True)[0]
        return self.run.topics[data["slug"]]

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
        speaker_id = self.recorder.created("speakers", Speaker, [values], "speaker",
                                           slugs=True)[0]
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
            source_id = self.recorder.created("sources", Source, [values], "source",
                                              slugs=True)[0]
            self.run.sources[data["slug"]] = Source(id=source_id, slug=data["slug"], text=None)
        return self.run.sources[data["slug"]]

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

    def prefetch_quotes(self, items):
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
