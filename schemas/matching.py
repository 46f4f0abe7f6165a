"""Claim matching: the question (a text, with the filters of /claims) and the claims found."""

from marshmallow import fields
from marshmallow import validate

from service.models import RATINGS

from .claims import ClaimSchema
from .common import LANG
from .common import SafeString
from .common import StrictSchema

MAX_QUERY_TEXT = 280  # characters in a query string (a tweet); longer texts go in a POST body
MAX_BODY_TEXT = 20_000  # characters in a POST body: an article's worth
MAX_SIMILAR = 50


class SimilarArgsSchema(StrictSchema):
    """GET /claims/similar: the text to match, with the filters of /claims."""

    text = SafeString(required=True, validate=validate.Length(min=1, max=MAX_QUERY_TEXT),
                      metadata={"description": (
                          "The claim to look for, e.g. a social-media post: URLs, @handles, "
                          "signatures, pic.twitter.com links, emoji and the # of hashtags are "
                          "stripped before matching.")})
    lang = SafeString(validate=LANG, metadata={"description": (
        "Only claims in this language; the text is analysed (stop words, stemming) in it too. "
        "Without it, the text is analysed as English and claims of every language match.")})
    rating = fields.String(validate=validate.OneOf(RATINGS), metadata={
        "description": "Only claims with a review of this normalised rating."})
    publisher = SafeString(validate=validate.Length(min=1, max=200), metadata={
        "description": "Only claims with a review by this publisher (exactly as stored)."})
    since = fields.Date(metadata={"description": (
        "Only claims first seen, or reviewed, on or after this date.")})
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_SIMILAR),
                           metadata={"description": f"Claims to return, 1–{MAX_SIMILAR}."})


class SimilarBodySchema(SimilarArgsSchema):
    """POST /claims/similar: the same, with room for a long text."""

    text = SafeString(required=True, validate=validate.Length(min=1, max=MAX_BODY_TEXT),
                      metadata={"description": "The claim to look for (see GET)."})


class SharedSchema(StrictSchema):
    """What a claim shares with the text, as the text wrote it."""

    names = fields.List(fields.String())
    numbers = fields.List(fields.String())
    words = fields.List(fields.String())


class SimilarClaimSchema(ClaimSchema):
    """A claim found by matching, with how well and why."""

    score = fields.Float(dump_only=True, metadata={"description": (
        "How well it matches, in [0, 1]: its BM25 score over the most this text could score "
        "(docs/matching.md).")})
    duplicate = fields.Float(dump_only=True, metadata={"description": (
        "How near a duplicate it is, in [0, 1]: 1 for the same normalised text, else the "
        "similarity of terms with its text or closest review title.")})
    shared = fields.Nested(SharedSchema, dump_only=True)


class SimilarMetaSchema(StrictSchema):
    count = fields.Integer()
    limit = fields.Integer()
    matched_text = fields.String(metadata={"description": (
        "The text that was matched: the input less social-media noise.")})


class SimilarResultSchema(StrictSchema):
    data = fields.List(fields.Nested(SimilarClaimSchema))
    meta = fields.Nested(SimilarMetaSchema)


class DuplicateArgsSchema(StrictSchema):
    """POST /claims: whether a near-duplicate of an existing claim may be created."""

    allow_duplicate = fields.Boolean(load_default=False, metadata={"description": (
        "Create the claim even if it is a near-duplicate of an existing one (same normalised "
        "text, or a similarity of at least 0.9: docs/matching.md); else such a claim is a 409 "
        "naming the existing claims.")})


class DuplicateSchema(StrictSchema):
    """An existing claim that a new one nearly duplicates."""

    id = fields.Integer()
    text = fields.String()
    similarity = fields.Float()
