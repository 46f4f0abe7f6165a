"""Validation of a record (or a part of one) by its resource's schema: the schemas that
validate the API's bodies and produce the OpenAPI document.
"""

from marshmallow import ValidationError

from schemas.claims import AppearanceSchema
from schemas.claims import ClaimSchema
from schemas.quotes import QuoteSchema
from schemas.reviews import ReviewSchema
from schemas.sources import SourceSchema
from schemas.speakers import AliasSchema
from schemas.speakers import SpeakerSchema
from schemas.stances import StanceSchema
from schemas.topics import TopicSchema

from ..formats.base import RecordError

READ_ONLY = {"id", "status", "counts", "snippet", "selector", "speaker_positions", "claims",
             "rating_unmapped", "publisher_slug"}


def _messages(error, prefix):
    """(field path, message) pairs from a marshmallow ValidationError."""
    def walk(messages, path):
        if isinstance(messages, dict):
            for key, value in messages.items():
                yield from walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(messages, list) and messages and not all(
                isinstance(m, str) for m in messages):
            for index, value in enumerate(messages):
                yield from walk(value, f"{path}[{index}]")
        else:
            yield path, "; ".join(map(str, messages if isinstance(messages, list)
                                      else [messages]))
    return list(walk(error.messages, prefix))


def load(schema, data, line, path, refs=()):
    """Validate a record through its resource schema (less read-only fields and refs)."""
    if not isinstance(data, dict):
        raise RecordError(line, path or None, "expected an object")
    values = {k: v for k, v in data.items() if k not in READ_ONLY and k not in refs}
    try:
        return schema.load(values)
    except ValidationError as error:
        (where, message), *_ = _messages(error, path)
        raise RecordError(line, where, message) from None


SCHEMAS = {
    "topics": TopicSchema(),
    "speakers": SpeakerSchema(),
    "speaker_ref": SpeakerSchema(partial=True),
    "alias": AliasSchema(),
    "sources": SourceSchema(),
    "source_ref": SourceSchema(partial=True),
    "quotes": QuoteSchema(),
    "claims": ClaimSchema(),
    "stance": StanceSchema(),
    "review": ReviewSchema(),
    "appearance": AppearanceSchema(),
}
