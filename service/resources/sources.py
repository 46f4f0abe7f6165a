"""/sources: where things were published or stated."""

from flask.views import MethodView

from schemas.common import envelope
from schemas.sources import SOURCE_REF
from schemas.sources import SourceQueryArgsSchema
from schemas.sources import SourceSchema
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

blp = Blueprint("sources", __name__, url_prefix="/sources",
                description="Articles, agency wires, briefings, speeches and other sources.")
SourcePage = envelope(SourceSchema(only=SOURCE_REF), "SourcePage")


@blp.route("")
class Sources(MethodView):
    @blp.arguments(SourceQueryArgsSchema, location="query")
    @blp.response(200, SourcePage, example=example("sources-list"))
    @blp.problems(400)
    def get(self, args):
        """List sources

        In id order, without their full text (see the single source).
        """
        return page_response(queries.sources_page(**args))


@blp.route("/<int:source_id>")
class SourceItem(MethodView):
    @blp.response(200, SourceSchema, example=example("source"))
    @blp.problems(404)
    def get(self, source_id):
        """Get a source

        With its full text when Claimbase holds it, exactly as published.
        """
        return queries.source_by_id(source_id)
