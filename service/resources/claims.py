"""/claims: checkable propositions, with who asserts, denies or questions them."""

from flask import request
from flask import url_for
from flask.views import MethodView

from schemas.claims import ClaimQueryArgsSchema
from schemas.claims import ClaimSchema
from schemas.common import envelope
from schemas.matching import DuplicateArgsSchema
from schemas.matching import SimilarArgsSchema
from schemas.matching import SimilarBodySchema
from schemas.matching import SimilarResultSchema
from schemas.reviews import ReviewSchema
from schemas.stances import StanceInputSchema
from service import documents
from service import matching
from service import queries
from service import writes
from service.auth import role_for
from service.examples import example
from service.models import Claim

from .base import Blueprint
from .base import actor
from .base import document_response
from .base import documents_page_response
from .base import expected_version
from .base import optional_version
from .base import page_response
from .base import with_etag
from .history import register_history
from .jsonld import JSONLD
from .jsonld import jsonld_response

blp = Blueprint("claims", __name__, url_prefix="/claims",
                description="Claims and the stances speakers take on them.")
ClaimPage = envelope(ClaimSchema, "ClaimPage")


def location(claim_id):
    return url_for("claims.ClaimItem", claim_id=claim_id)


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
        stored = documents.claims_page(**args)
        if stored is not None:
            return documents_page_response(stored, ClaimPage)
        return page_response(queries.claims_page(**args))

    @blp.write(role_for("claims", "create"))
    @blp.arguments(ClaimSchema)
    @blp.arguments(DuplicateArgsSchema, location="query")
    @blp.response(201, ClaimSchema, example=example("claim"))
    def post(self, data, args):
        """Create a claim

        Written neutrally; its status follows the stances added to it. A near-duplicate of
        an existing claim (the same text but for case, accents, punctuation and spacing, or
        the same words in another order: docs/matching.md) is a 409 whose `duplicates` name
        the existing claims, unless `allow_duplicate=true`.
        """
        claim = writes.create_claim(data, actor(), args["allow_duplicate"])
        return with_etag(queries.claim_by_id(claim.id), 201, location(claim.id))


@blp.route("/similar")
class SimilarClaims(MethodView):
    @blp.arguments(SimilarArgsSchema, location="query")
    @blp.response(200, SimilarResultSchema, example=example("claims-similar"))
    @blp.problems(400)
    def get(self, args):
        """Find claims like a text

        "Has this been checked already?": the claims most likely to be the claim in `text`
        (say, a social-media post) or to check it, best first, each with a `score` in [0, 1]
        and the names, numbers and words it `shared`. The filters of GET /claims apply.
        """
        return matching.claims_like(**args)

    @blp.arguments(SimilarBodySchema)
    @blp.response(200, SimilarResultSchema, example=example("claims-similar"))
    @blp.problems(400, 422)
    def post(self, args):
        """Find claims like a long text

        As GET /claims/similar, with the text (up to 20,000 characters) and the filters in
        a JSON body. Reads only: no token needed.
        """
        return matching.claims_like(**args)


@blp.route("/<id:claim_id>")
class ClaimItem(MethodView):
    @blp.response(200, ClaimSchema, example=example("claim"))
    @blp.problems(404)
    def get(self, claim_id):
        """Get a claim

        Its stances grouped by position, each with speaker, quote and source; reviews; topics.
        With `Accept: application/ld+json`: its reviews as schema.org ClaimReview JSON-LD,
        as GET /claims/{claim_id}.jsonld gives them.
        """
        if request.accept_mimetypes.best_match(["application/json", JSONLD]) == JSONLD:
            return jsonld_response(queries.claim_by_id(claim_id))
        stored = documents.claim(claim_id)
        if stored is None:
            return with_etag(queries.claim_by_id(claim_id))  # a 404
        return document_response("claim", stored)

    @blp.write(role_for("claims", "update"), 409, if_match=True)
    @blp.arguments(ClaimSchema(partial=True))
    @blp.response(200, ClaimSchema, example=example("claim-updated"))
    def patch(self, data, claim_id):
        """Update a claim

        Its text, language or first-seen date; the status is derived, never written.
        """
        claim = queries.claim_by_id(claim_id)
        writes.update_claim(claim, expected_version(claim), data, actor())
        return with_etag(queries.claim_by_id(claim_id))

    @blp.write(role_for("claims", "delete"), if_match=True)
    @blp.response(204)
    def delete(self, claim_id):
        """Delete a claim

        With its stances, reviews and topic links; its history stays readable.
        """
        claim = queries.claim_by_id(claim_id)
        writes.delete_claim(claim, expected_version(claim), actor())


