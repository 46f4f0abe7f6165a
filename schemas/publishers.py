"""Publisher: a fact-checking organisation, whatever the spelling of its name in reviews."""

from marshmallow import fields
from marshmallow import validate

from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema


class PublisherSchema(StrictSchema):
    slug = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    url = fields.String(dump_only=True, allow_none=True)
    domain = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "Reviews on this host (or its subdomains) are this publisher's."})
    country = fields.String(dump_only=True, allow_none=True)
    languages = fields.List(fields.String(), attribute="language_list", dump_only=True)
    aliases = fields.List(fields.String(), attribute="alias_keys", dump_only=True, metadata={
        "description": "The keys of the spellings that name it (letters and digits, no case "
                       "or accents)."})
    reviews = fields.Integer(attribute="reviews_count", dump_only=True)


class PublisherQueryArgsSchema(PageArgsSchema):
    q = SafeString(validate=validate.Length(min=1, max=200), metadata={
        "description": "A name, alias, slug or domain (politifact.com): the publishers it names."})
