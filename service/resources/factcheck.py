"""GET /v1alpha1/claims:search — Google's Fact Check Tools API, served by Claimbase.

A plain Flask blueprint, outside the OpenAPI document: its contract is Google's discovery
document, and its errors use Google's envelope, not problem+json.
"""

import json

from flask import Blueprint
from flask import Response
from flask import request
from werkzeug.exceptions import HTTPException

from service import factcheck
from service.errors import http_exception_for
from service.exceptions import ClaimbaseError

blp = Blueprint("factchecktools", __name__, url_prefix="/v1alpha1")


def _json(body, status=200):
    pretty = request.args.get("prettyPrint", "true").lower() != "false"
    text = json.dumps(body, ensure_ascii=False, indent=2 if pretty else None)
    return Response(text, status=status, mimetype="application/json")


@blp.get("/claims:search")
def claims_search():
    """Search fact-checked claims, as factchecktools.googleapis.com does."""
    return _json(factcheck.search(request.args))


@blp.errorhandler(ClaimbaseError)
def google_error_of_own(error):
    """The project's own errors (a malformed query…) in Google's envelope too."""
    return google_error(http_exception_for(error))


@blp.errorhandler(HTTPException)
def google_error(error):
    return _json(factcheck.error_envelope(error), error.code or 500)
