"""ClaimReview JSON-LD: one claim's reviews, and every review as a stream."""

import json

from flask import Response
from flask import stream_with_context
from flask.views import MethodView

from schemas.claims import ClaimQueryArgsSchema
from service import exports
from service import queries
from service.claimreview import export_report
from service.claimreview import valid_claim_reviews
from service.db import budgeted_stream
from service.examples import example

from .base import Blueprint

JSONLD = "application/ld+json"
JSONLD_DOC = {"schema": {"type": "array", "items": {"type": "object"}},
              "example": example("claim-jsonld")}

blp = Blueprint("claimreview", __name__, description="schema.org ClaimReview JSON-LD.")


OMITTED = "Claimbase-Omitted-Reviews"  # reviews left out for lack of a required property


def jsonld_response(claim):
    """A claim's valid ClaimReview objects as an application/ld+json response (an array);
    a header counts the reviews left out."""
    documents, omitted = valid_claim_reviews(claim)
    body = json.dumps(documents, ensure_ascii=False)
    return Response(body, mimetype=JSONLD, headers={OMITTED: str(omitted)})


@blp.route("/claims/<id:claim_id>.jsonld")
class ClaimReviews(MethodView):
    @blp.response(200, content_type=JSONLD, description="A JSON array of ClaimReview objects.")
    @blp.doc(responses={"200": {"content": {JSONLD: JSONLD_DOC}}})
    @blp.problems(404)
    def get(self, claim_id):
        """A claim as ClaimReview JSON-LD

        One schema.org ClaimReview per review of the claim that has what Google requires
        (an http(s) url, claimReviewed, the verdict's alternateName); the others are counted in
        the `Claimbase-Omitted-Reviews` header, never emitted broken. An empty array when
        there are none. The same as GET /claims/{id} with `Accept: application/ld+json`.
        """
        return jsonld_response(queries.claim_by_id(claim_id))


@blp.route("/claims.jsonld")
class ClaimsClaimReviews(MethodView):
    @blp.arguments(ClaimQueryArgsSchema(exclude=("limit", "cursor", "facets")),
                   location="query")
    @blp.response(200, content_type=JSONLD, description="A JSON array of ClaimReview objects.")
    @blp.doc(responses={"200": {"content": {JSONLD: JSONLD_DOC}}})
    @blp.problems(400)
    def get(self, args):
        """The reviews of the claims a list selects, as ClaimReview JSON-LD

        The filters of GET /claims; every valid review of each claim they select, streamed
        as GET /reviews.jsonld streams them all (the pages' "Export this view").
        """
        exports.check_filters("claims", **args)
        body = budgeted_stream(_array(exports.claim_pages(**args)))
        return Response(stream_with_context(body), mimetype=JSONLD)


def _array(claims):
    """A JSON array of the valid ClaimReview objects of these claims, as text pieces."""
    yield "["
    number = 0
    for claim in claims:
        for review in valid_claim_reviews(claim)[0]:
            yield ("," if number else "") + json.dumps(review, ensure_ascii=False)
            number += 1
    yield "]"


@blp.route("/reviews.jsonld")
class AllReviews(MethodView):
    @blp.response(200, content_type=JSONLD, description="A JSON array of ClaimReview objects.")
    @blp.doc(responses={"200": {"content": {JSONLD: JSONLD_DOC}}})
    def get(self):
        """Every valid review as ClaimReview JSON-LD

        Streamed as it is read, a batch of claims at a time: memory stays flat. Reviews that
        lack what Google requires are left out (see GET /claims/{id}.jsonld); a last array
        element cannot report them without breaking the format, so GET /reviews.jsonld/report
        counts them, by missing property.
        """
        body = budgeted_stream(_array(queries.reviewed_claims()))
        return Response(stream_with_context(body), mimetype=JSONLD)


@blp.route("/reviews.jsonld/report")
class OmittedReviews(MethodView):
    @blp.response(200, description="How many reviews /reviews.jsonld emits and leaves out.")
    @blp.doc(responses={"200": {"content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "emitted": {"type": "integer"}, "omitted": {"type": "integer"},
            "missing": {"type": "object", "additionalProperties": {"type": "integer"}},
            "emitted_without": {"type": "object",
                                "additionalProperties": {"type": "integer"}}}},
        "example": example("reviews-report")}}}})
    def get(self):
        """Which reviews the JSON-LD export leaves out

        `emitted` and `omitted` reviews, and for the omitted ones how many lack each required
        property (a review may lack several); `emitted_without` counts the emitted reviews
        that lack a property Google recommends (`datePublished`, the claim's `author` and
        `datePublished`), which does not keep them out. Reads every review: for audits, not
        for polling.
        """
        return export_report(queries.reviewed_claims())

