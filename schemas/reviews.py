"""Review: a fact-checker's verdict on a claim (schema.org ClaimReview)."""

from marshmallow import fields
from marshmallow import validate

from service.models import RATINGS

from .common import LANG
from .common import TEXT_LIMITS
from .common import SafeString
from .common import StrictSchema


class ReviewSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    publisher = SafeString(required=True, validate=validate.Length(min=1))
    url = fields.URL(load_default=None, allow_none=True, schemes={"http", "https"})
    rating_label = SafeString(
        load_default=None, allow_none=True, metadata={"description": "The verdict as published."}
    )
    rating = SafeString(load_default=None, allow_none=True, validate=validate.OneOf(RATINGS),
                        metadata={"description": "Normalised (docs/ratings.md); derived from "
                                  "rating_label when not given, null when the label is unknown."})
    published_on = fields.Date(load_default=None, allow_none=True)
    lang = SafeString(load_default=None, allow_none=True, validate=LANG)
    title = SafeString(load_default=None, allow_none=True,
                       metadata={"description": "The fact-check's headline."})
    explanation = SafeString(load_default=None, allow_none=True,
                             validate=validate.Length(max=TEXT_LIMITS["note"]), metadata={
        "description": "Why this verdict, in a sentence or two (ratingExplanation)."})
