"""/speakers: who says or relays things, found by any of their names."""

from flask.views import MethodView

from schemas.common import envelope
from schemas.speakers import SpeakerQueryArgsSchema
from schemas.speakers import SpeakerSchema
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

blp = Blueprint("speakers", __name__, url_prefix="/speakers",
                description="People, governments, organisations, groups and media.")
SpeakerPage = envelope(SpeakerSchema, "SpeakerPage")


@blp.route("")
class Speakers(MethodView):
    @blp.arguments(SpeakerQueryArgsSchema, location="query")
    @blp.response(200, SpeakerPage, example=example("speakers-list"))
    @blp.problems(400)
    def get(self, args):
        """List speakers

        In slug order; `q` matches any part of a name or alias, ignoring case and accents.
        """
        return page_response(queries.speakers_page(**args))


@blp.route("/<slug>")
class SpeakerItem(MethodView):
    @blp.response(200, SpeakerSchema, example=example("speaker"))
    @blp.problems(404)
    def get(self, slug):
        """Get a speaker

        With aliases (name and language) and counts of quotes, relayed quotes and stances.
        """
        return queries.speaker_by_slug(slug)
