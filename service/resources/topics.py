"""/topics: subject tags on claims."""

from flask import url_for
from flask.views import MethodView

from schemas.common import envelope
from schemas.topics import TopicQueryArgsSchema
from schemas.topics import TopicSchema
from service import queries
from service import writes
from service.auth import role_for
from service.examples import example
from service.models import Topic

from .base import Blueprint
from .base import actor
from .base import expected_version
from .base import page_response
from .base import with_etag
from .history import register_history

blp = Blueprint("topics", __name__, url_prefix="/topics", description="Subject tags on claims.")
TopicPage = envelope(TopicSchema, "TopicPage")


def location(topic):
    return url_for("topics.TopicItem", slug=topic.slug)


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

    @blp.write(role_for("topics", "create"), 409)
    @blp.arguments(TopicSchema)
    @blp.response(201, TopicSchema, example=example("topic"))
    def post(self, data):
        """Create a topic (admin)

        409 when the slug is taken.
        """
        topic = writes.create_topic(data, actor())
        return with_etag(queries.topic_by_slug(topic.slug), 201, location(topic))


@blp.route("/<slug>")
class TopicItem(MethodView):
    @blp.response(200, TopicSchema, example=example("topic"))
    @blp.problems(404)
    def get(self, slug):
        """Get a topic

        With the number of claims tagged with it.
        """
        return with_etag(queries.topic_by_slug(slug))

    @blp.write(role_for("topics", "update"), 409, if_match=True)
    @blp.arguments(TopicSchema(partial=True))
    @blp.response(200, TopicSchema, example=example("topic"))
    def patch(self, data, slug):
        """Update a topic (admin)

        Its slug or name; a new slug moves the topic (see Location).
        """
        topic = queries.topic_by_slug(slug)
        updated = writes.update_topic(topic, expected_version(topic), data, actor())
        return with_etag(queries.topic_by_slug(updated.slug), location=location(updated))

    @blp.write(role_for("topics", "delete"), 409, if_match=True)
    @blp.response(204)
    def delete(self, slug):
        """Delete a topic (admin)

        409 while claims are tagged with it.
        """
        topic = queries.topic_by_slug(slug)
        writes.delete_topic(topic, expected_version(topic), actor())


register_history(blp, Topic, "topic", "slug", "slug")