@blp.route("/<id:claim_id>/stances")
class ClaimStances(MethodView):
    @blp.write(role_for("claims", "update"), 404, 409, 412)
    @blp.arguments(StanceInputSchema)
    @blp.response(201, ClaimSchema, example=example("claim"))
    def post(self, data, claim_id):
        """Add a stance to a claim

        A speaker's position, with an optional quote (by the same speaker) and source.
        Returns the claim, whose status follows at once. 409 when the speaker already takes
        that position. If-Match is optional; when given, it must be current.
        """
        claim = queries.claim_by_id(claim_id)
        writes.add_stance(claim, data, actor(), optional_version(claim))
        return with_etag(queries.claim_by_id(claim_id), 201, location(claim_id))


@blp.route("/<id:claim_id>/stances/<id:stance_id>")
class ClaimStance(MethodView):
    @blp.write(role_for("claims", "update"), if_match=True)
    @blp.response(204)
    def delete(self, claim_id, stance_id):
        """Remove a stance from a claim

        If-Match carries the claim's ETag.
        """
        claim = queries.claim_by_id(claim_id)
        writes.remove_stance(claim, stance_id, expected_version(claim), actor())


@blp.route("/<id:claim_id>/reviews")
class ClaimReviews(MethodView):
    @blp.write(role_for("claims", "update"), 404, 409, 412)
    @blp.arguments(ReviewSchema)
    @blp.response(201, ClaimSchema, example=example("claim"))
    def post(self, data, claim_id):
        """Add a review to a claim

        A fact-checker's verdict: the label as published and, optionally, the normalised
        rating. Returns the claim. If-Match is optional; when given, it must be current.
        """
        claim = queries.claim_by_id(claim_id)
        writes.add_review(claim, data, actor(), optional_version(claim))
        return with_etag(queries.claim_by_id(claim_id), 201, location(claim_id))


@blp.route("/<id:claim_id>/reviews/<id:review_id>")
class ClaimReview(MethodView):
    @blp.write(role_for("claims", "update"), if_match=True)
    @blp.response(204)
    def delete(self, claim_id, review_id):
        """Remove a review from a claim

        If-Match carries the claim's ETag.
        """
        claim = queries.claim_by_id(claim_id)
        writes.remove_review(claim, review_id, expected_version(claim), actor())


@blp.route("/<id:claim_id>/topics/<topic_slug>")
class ClaimTopic(MethodView):
    @blp.write(role_for("claims", "update"), if_match=True)
    @blp.response(204)
    def put(self, claim_id, topic_slug):
        """Tag a claim with a topic

        Idempotent. If-Match carries the claim's ETag.
        """
        claim = queries.claim_by_id(claim_id)
        topic = queries.topic_by_slug(topic_slug)
        writes.tag_claim(claim, topic, expected_version(claim), actor())

    @blp.write(role_for("claims", "update"), if_match=True)
    @blp.response(204)
    def delete(self, claim_id, topic_slug):
        """Remove a topic from a claim

        If-Match carries the claim's ETag.
        """
        claim = queries.claim_by_id(claim_id)
        topic = queries.topic_by_slug(topic_slug)
        writes.untag_claim(claim, topic, expected_version(claim), actor())


register_history(blp, Claim, "claim", "id", "claim_id")
