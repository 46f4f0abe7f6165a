"""Entities: fields and constraints only. The schema itself is created by migrations."""

import datetime
import json

from peewee import SQL
from peewee import BigIntegerField
from peewee import BlobField
from peewee import BooleanField
from peewee import CharField
from peewee import Check
from peewee import CompositeKey
from peewee import DateField
from peewee import DateTimeField
from peewee import ForeignKeyField
from peewee import IntegerField
from peewee import TextField

from .db import BaseModel


def utcnow():
    """Naive UTC now (both backends store it alike)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


MAX_ID = 2**31 - 1  # ids are 32-bit integers on both backends: a larger number is none of ours
SPEAKER_KINDS = ("person", "government", "organization", "group", "media")
SOURCE_KINDS = (
    "article",
    "news_agency",
    "state_media",
    "press_briefing",
    "speech",
    "official_document",
    "broadcast",
    "social_post",
)
QUOTE_KINDS = ("direct", "partial", "indirect")
POSITIONS = ("asserts", "denies", "questions")
CLAIM_STATUSES = ("contested", "asserted", "denied", "questioned", "unattributed")
RATINGS = ("true", "mostly-true", "mixed", "mostly-false", "false", "unproven", "other")


def one_of(column, values):
    """A CHECK constraint: column holds one of values (NULL passes, as in SQL)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return Check(f"{column} IN ({listed})")


class Speaker(BaseModel):
    version = IntegerField(default=1)  # bumped by every write: the ETag
    slug = CharField(max_length=120, unique=True)
    name = TextField()
    key = CharField(max_length=255, index=True)  # name_key(name): case/accent/punctuation-free
    kind = CharField(max_length=20, constraints=[one_of("kind", SPEAKER_KINDS)])
    country = CharField(max_length=2, null=True, index=True)
    description = TextField(null=True)
    wikidata_id = CharField(max_length=20, null=True, unique=True)


class Alias(BaseModel):
    speaker = ForeignKeyField(Speaker, backref="aliases", on_delete="CASCADE")
    name = TextField()
    key = CharField(max_length=255, index=True)
    lang = CharField(max_length=35, null=True)

    class Meta:
        indexes = ((("speaker", "key", "lang"), True),)


KEY_STEPS = ("token", "translit", "form")


class SpeakerKey(BaseModel):
    """The speaker-resolution index (service/identity.py): one key of one form (name or
    alias) of a speaker. Derived from names and aliases; rebuilt by identity.index_speakers."""

    speaker = ForeignKeyField(Speaker, backref="keys", on_delete="CASCADE")
    form = IntegerField()  # 0: the name; 2 × alias id: an alias (+1: a second transliteration)
    step = CharField(max_length=10, constraints=[one_of("step", KEY_STEPS)])
    key = CharField(max_length=255)
    size = IntegerField()  # tokens in the form

    class Meta:
        table_name = "speaker_name_key"
        indexes = ((("step", "key", "speaker", "form"), False),)


class SpeakerSlug(BaseModel):
    """A merged speaker's old slug, answering with a redirect to the speaker it became."""

    slug = CharField(max_length=120, unique=True)
    speaker = ForeignKeyField(Speaker, backref="old_slugs", on_delete="CASCADE")
    merged_at = DateTimeField()

    class Meta:
        table_name = "merged_slug"


class Source(BaseModel):
    version = IntegerField(default=1)  # bumped by every write: the ETag
    slug = CharField(max_length=120, unique=True)
    kind = CharField(max_length=30, constraints=[one_of("kind", SOURCE_KINDS)])
    title = TextField(null=True)
    publisher = TextField(null=True)
    url = TextField(null=True)
    lang = CharField(max_length=35, null=True)
    published_on = DateField(null=True)
    text = TextField(null=True)


class Quote(BaseModel):
    version = IntegerField(default=1)  # bumped by every write: the ETag
    text = TextField(constraints=[Check("length(text) > 0")])
    lang = CharField(max_length=35, null=True, index=True)
    # Indexed with the id (Meta): a speaker's quotes in id order (migration 0013).
    speaker = ForeignKeyField(Speaker, backref="quotes", on_delete="RESTRICT", index=False)
    source = ForeignKeyField(Source, backref="quotes", on_delete="RESTRICT", index=False)
    via = ForeignKeyField(Speaker, null=True, backref="relayed", on_delete="RESTRICT")
    said_on = DateField(null=True, index=True)
    kind = CharField(max_length=10, constraints=[one_of("kind", QUOTE_KINDS)])
    context = TextField(null=True)
    # W3C Web Annotation TextQuoteSelector + TextPositionSelector (code-point offsets),
    # present exactly when the source holds its text.
    prefix = TextField(null=True)
    suffix = TextField(null=True)
    start_offset = IntegerField(null=True)
    end_offset = IntegerField(null=True)

    class Meta:
        constraints = [
            SQL("CHECK ((start_offset IS NULL) = (end_offset IS NULL))"),
            SQL("CHECK (start_offset IS NULL OR "
                "(start_offset >= 0 AND end_offset > start_offset))"),
        ]
        indexes = ((("speaker", "id"), False), (("source", "id"), False))


