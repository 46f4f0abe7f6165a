"""ClaimReview JSON-LD: one claim's reviews, and every review as a stream."""

import json

from flask import Response
from flask import stream_with_context
from flask.views import MethodView

from service import queries
from service.claimreview import claim_reviews
from service.examples import example

from .base import Blueprint

JSONLD = "application/ld+json"
JSONLD_DOC = {"schema": {"type": "array", "items": {"type": "object"}},
              "example": example("claim-jsonld")}

blp = Blueprint("claimreview", __name__, description="schema.org ClaimReview JSON-LD.")


def jsonld_response(claim):
    """A claim's ClaimReview objects as an application/ld+json response (an array)."""
    body = json.dumps(claim_reviews(claim), ensure_ascii=False)
    return Response(body, mimetype=JSONLD)


@blp.route("/claims/<id:claim_id>.jsonld")
class ClaimReviews(MethodView):
    @blp.response(200, content_type=JSONLD, description="A JSON array of ClaimReview objects.")
    @blp.doc(responses={"200": {"content": {JSONLD: JSONLD_DOC}}})
    @blp.problems(404)
    def get(self, claim_id):
        """A claim as ClaimReview JSON-LD

        One schema.org ClaimReview per review of the claim (an empty array when it has none);
        the same as GET /claims/{id} with `Accept: application/ld+json`.
        """
        return jsonld_response(queries.claim_by_id(claim_id))


@blp.route("/reviews.jsonld")
class AllReviews(MethodView):
    @blp.response(200, content_type=JSONLD, description="A JSON array of ClaimReview objects.")
    @blp.doc(responses={"200": {"content": {JSONLD: JSONLD_DOC}}})
    def get(self):
        """Every review as ClaimReview JSON-LD

        Streamed as it is read, a batch of claims at a time: memory stays flat.
        """

        def generate():
            yield "["
            for number, review in enumerate(
                    r for claim in queries.reviewed_claims() for r in claim_reviews(claim)):
                yield ("," if number else "") + json.dumps(review, ensure_ascii=False)
            yield "]"

        return Response(stream_with_context(generate()), mimetype=JSONLD)
