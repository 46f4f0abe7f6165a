"""The flask-smorest Api, customised once: problem+json errors, documented as such."""

import http

from apispec.ext.marshmallow import MarshmallowPlugin
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from schemas.common import ProblemSchema

from .errors import PROBLEM_MIMETYPE
from .errors import problem_from_http_exception


def schema_name(schema):
    """Component names: the class name without 'Schema'; variants by `only=` get a suffix."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and (schema.only or schema.exclude):
        fields = sorted(schema.only or ()) or ["not"] + sorted(schema.exclude)
        name += "Ref" if set(fields) <= {"id", "slug", "name", "kind"} else "_" + "_".join(fields)
    return name


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
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