class Topic(BaseModel):
    version = IntegerField(default=1)  # bumped by every write: the ETag
    slug = CharField(max_length=120, unique=True)
    name = TextField()


class Claim(BaseModel):
    version = IntegerField(default=1)  # bumped by every write: the ETag
    text = TextField(constraints=[Check("length(text) > 0")])
    lang = CharField(max_length=35, null=True, index=True)
    first_seen = DateField(null=True)
    # Maintained by database triggers from the claim's stances (see migration 0001).
    status = CharField(
        max_length=15,
        default="unattributed",
        index=True,
        constraints=[one_of("status", CLAIM_STATUSES)],
    )

    class Meta:
        indexes = ((("status", "id"), False),)  # status= pages in id order (migration 0006)


class ClaimTopic(BaseModel):
    claim = ForeignKeyField(Claim, backref="topic_links", on_delete="CASCADE")
    topic = ForeignKeyField(Topic, backref="claim_links", on_delete="RESTRICT")

    class Meta:
        primary_key = CompositeKey("claim", "topic")
        indexes = ((("topic", "claim"), False),)


class Stance(BaseModel):
    claim = ForeignKeyField(Claim, backref="stances", on_delete="CASCADE")
    speaker = ForeignKeyField(Speaker, backref="stances", on_delete="RESTRICT")
    position = CharField(max_length=10, constraints=[one_of("position", POSITIONS)])
    quote = ForeignKeyField(Quote, null=True, backref="stances", on_delete="SET NULL")
    source = ForeignKeyField(Source, null=True, backref="stances", on_delete="RESTRICT")
    stated_on = DateField(null=True)

    class Meta:
        indexes = (
            (("claim", "speaker", "position"), True),
            (("speaker", "claim"), False),
        )


class Publisher(BaseModel):
    """A fact-checking organisation (service/publishers.py; migration 0009)."""

    slug = CharField(max_length=120, unique=True)
    name = TextField()
    url = TextField(null=True)
    domain = CharField(max_length=255, null=True, unique=True)
    country = CharField(max_length=2, null=True)
    languages = TextField(null=True)  # BCP 47 tags, comma-separated

    @property
    def language_list(self):
        return self.languages.split(",") if self.languages else []


class PublisherAlias(BaseModel):
    """A spelling of a publisher's name, by its key (publisher_key)."""

    publisher = ForeignKeyField(Publisher, backref="aliases", on_delete="CASCADE")
    key = CharField(max_length=255, unique=True)


class Review(BaseModel):
    claim = ForeignKeyField(Claim, backref="reviews", on_delete="CASCADE")
    publisher = TextField()  # the name as published
    canonical = ForeignKeyField(Publisher, null=True, column_name="publisher_id",
                                backref="reviews", on_delete="SET NULL")
    url = TextField(null=True)
    rating_label = TextField(null=True)
    rating = CharField(max_length=15, null=True, constraints=[one_of("rating", RATINGS)])
    published_on = DateField(null=True)
    lang = CharField(max_length=35, null=True)
    title = TextField(null=True)
    explanation = TextField(null=True)  # ClaimReview reviewRating.ratingExplanation

    class Meta:
        # rating= / publisher= / reviewed_since= filters and facets (migrations 0009, 0016)
        indexes = (
            (("rating", "claim"), False),
            (("publisher", "claim"), False),
            (("canonical", "claim"), False),
            (("published_on", "claim"), False),
        )


class FacetPair(BaseModel):
    """How many claims carry both facet values (a `(facet, value)` pair with itself: how many
    carry it). Derived from the reviews by triggers (migration 0014), never written here;
    not dumped. Values: a rating or a publisher id as text, '' for none."""

    filter_facet = CharField(max_length=10)
    filter_value = CharField(max_length=20)
    facet = CharField(max_length=10)
    value = CharField(max_length=20)
    claims = IntegerField()

    class Meta:
        primary_key = CompositeKey("filter_facet", "filter_value", "facet", "value")


class Appearance(BaseModel):
    """A URL where a claim was made or repeated (ClaimReview appearance/firstAppearance)."""

    claim = ForeignKeyField(Claim, backref="appearances", on_delete="CASCADE")
    url = TextField()
    published_on = DateField(null=True)
    first = BooleanField(default=False)

    class Meta:
        indexes = ((("claim", "url"), True),)


TOKEN_ROLES = ("editor", "admin")
CHANGE_ACTIONS = ("create", "update", "delete")


class ApiToken(BaseModel):
    """A bearer token for writes; only its SHA-256 is stored."""

    name = CharField(max_length=100, unique=True)
    role = CharField(max_length=10, constraints=[one_of("role", TOKEN_ROLES)])
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


