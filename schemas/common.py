"""Pieces every resource schema shares: safe text fields, cursors, envelopes, problems."""

import base64
import binascii
import json
import re

import marshmallow as ma
from marshmallow import fields
from marshmallow import validate
from webargs.fields import DelimitedList

from service import config
from service.models import MAX_ID  # noqa: F401  (re-exported: schemas validate ids with it)

# A BCP 47 language tag as Claimbase accepts it (the API, imports, ClaimReview, claims:search).
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


def is_language_tag(value):
    return isinstance(value, str) and LANGUAGE_TAG.match(value) is not None


SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Not a valid slug (a-z, 0-9, hyphens).")
LANG = [
    validate.Length(max=35),
    validate.Regexp(LANGUAGE_TAG, error="Not a valid BCP 47 language tag."),
]
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Not an ISO 3166-1 alpha-2 country code.")
WIKIDATA = [validate.Length(max=20),
            validate.Regexp(r"^Q[1-9][0-9]*$", error="Not a Wikidata item id (Q…).")]
# Every text a client sends has a length limit, shown as maxLength in the OpenAPI document.
# Fields without their own Length get this one (names, titles, URLs, labels…); long texts
# declare theirs (TEXT_LIMITS). A longer value is a 422 naming the field.
DEFAULT_TEXT_MAX = 2048
TEXT_LIMITS = {
    "claim": 10_000,  # one checkable statement
    "quote": 50_000,  # words as published: a long passage, never a whole document
    "note": 10_000,  # a quote's context, a review's explanation, a speaker's description
    "document": 2_000_000,  # a source's full text, in which quotes are located
}


class SafeString(fields.String):
    """A string without NUL characters (no database stores them)."""

    default_error_messages = {"nul": "Must not contain NUL characters."}

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise self.make_error("nul")
        return result


URL_SCHEMES = frozenset({"http", "https"})


class HttpURL(fields.URL):
    """An absolute http or https URL: the one URL check of every URL field, on every path
    (API bodies and imports alike). javascript:, data: and every other scheme are refused,
    so no stored URL can run script where it is shown (JSON-LD, the HTML pages)."""

    def __init__(self, **kwargs):
        super().__init__(schemes=URL_SCHEMES, **kwargs)


def is_http_url(value):
    """Whether a value passes HttpURL's check (for adapters that skip what is not a URL)."""
    try:
        HttpURL().deserialize(value)
    except ma.ValidationError:
        return False
    return True


class Cursor(fields.String):
    """An opaque pagination cursor: URL-safe base64 of a small JSON object."""

    default_error_messages = {"invalid": "Not a valid cursor: use the one given in links.next."}

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=="))
        except (ValueError, binascii.Error, UnicodeError):
            raise self.make_error("invalid") from None
        if not isinstance(decoded, dict) or "after" not in decoded:
            raise self.make_error("invalid")
        return decoded


def encode_cursor(after):
    """The opaque cursor for 'rows after this key'."""
    payload = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def has_length_limit(field):
    return any(isinstance(v, validate.Length) and v.max is not None for v in field.validators)


def limit_text_length(field):
    """Give a loadable text field the default length limit unless it has its own."""
    if isinstance(field, fields.List):
        limit_text_length(field.inner)
    elif (isinstance(field, fields.String) and not field.dump_only
          and not has_length_limit(field)):
        field.validators.append(validate.Length(max=DEFAULT_TEXT_MAX))


class StrictSchema(ma.Schema):
    """Unknown fields are errors, never silently ignored; every text has a length limit."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        limit_text_length(field_obj)


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(
        load_default=config.DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=config.MAX_PAGE_SIZE),
        metadata={"description": f"Rows per page, 1–{config.MAX_PAGE_SIZE}."},
    )
    cursor = Cursor(metadata={"description": "Opaque cursor from `links.next`."})


class DateRangeArgsMixin:
    """`since`/`until` (inclusive ISO dates), checked to be in order."""

    @ma.validates_schema
    def check_range(self, data, **kwargs):
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise ma.ValidationError("Must not be before `since`.", "until")


class LinksSchema(ma.Schema):
    self_ = fields.String(data_key="self", attribute="self", required=True)
    next = fields.String(allow_none=True)


class MatchedSpeakerSchema(ma.Schema):
    query = fields.String(metadata={"description": "The value given in `speaker=`/`via=`."})
    speaker = fields.Nested("SpeakerSchema", only=("id", "slug", "name", "kind"))
    matched_by = fields.String(
        validate=validate.OneOf(["id", "slug", "wikidata", "name", "alias", "tokens",
                                 "transliteration", "similar"]),
        metadata={"description": "The rung of the ladder that matched (docs/speaker-resolution"
                  ".md): the id, the slug, the Wikidata id, the name, an alias, name tokens "
                  "(surname alone, other order, titles dropped), a transliteration or "
                  "romanisation, or a similar spelling."},
    )
    matched_name = fields.String(metadata={"description": "The name or alias that matched."})
    lang = fields.String(allow_none=True)
    confidence = fields.Float(metadata={"description": (
        "How sure the match is, 0–1: 1 for exact rungs, less for fuzzy ones.")})
    ambiguous = fields.Boolean(metadata={"description": (
        "The value names several speakers at the same rung: all are returned, none picked.")})


class UnmatchedSpeakerSchema(ma.Schema):
    query = fields.String()
    suggestions = fields.List(fields.Nested("SpeakerSchema", only=("id", "slug", "name", "kind")))


FACET_NAMES = ("rating", "publisher")


def facet_names():
    """`facets=rating,publisher`: which counts meta.facets gives."""
    return DelimitedList(fields.String(validate=validate.OneOf(FACET_NAMES)),
                         validate=validate.Length(min=1, max=len(FACET_NAMES)), metadata={
                             "description": "Counts per normalised rating and per publisher of "
                                            "the reviews of what matches, in meta.facets: "
                                            "facets=rating,publisher."})


class PageMetaSchema(ma.Schema):
    limit = fields.Integer()
    count = fields.Integer(metadata={"description": "Rows on this page."})
    next_cursor = fields.String(allow_none=True)
    speakers = fields.List(
        fields.Nested(MatchedSpeakerSchema),
        metadata={"description": "With `speaker=`: who each value matched, and through what."},
    )
    via = fields.List(
        fields.Nested(MatchedSpeakerSchema),
        metadata={"description": "With `via=`: who each value matched, and through what."},
    )
    unmatched = fields.List(fields.Nested(UnmatchedSpeakerSchema))
    facets = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={"description": "With `facets=`: facet → value → how many matching rows "
                  "(`unrated`: reviews without a normalised rating)."})


def envelope(item_schema_class, name):
    """The collection envelope of DESIGN.md around one resource schema: data, meta, links."""
    return ma.Schema.from_dict(
        {
            "data": fields.List(fields.Nested(item_schema_class)),
            "meta": fields.Nested(PageMetaSchema),
            "links": fields.Nested(LinksSchema),
        },
        name=name,
    )


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details: the one error shape of the API."""

    type = fields.String(metadata={"description": "A URI reference naming the problem type."})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String(metadata={"description": "The request path."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field name → list of messages, for validation failures."},
    )
    etag = fields.String(metadata={"description": "With 412: the current ETag."})
    duplicates = fields.List(fields.Dict(), metadata={"description": (
        "With 409 on POST /claims: the existing claims the new one nearly duplicates "
        "({id, text, similarity}).")})

    class Meta:
        unknown = ma.INCLUDE  # RFC 9457 allows extension members
