"""/claims: checkable propositions, with who asserts, denies or questions them."""

from flask.views import MethodView

from schemas.claims import ClaimQueryArgsSchema
from schemas.claims import ClaimSchema
from schemas.common import envelope
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

blp = Blueprint("claims", __name__, url_prefix="/claims",
                description="Claims and the stances speakers take on them.")
ClaimPage = envelope(ClaimSchema, "ClaimPage")


@blp.route("")
class Claims(MethodView):
    @blp.arguments(ClaimQueryArgsSchema, location="query")
    @blp.response(200, ClaimPage, examples={
        "speaker": {"summary": "Claims of the United States (`speaker=États-Unis`)",
                    "value": example("claims-list")},
        "unmatched": {"summary": "A name that matches nobody, with suggestions",
                      "value": example("unmatched-speaker")},
    })
    @blp.problems(400)
    def get(self, args):
        """List claims

        In id order, each with its stances grouped by position (speaker, verbatim quote,
        source), reviews and topics. With `speaker=`, only the claims those speakers took a
        position on, each saying their `speaker_positions`.
        """
        return page_response(queries.claims_page(**args))


@blp.route("/<int:claim_id>")
class ClaimItem(MethodView):
    @blp.response(200, ClaimSchema, example=example("claim"))
    @blp.problems(404)
    def get(self, claim_id):
        """Get a claim

        Its stances grouped by position, each with speaker, quote and source; reviews; topics.
        """
        return queries.claim_by_id(claim_id)
