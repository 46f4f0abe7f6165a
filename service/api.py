"""The flask-smorest Api, customised once: problem+json errors, documented as such."""

import http

from apispec.ext.marshmallow import MarshmallowPlugin
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter

from schemas.common import ProblemSchema
from schemas.sources import SOURCE_LISTED
from schemas.sources import SOURCE_REF
from schemas.speakers import SPEAKER_REF
from schemas.stances import QUOTE_IN_STANCE

from .errors import PROBLEM_MIMETYPE
from .errors import problem_from_http_exception
from .examples import example
from .models import MAX_ID


def schema_name(schema):
    """Component names: the class name without 'Schema'; the embedded variants by name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if isinstance(schema, type):
        return name
    if schema.partial:
        name += "Patch"
    excluded = set(schema.exclude) - set(getattr(cls.Meta, "exclude", ()))
    if not (schema.only or excluded):
        return name
    if excluded:
        return name + "Without" + "".join(f.title().replace("_", "") for f in sorted(excluded))
    return EMBEDDED_VARIANTS.get((name, frozenset(schema.only)), f"{name}Part")


EMBEDDED_VARIANTS = {
    ("Speaker", frozenset(SPEAKER_REF)): "SpeakerRef",
    ("Source", frozenset(SOURCE_REF)): "SourceRef",
    ("Source", frozenset(SOURCE_LISTED)): "SourceInList",
    ("Quote", frozenset(QUOTE_IN_STANCE)): "QuoteInStance",
    ("Topic", frozenset(("slug", "name"))): "TopicRef",
}




class IdConverter(IntegerConverter):
    """`<id:…>` in routes: a row id, 1 to 2³¹−1 (both backends' integer); anything else is
    not a route, so an absurd id is a 404 before any query."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(converter):
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


PROBLEM_EXAMPLES = (400, 401, 403, 404, 409, 412, 415, 422, 428)


# Not replayed by service.examples (it takes a 64 MiB body); test_errors checks the shape.
TOO_LARGE_EXAMPLE = {
    "type": "about:blank", "title": "Request Entity Too Large", "status": 413,
    "detail": "The data value transmitted exceeds the capacity limit.", "instance": "/imports"}


class Api(SmorestApi):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
        kwargs.setdefault("spec_kwargs", {"marshmallow_plugin": plugin})
        super().__init__(app, **kwargs)

    def handle_http_exception(self, error):
        """Every HTTP error — Flask's 404/405, webargs' validation, ours — as problem+json."""
        return problem_from_http_exception(error)

    def _register_responses(self):
        """Document every error response as RFC 9457 problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status in PROBLEM_EXAMPLES:
                response["example"] = example(f"problem-{status.value}")
            elif status == 413:
                response["example"] = TOO_LARGE_EXAMPLE
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Any other error (e.g. 503 when the database is unavailable)",
                    "schema": self.ERROR_SCHEMA, "example": example("problem-404")}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
