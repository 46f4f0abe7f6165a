"""Source: where something was published or stated."""

from marshmallow import fields
from marshmallow import validate

from service.models import SOURCE_KINDS

from .common import LANG
from .common import SLUG
from .common import TEXT_LIMITS
from .common import HttpURL
from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema

SOURCE_REF = ("id", "slug", "kind", "title", "publisher", "url", "lang", "published_on")
SOURCE_LISTED = (*SOURCE_REF, "snippet")


class SourceCountsSchema(StrictSchema):
    quotes = fields.Integer()
    stances = fields.Integer()


class SourceSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    slug = SafeString(required=True, validate=[validate.Length(max=120), SLUG])
    kind = SafeString(required=True, validate=validate.OneOf(SOURCE_KINDS))
    title = SafeString(load_default=None, allow_none=True)
    publisher = SafeString(load_default=None, allow_none=True)
    url = HttpURL(load_default=None, allow_none=True)
    lang = SafeString(load_default=None, allow_none=True, validate=LANG)
    published_on = fields.Date(load_default=None, allow_none=True)
    text = SafeString(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=TEXT_LIMITS["document"]),
        metadata={"description": "The full text, exactly as published, when Claimbase holds it."},
    )
    counts = fields.Nested(SourceCountsSchema, dump_only=True)
    snippet = fields.String(dump_only=True, metadata={"description": (
        "With `q`: where it matched, as an HTML fragment (text escaped, matches in <mark>).")})


class SourceQueryArgsSchema(PageArgsSchema):
    q = SafeString(validate=validate.Length(min=1, max=500), metadata={"description": (
        "Full-text search, ignoring case and accents: words (all must match), "
        "\"quoted phrases\", OR, -excluded. Results come by relevance, each with a snippet.")})
    kind = SafeString(validate=validate.OneOf(SOURCE_KINDS))
    lang = SafeString(validate=LANG)
