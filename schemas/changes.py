"""Change: one recorded write (who, when, what, each field before → after)."""

import datetime

from marshmallow import fields
from marshmallow import validate

from service.models import CHANGE_ACTIONS

from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema

RESOURCES = ("speaker", "alias", "source", "quote", "claim", "stance", "review", "topic")


class ParentRefSchema(StrictSchema):
    resource = fields.String()
    id = fields.Integer()


class ChangeSchema(StrictSchema):
    id = fields.Integer()
    at = fields.DateTime(format="iso", attribute="at_utc", metadata={"description": "When."})
    token = fields.String(attribute="token_name", metadata={"description": "Who: the token."})
    action = fields.String(validate=validate.OneOf(CHANGE_ACTIONS))
    resource = fields.String(validate=validate.OneOf(RESOURCES))
    resource_id = fields.Integer()
    resource_slug = fields.String(allow_none=True)
    parent = fields.Nested(ParentRefSchema, allow_none=True,
                           metadata={"description": "The resource this part belongs to."})
    fields_ = fields.Dict(
        data_key="fields", attribute="changed_fields",
        keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)),
        metadata={"description": "Field → [value before, value after] (null when absent)."},
    )


class HistoryArgsSchema(PageArgsSchema):
    pass


class ChangeQueryArgsSchema(PageArgsSchema):
    resource = fields.String(validate=validate.OneOf(RESOURCES))
    token = SafeString(validate=validate.Length(min=1, max=100),
                       metadata={"description": "The name of the token that made the change."})
    since = fields.NaiveDateTime(timezone=datetime.UTC, metadata={
        "description": "At or after this time (ISO 8601; UTC when no offset is given)."})
    until = fields.NaiveDateTime(timezone=datetime.UTC, metadata={
        "description": "At or before this time (ISO 8601; UTC when no offset is given)."})
