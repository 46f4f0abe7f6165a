"""Speaker (with its aliases): one schema, varied by `only=`/`many=`."""

from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from service.models import SPEAKER_KINDS

from .common import COUNTRY
from .common import LANG
from .common import SLUG
from .common import TEXT_LIMITS
from .common import WIKIDATA
from .common import PageArgsSchema
from .common import SafeString
from .common import StrictSchema

SPEAKER_REF = ("id", "slug", "name", "kind")  # how other resources embed a speaker


class AliasSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    name = SafeString(required=True, validate=validate.Length(min=1, max=255))
    lang = SafeString(load_default=None, allow_none=True, validate=LANG)


class SpeakerCountsSchema(StrictSchema):
    quotes = fields.Integer(metadata={"description": "Quotes said by the speaker."})
    relayed = fields.Integer(metadata={"description": "Quotes the speaker relayed (`via`)."})
    stances = fields.Integer(metadata={"description": "Positions taken on claims."})


class SpeakerSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    slug = SafeString(required=True, validate=[validate.Length(max=120), SLUG])
    name = SafeString(required=True, validate=validate.Length(min=1, max=255))
    kind = SafeString(required=True, validate=validate.OneOf(SPEAKER_KINDS))
    country = SafeString(load_default=None, allow_none=True, validate=COUNTRY)
    description = SafeString(load_default=None, allow_none=True,
                             validate=validate.Length(max=TEXT_LIMITS["note"]))
    wikidata_id = SafeString(load_default=None, allow_none=True, validate=WIKIDATA)
    aliases = fields.List(fields.Nested(AliasSchema), attribute="alias_list", dump_only=True)
    counts = fields.Nested(SpeakerCountsSchema, dump_only=True)


class SpeakerMergeSchema(StrictSchema):
    into = SafeString(required=True, validate=[validate.Length(max=120), SLUG],
                      metadata={"description": "The slug of the speaker that remains."})


class SpeakerQueryArgsSchema(PageArgsSchema):
    q = SafeString(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Part of a name or alias, in any case, accents or script."},
    )
    kind = SafeString(validate=validate.OneOf(SPEAKER_KINDS))
    country = SafeString(
        validate=validate.Regexp(r"^[A-Za-z]{2}$", error="Not an ISO 3166-1 alpha-2 country code."),
        metadata={"description": "ISO 3166-1 alpha-2 code, e.g. `RU` (case-insensitive)."},
    )

    @post_load
    def upper_country(self, data, **kwargs):
        if data.get("country"):
            data["country"] = data["country"].upper()
        return data


def exact_flag():
    """`exact=true`: `speaker=`/`via=` match only ids, slugs, Wikidata ids, names and
    aliases exactly (no tokens, transliteration or similar spellings)."""
    return fields.Boolean(metadata={"description": (
        "With `true`, `speaker=`/`via=` match only an id, slug, Wikidata id, name or alias "
        "(ignoring case and accents): the fuzzy steps of the ladder are off.")})


def speaker_values(description):
    """A repeatable `speaker=`-style argument: ids, slugs, names or aliases."""
    return fields.List(
        SafeString(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(max=20),
        metadata={"description": description},
    )

