"""/sources: where things were published or stated."""

from flask import url_for
from flask.views import MethodView

from schemas.common import envelope
from schemas.sources import SOURCE_LISTED
from schemas.sources import SourceQueryArgsSchema
from schemas.sources import SourceSchema
from service import queries
from service import writes
from service.auth import role_for
from service.examples import example
from service.models import Source

from .base import Blueprint
from .base import actor
from .base import expected_version
from .base import page_response
from .base import with_etag
from .history import register_history

blp = Blueprint("sources", __name__, url_prefix="/sources",
                description="Articles, agency wires, briefings, speeches and other sources.")
SourcePage = envelope(SourceSchema(only=SOURCE_LISTED), "SourcePage")


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

    @blp.write(role_for("sources", "create"), 409)
    @blp.arguments(SourceSchema)
    @blp.response(201, SourceSchema, example=example("source"))
    def post(self, data):
        """Create a source

        Give `text` (exactly as published) to have every quote from it located verbatim.
        """
        source = writes.create_source(data, actor())
        location = url_for("sources.SourceItem", source_id=source.id)
        return with_etag(queries.source_by_id(source.id), 201, location)


@blp.route("/<id:source_id>")
class SourceItem(MethodView):
    @blp.response(200, SourceSchema, example=example("source"))
    @blp.problems(404)
    def get(self, source_id):
        """Get a source

        With its full text when Claimbase holds it, exactly as published.
        """
        return with_etag(queries.source_by_id(source_id))

    @blp.write(role_for("sources", "update"), 409, if_match=True)
    @blp.arguments(SourceSchema(partial=True))
    @blp.response(200, SourceSchema, example=example("source"))
    def patch(self, data, source_id):
        """Update a source

        A new `text` relocates every quote from this source (422 naming the quotes that
        would no longer be found verbatim).
        """
        source = queries.source_by_id(source_id)
        writes.update_source(source, expected_version(source), data, actor())
        return with_etag(queries.source_by_id(source_id))

    @blp.write(role_for("sources", "delete"), 409, if_match=True)
    @blp.response(204)
    def delete(self, source_id):
        """Delete a source (admin)

        409 while quotes or stances still cite it.
        """
        source = queries.source_by_id(source_id)
        writes.delete_source(source, expected_version(source), actor())


register_history(blp, Source, "source", "id", "source_id")
