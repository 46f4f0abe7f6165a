"""Topic: a subject tag on claims."""

from marshmallow import fields
from marshmallow import validate

from .common import SLUG
from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema


class TopicSchema(StrictSchema):
    slug = SafeString(required=True, validate=[validate.Length(max=120), SLUG])
    name = SafeString(required=True, validate=validate.Length(min=1, max=255))
    claims = fields.Integer(
        attribute="claims_count", dump_only=True, metadata={"description": "Claims tagged."}
    )


class TopicQueryArgsSchema(PageArgsSchema):
    pass