class Change(BaseModel):
    """One write: who, when, what, and each changed field's value before and after (JSON)."""

    at = DateTimeField(index=True)
    token_name = CharField(max_length=100, index=True)
    action = CharField(max_length=10, constraints=[one_of("action", CHANGE_ACTIONS)])
    resource = CharField(max_length=20)
    resource_id = IntegerField()
    resource_slug = CharField(max_length=120, null=True)
    parent_resource = CharField(max_length=20, null=True)
    parent_id = IntegerField(null=True)
    fields = TextField()

    @property
    def at_utc(self):
        return self.at.replace(tzinfo=datetime.UTC)

    @property
    def changed_fields(self):
        return json.loads(self.fields)

    @property
    def parent(self):
        if self.parent_resource is None:
            return None
        return {"resource": self.parent_resource, "id": self.parent_id}

    class Meta:
        indexes = (
            (("resource", "resource_id"), False),
            (("resource", "resource_slug"), False),
            (("parent_resource", "parent_id"), False),
        )


class IdempotentResponse(BaseModel):
    """The response to a POST made with an Idempotency-Key, replayed to a retry of it
    (service/idempotency.py). Scoped per token; kept 24 hours."""

    token_name = CharField(max_length=100)
    key = CharField(max_length=255)
    fingerprint = CharField(max_length=64)  # SHA-256 of the request: method, target, body
    status = IntegerField()
    headers = TextField()  # JSON: [[name, value], ...]
    body = BlobField()
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("token_name", "key"), True),)


MODELS = [Speaker, Alias, Source, Quote, Topic, Claim, ClaimTopic, Stance, Publisher,
          PublisherAlias, Review, Appearance, ApiToken, Change, SpeakerKey, SpeakerSlug,
          IdempotentResponse]


def _quote_selector(quote):
    """The W3C TextQuoteSelector of a quote located in its source's text, else None."""
    if quote.start_offset is None:
        return None
    return {"exact": quote.text, "prefix": quote.prefix, "suffix": quote.suffix}


def _quote_position(quote):
    """The W3C TextPositionSelector (code-point offsets) of a located quote, else None."""
    if quote.start_offset is None:
        return None
    return {"start": quote.start_offset, "end": quote.end_offset}


Quote.selector = property(_quote_selector)
Quote.text_position = property(_quote_position)


class ClaimMatch(BaseModel):
    """A claim as claim matching sees it (service/matching.py, migration 0012): its length in
    terms and the key of its normalised text."""

    claim = ForeignKeyField(Claim, primary_key=True, on_delete="CASCADE", backref="+")
    length = IntegerField()
    key = CharField(max_length=64, index=True)


class ClaimTerm(BaseModel):
    """One posting of the claim-matching index: a term of a claim's text or review titles,
    with the claim's length (migration 0015: read in BM25 impact order, claim_term_impact)."""

    term = CharField(max_length=100)
    claim = ForeignKeyField(Claim, on_delete="CASCADE", backref="+")
    tf = IntegerField()
    length = IntegerField()

    class Meta:
        primary_key = CompositeKey("term", "claim")


# A term's postings in the order they weigh in BM25: the most occurrences, then the shortest
# claim (migration 0015; service/matching.py reads only a term's first postings).
ClaimTerm.add_index(ClaimTerm.term, ClaimTerm.tf.desc(), ClaimTerm.length, ClaimTerm.claim,
                    name="claim_term_impact")


MODELS += [ClaimMatch, ClaimTerm]


JOB_STATUSES = ("queued", "done", "failed")


class ImportJob(BaseModel):
    """An HTTP import too big to run inside its request (service/jobs.py): its body waits in
    the spool folder until a worker's runner imports it. `queued` until the transaction that
    imports it commits `done` (or `failed`) with the report; a job being imported is still
    `queued` in the database, and "running" to readers while its runner's heartbeat is fresh."""

    token = ForeignKeyField(ApiToken, backref="+")  # who submitted it: the import's actor
    status = CharField(max_length=10, default="queued", index=True,
                       constraints=[one_of("status", JOB_STATUSES)])
    format = CharField(max_length=20)
    options = TextField()  # JSON: resource, name, skip_invalid, duplicates, role
    spool = CharField(max_length=64, unique=True)  # the body's file in the spool folder
    size = BigIntegerField()  # the body's bytes
    submitted_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    report = TextField(null=True)  # JSON: the import report, once finished
    error = TextField(null=True)  # why a job failed without a report (not UTF-8…)


MODELS += [ImportJob]


class Document(BaseModel):
    """A claim, quote or speaker as its rendered JSON (service/documents.py, migration 0013).

    Derived data, kept by database triggers: not in MODELS (dumps and restores leave it out,
    readers render it again)."""

    kind = CharField(max_length=10, constraints=[one_of("kind", ("claim", "quote", "speaker"))])
    id = IntegerField()  # noqa: A003 (the claim's, quote's or speaker's id)
    version = IntegerField(default=0)  # changes counted since the document was first read
    body = TextField(null=True)  # NULL: to render again

    class Meta:
        primary_key = CompositeKey("kind", "id")
