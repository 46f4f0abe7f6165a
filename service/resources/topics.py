"""/topics: subject tags on claims."""

from flask.views import MethodView

from schemas.common import envelope
from schemas.topics import TopicQueryArgsSchema
from schemas.topics import TopicSchema
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

blp = Blueprint("topics", __name__, url_prefix="/topics", description="Subject tags on claims.")
TopicPage = envelope(TopicSchema, "TopicPage")


@blp.route("")
class Topics(MethodView):
    @blp.arguments(TopicQueryArgsSchema, location="query")
    @blp.response(200, TopicPage, example=example("topics-list"))
    @blp.problems(400)
    def get(self, args):
        """List topics

        In slug order, each with the number of claims tagged with it.
        """
        return page_response(queries.topics_page(**args))
