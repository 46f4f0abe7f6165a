"""Pieces every resource schema shares: safe text fields, cursors, envelopes, problems."""

import base64
import binascii
import json

import marshmallow as ma
from marshmallow import fields
from marshmallow import validate

from service import config

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Not a valid slug (a-z, 0-9, hyphens).")
LANG = [
    validate.Length(max=35),
    validate.Regexp(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$",
                    error="Not a valid BCP 47 language tag."),
]
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Not an ISO 3166-1 alpha-2 country code.")
WIKIDATA = [validate.Length(max=20),
            validate.Regexp(r"^Q[1-9][0-9]*$", error="Not a Wikidata item id (Q…).")]
MAX_ID = 2**31 - 1


class SafeString(fields.String):
    """A string without NUL characters (no database stores them)."""

    default_error_messages = {"nul": "Must not contain NUL characters."}

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise self.make_error("nul")
        return result


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


class StrictSchema(ma.Schema):
    """Unknown fields are errors, never silently ignored."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


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
        validate=validate.OneOf(["id", "slug", "name", "alias"]),
        metadata={"description": "What matched: the id, the slug, the name or an alias."},
    )
    matched_name = fields.String(metadata={"description": "The name or alias that matched."})
    lang = fields.String(allow_none=True)


class UnmatchedSpeakerSchema(ma.Schema):
    query = fields.String()
    suggestions = fields.List(fields.Nested("SpeakerSchema", only=("id", "slug", "name", "kind")))


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
