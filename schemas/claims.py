"""Claim: a checkable proposition, with its stances grouped by position, reviews and topics."""

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate
from marshmallow import validates_schema

from service.models import CLAIM_STATUSES
from service.models import POSITIONS
from service.models import RATINGS

from .common import LANG
from .common import MAX_ID
from .common import SLUG
from .common import TEXT_LIMITS
from .common import DateRangeArgsMixin
from .common import HttpURL
from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema
from .common import facet_names
from .reviews import ReviewSchema
from .speakers import SPEAKER_REF
from .speakers import SpeakerSchema
from .speakers import exact_flag
from .speakers import speaker_values
from .stances import StanceGroupsSchema
from .topics import TopicSchema


class AppearanceSchema(StrictSchema):
    """A URL where the claim was made or repeated."""

    url = HttpURL()
    published_on = fields.Date(allow_none=True)
    first = fields.Boolean(metadata={"description": "The claim's first known appearance."})


class SpeakerPositionSchema(StrictSchema):
    """The position of a speaker named in `speaker=` on this claim."""

    speaker = fields.Nested(SpeakerSchema, only=SPEAKER_REF)
    position = fields.String(validate=validate.OneOf(POSITIONS))


class ClaimSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    text = SafeString(required=True, validate=validate.Length(min=1, max=TEXT_LIMITS["claim"]))
    lang = SafeString(load_default=None, allow_none=True, validate=LANG)
    first_seen = fields.Date(load_default=None, allow_none=True)
    status = fields.String(
        dump_only=True,
        validate=validate.OneOf(CLAIM_STATUSES),
        metadata={"description": "Derived from the stances: contested when one speaker asserts "
                  "and another denies; else asserted, denied, questioned or unattributed."},
    )
    topics = fields.List(fields.Nested(TopicSchema, only=("slug", "name")),
                         attribute="topic_list", dump_only=True)
    stances = fields.Nested(StanceGroupsSchema, attribute="stance_groups", dump_only=True)
    reviews = fields.List(fields.Nested(ReviewSchema), attribute="review_list", dump_only=True)
    appearances = fields.List(fields.Nested(AppearanceSchema), attribute="appearance_list",
                              dump_only=True)
    snippet = fields.String(dump_only=True, metadata={"description": (
        "With `q`: where it matched, as an HTML fragment (text escaped, matches in <mark>).")})
    speaker_positions = fields.List(
        fields.Nested(SpeakerPositionSchema),
        dump_only=True,
        metadata={"description": "With `speaker=`: the matched speakers' positions on the claim."},
    )


COUNTRY_CODE = validate.Regexp(r"^[A-Za-z]{2}$", error="Not an ISO 3166-1 alpha-2 country code.")


class ClaimQueryArgsSchema(DateRangeArgsMixin, PageArgsSchema):
    q = SafeString(validate=validate.Length(min=1, max=500), metadata={"description": (
        "Full-text search (docs/search.md): words (all must match, by stem in the text's "
        "language too), \"quoted phrases\" (as written), OR, -excluded, prefix*, (groups). "
        "Case and accents are ignored. Results come by relevance, each with a snippet.")})
    speaker = speaker_values(
        "Claims this speaker took a position on: id, slug, name or alias; "
        "repeat for any of several."
    )
    exact = exact_flag()
    position = fields.String(
        validate=validate.OneOf(POSITIONS),
        metadata={"description": "With `speaker=`: that speaker's position; else any stance's."},
    )
    status = fields.List(fields.String(validate=validate.OneOf(CLAIM_STATUSES)),
                         validate=validate.Length(max=5))
    topic = fields.List(SafeString(validate=SLUG), validate=validate.Length(max=20))
    lang = SafeString(validate=LANG)
    since = fields.Date(metadata={"description": "A matching stance was stated on or after it."})
    until = fields.Date(metadata={"description": "A matching stance was stated on or before it."})
    rating = fields.List(fields.String(validate=validate.OneOf(RATINGS)),
                         validate=validate.Length(max=len(RATINGS)), metadata={
                             "description": "Reviewed with this normalised rating "
                                            "(docs/ratings.md); repeat for any of several."})
    publisher = fields.List(SafeString(validate=validate.Length(min=1, max=200)),
                            validate=validate.Length(max=20), metadata={
                                "description": "Reviewed by this publisher (its name, ignoring "
                                               "case); repeat for any of several."})
    reviewed = fields.Boolean(metadata={"description": "Only claims with (true) or without "
                                                       "(false) a review."})
    source = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "A stance cites this source, or a quote from it."})
    country = fields.List(SafeString(validate=COUNTRY_CODE), validate=validate.Length(max=20),
                          metadata={"description": "A speaker of this country (ISO 3166-1 "
                                    "alpha-2) takes a position on it; repeatable."})
    reviewed_since = fields.Date(metadata={"description": "Reviewed on or after this date."})
    reviewed_until = fields.Date(metadata={"description": "Reviewed on or before this date."})
    facets = facet_names()

    @validates_schema
    def check_review_range(self, data, **kwargs):
        since, until = data.get("reviewed_since"), data.get("reviewed_until")
        if since and until and since > until:
            raise ValidationError("Must not be before `reviewed_since`.", "reviewed_until")

    @post_load
    def upper_country(self, data, **kwargs):
        if data.get("country"):
            data["country"] = [c.upper() for c in data["country"]]
        return data
