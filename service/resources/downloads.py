"""/{resource}.ndjson and /{resource}.csv: a whole list, streamed, with the list's filters."""

from flask import Response
from flask import stream_with_context
from flask.views import MethodView

from schemas.claims import ClaimQueryArgsSchema
from schemas.quotes import QuoteQueryArgsSchema
from schemas.sources import SourceQueryArgsSchema
from schemas.speakers import SpeakerQueryArgsSchema
from schemas.topics import TopicQueryArgsSchema
from service import exports
from service.db import budgeted_stream

from .base import Blueprint

blp = Blueprint("exports", __name__, description="Whole lists as NDJSON or CSV, streamed.")
FILTERS = {
    "claims": ClaimQueryArgsSchema,
    "quotes": QuoteQueryArgsSchema,
    "speakers": SpeakerQueryArgsSchema,
    "sources": SourceQueryArgsSchema,
    "topics": TopicQueryArgsSchema,
}
EXAMPLES = {
    "application/x-ndjson": '{"id": 1, "...": "one JSON object per line, as the API shows it"}\n',
    "text/csv": "id,...\n1,...\n",
}


def _register(resource, args_schema):
    class Export(MethodView):
        @blp.arguments(args_schema(exclude=("limit", "cursor")), location="query")
        @blp.response(200, description="The whole list, streamed.")
        @blp.doc(responses={"200": {"content": {
            media: {"schema": {"type": "string"}, "example": example}
            for media, example in EXAMPLES.items()}}})
        @blp.problems(400)
        def get(self, args, fmt):
            media_type, lines = exports.FORMATS[fmt]
            exports.check_filters(resource, **args)
            body = stream_with_context(budgeted_stream(lines(resource, **args)))
            return Response(body, mimetype=media_type)

    Export.get.__doc__ = (f"Export {resource}\n\nEvery {resource[:-1]} the filters select "
                          "(the same as the list's), streamed as it is read: NDJSON, one API "
                          "representation per line, or CSV with nested values flattened.")
    Export.__name__ = f"{resource.title()}Export"
    blp.route(f"/{resource}.<any(ndjson, csv):fmt>")(Export)


for _resource, _schema in FILTERS.items():
    _register(_resource, _schema)
