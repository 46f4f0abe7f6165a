"""Quote: words a speaker said, verbatim, located in their source when its text is held."""

from marshmallow import fields
from marshmallow import validate

from service.models import QUOTE_KINDS

from .common import LANG
from .common import MAX_ID
from .common import TEXT_LIMITS
from .common import DateRangeArgsMixin
from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema
from .common import facet_names
from .sources import SOURCE_REF
from .sources import SourceSchema
from .speakers import SPEAKER_REF
from .speakers import SpeakerSchema
from .speakers import exact_flag
from .speakers import speaker_values


class TextQuoteSelectorSchema(StrictSchema):
    """W3C Web Annotation TextQuoteSelector."""

    type = fields.Constant("TextQuoteSelector")
    exact = fields.String()
    prefix = fields.String()
    suffix = fields.String()


class TextPositionSelectorSchema(StrictSchema):
    """W3C Web Annotation TextPositionSelector, in Unicode code points of the source text."""

    type = fields.Constant("TextPositionSelector")
    start = fields.Integer()
    end = fields.Integer()


class QuoteSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    text = SafeString(
        required=True,
        validate=validate.Length(min=1, max=TEXT_LIMITS["quote"]),
        metadata={"description": "The words exactly as published."},
    )
    lang = SafeString(load_default=None, allow_none=True, validate=LANG)
    kind = SafeString(required=True, validate=validate.OneOf(QUOTE_KINDS))
    said_on = fields.Date(load_default=None, allow_none=True)
    context = SafeString(load_default=None, allow_none=True,
                         validate=validate.Length(max=TEXT_LIMITS["note"]))
    speaker = fields.Nested(SpeakerSchema, only=SPEAKER_REF, dump_only=True)
    via = fields.Nested(
        SpeakerSchema,
        only=SPEAKER_REF,
        dump_only=True,
        allow_none=True,
        metadata={"description": "Who relayed the words to the source (KCNA, state media…)."},
    )
    source = fields.Nested(SourceSchema, only=SOURCE_REF, dump_only=True)
    selector = fields.Nested(TextQuoteSelectorSchema, dump_only=True, allow_none=True)
    text_position = fields.Nested(TextPositionSelectorSchema, dump_only=True, allow_none=True)
    snippet = fields.String(dump_only=True, metadata={"description": (
        "With `q`: where it matched, as an HTML fragment (text escaped, matches in <mark>).")})


class QuoteInputSchema(QuoteSchema):
    """A quote as written by editors: speaker, relay and source given by reference."""

    speaker_ref = SafeString(required=True, data_key="speaker", load_only=True,
                             metadata={"description": "The speaker's id, slug, or a name "
                                       "naming one speaker surely (422 when ambiguous)."})
    via_ref = SafeString(data_key="via", load_only=True, allow_none=True,
                         metadata={"description": "The relay's id or slug, or null."})
    source_ref = fields.Integer(required=True, data_key="source", load_only=True,
                                validate=validate.Range(min=1, max=MAX_ID),
                                metadata={"description": "The source's id."})
    occurrence = fields.Integer(load_only=True, validate=validate.Range(min=1, max=10000),
                                metadata={"description": "Which occurrence of the text in the "
                                          "source text is meant (default 1)."})

    class Meta(QuoteSchema.Meta):
        exclude = ("speaker", "via", "source", "selector", "text_position")


class QuoteQueryArgsSchema(DateRangeArgsMixin, PageArgsSchema):
    q = SafeString(validate=validate.Length(min=1, max=500), metadata={"description": (
        "Full-text search (docs/search.md): words (all must match, by stem in the text's "
        "language too), \"quoted phrases\" (as written), OR, -excluded, prefix*, (groups). "
        "Case and accents are ignored. Results come by relevance, each with a snippet.")})
    speaker = speaker_values("Who said it: id, slug, name or alias; repeat for any of several.")
    via = speaker_values("Who relayed it: id, slug, name or alias; repeatable.")
    exact = exact_flag()
    source = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    claim = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Quotes given as evidence of a stance on this claim."},
    )
    lang = SafeString(validate=LANG)
    kind = SafeString(validate=validate.OneOf(QUOTE_KINDS))
    since = fields.Date(metadata={"description": "Said on or after this date (YYYY-MM-DD)."})
    until = fields.Date(metadata={"description": "Said on or before this date (YYYY-MM-DD)."})
    facets = facet_names()
