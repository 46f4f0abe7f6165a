"""Review: a fact-checker's verdict on a claim (schema.org ClaimReview)."""

from marshmallow import fields
from marshmallow import validate

from service.models import RATINGS
from service.ratings import unmapped

from .common import LANG
from .common import TEXT_LIMITS
from .common import HttpURL
from .common import SafeString
from .common import StrictSchema


class ReviewSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    publisher = SafeString(required=True, validate=validate.Length(min=1))
    url = HttpURL(load_default=None, allow_none=True)
    rating_label = SafeString(
        load_default=None, allow_none=True, metadata={"description": "The verdict as published."}
    )
    rating = SafeString(load_default=None, allow_none=True, validate=validate.OneOf(RATINGS),
                        metadata={"description": "Normalised (docs/ratings.md); derived from "
                                  "rating_label when not given, null when the label is unknown."})
    publisher_slug = fields.Method("_publisher_slug", dump_only=True, metadata={
        "description": "The canonical publisher (GET /publishers/{slug}) its name maps to."})
    rating_unmapped = fields.Method("_unmapped", dump_only=True, metadata={
        "description": "True when the review has a label that no rule normalises "
                       "(docs/ratings.md): its rating stays null, never guessed."})
    published_on = fields.Date(load_default=None, allow_none=True)
    lang = SafeString(load_default=None, allow_none=True, validate=LANG)
    title = SafeString(load_default=None, allow_none=True,
                       metadata={"description": "The fact-check's headline."})
    explanation = SafeString(load_default=None, allow_none=True,
                             validate=validate.Length(max=TEXT_LIMITS["note"]), metadata={
        "description": "Why this verdict, in a sentence or two (ratingExplanation)."})

    def _publisher_slug(self, review):
        return review.canonical.slug if review.publisher_id is not None else None

    def _unmapped(self, review):
        return unmapped(review.rating_label, review.rating)
