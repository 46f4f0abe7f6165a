"""/imports: an editor posts a file; it is imported all or nothing, with a report."""

from flask import request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from schemas.imports import ImportArgsSchema
from schemas.imports import ImportReportSchema
from service.errors import UnprocessableEntity
from service.examples import example
from service.importer import ImportFailed
from service.importer import import_text

from .base import Blueprint
from .base import actor

blp = Blueprint("imports", __name__, url_prefix="/imports",
                description="Bulk imports of fact-check data, all or nothing.")
MEDIA_TYPES = {"claimreview": {"application/ld+json", "application/json"},
               "claimskg": {"text/csv"}}
BODY = {"required": True, "content": {
    "application/ld+json": {"schema": {"oneOf": [
        {"type": "object", "description": "One ClaimReview, or {\"@graph\": [...]}"},
        {"type": "array", "items": {"type": "object"}},
    ]}},
    "text/csv": {"schema": {"type": "string"}},
}}


@blp.route("")
class Imports(MethodView):
    @blp.write("editor", 413, 415)
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.doc(requestBody=BODY)
    @blp.response(200, ImportReportSchema, example=example("import-report"))
    def post(self, args):
        """Import a file

        The body is the file (UTF-8): ClaimReview JSON-LD or ClaimsKG CSV, as `format` says.
        All or nothing: one bad record and nothing is written, and the 422 lists each bad
        record's position and reason. Re-importing a file changes nothing. The Content-Type
        must be the format's: application/ld+json (or application/json) for claimreview,
        text/csv for claimskg; otherwise 415.
        """
        if request.mimetype not in MEDIA_TYPES[args["format"]]:
            raise UnsupportedMediaType(description=(
                f"format={args['format']} takes a body of type "
                + " or ".join(sorted(MEDIA_TYPES[args["format"]])) + "."))
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise UnprocessableEntity({"body": ["The file is not UTF-8 text."]}) from None
        try:
            return import_text(text, args["format"], actor()).as_dict()
        except ImportFailed as error:
            raise UnprocessableEntity({"records": [str(p) for p in error.problems]}) from None
