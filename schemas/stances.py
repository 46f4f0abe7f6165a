"""Stance: a speaker's position on a claim, with its evidence."""

from marshmallow import fields
from marshmallow import validate

from service.models import POSITIONS

from .common import MAX_ID
from .common import SafeString
from .common import StrictSchema
from .quotes import QuoteSchema
from .sources import SOURCE_REF
from .sources import SourceSchema
from .speakers import SPEAKER_REF
from .speakers import SpeakerSchema

QUOTE_IN_STANCE = ("id", "text", "lang", "kind", "said_on", "via", "selector", "text_position")


class StanceSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    speaker = fields.Nested(SpeakerSchema, only=SPEAKER_REF, dump_only=True)
    quote = fields.Nested(QuoteSchema, only=QUOTE_IN_STANCE, dump_only=True, allow_none=True)
    source = fields.Nested(SourceSchema, only=SOURCE_REF, dump_only=True, allow_none=True)
    stated_on = fields.Date(load_default=None, allow_none=True)


class StanceInputSchema(StanceSchema):
    """A stance as written by editors: speaker, quote and source given by reference."""

    speaker_ref = SafeString(required=True, data_key="speaker", load_only=True,
                             metadata={"description": "The speaker's id or slug."})
    quote_ref = fields.Integer(data_key="quote", load_only=True, allow_none=True,
                               validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": "Id of a quote by the same speaker."})
    source_ref = fields.Integer(data_key="source", load_only=True, allow_none=True,
                                validate=validate.Range(min=1, max=MAX_ID))

    class Meta(StanceSchema.Meta):
        exclude = ("id", "speaker", "quote", "source")


class StanceGroupsSchema(StrictSchema):
    """A claim's stances grouped by position: who asserts, who denies, who questions."""

    asserts = fields.List(fields.Nested(StanceSchema, exclude=("position",)))
    denies = fields.List(fields.Nested(StanceSchema, exclude=("position",)))
    questions = fields.List(fields.Nested(StanceSchema, exclude=("position",)))
