"""/publishers: the fact-checking organisations behind reviews."""

from flask.views import MethodView

from schemas.common import envelope
from schemas.publishers import PublisherQueryArgsSchema
from schemas.publishers import PublisherSchema
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

blp = Blueprint("publishers", __name__, url_prefix="/publishers",
                description="Fact-checking organisations, one per organisation.")
PublisherPage = envelope(PublisherSchema, "PublisherPage")


@blp.route("")
class Publishers(MethodView):
    @blp.arguments(PublisherQueryArgsSchema, location="query")
    @blp.response(200, PublisherPage, example=example("publishers-list"))
    @blp.problems(400)
    def get(self, args):
        """List publishers

        In slug order, each with its aliases and number of reviews. With `q`, the publishers
        a name, alias, slug or domain names (as `publisher=` on /claims reads it).
        """
        return page_response(queries.publishers_page(**args))


@blp.route("/<slug>")
class PublisherItem(MethodView):
    @blp.response(200, PublisherSchema, example=example("publisher"))
    @blp.problems(404)
    def get(self, slug):
        """Get a publisher

        With its aliases and number of reviews.
        """
        return queries.publisher_by_slug(slug)
