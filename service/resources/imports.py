"""/imports: an editor posts a file; it goes through the import pipeline, with a report."""

import io

from flask import g
from flask import request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from schemas.imports import ImportArgsSchema
from schemas.imports import ImportReportSchema
from service.auth import check_role
from service.auth import import_role
from service.errors import UnprocessableEntity
from service.examples import example
from service.formats import FORMATS
from service.hardening import read_body
from service.importer import ImportFailed
from service.importer import import_stream

from .base import Blueprint
from .base import actor

blp = Blueprint("imports", __name__, url_prefix="/imports",
                description="Bulk imports of fact-check data, all or nothing.")
BODY = {"required": True, "content": {
    "application/ld+json": {"schema": {"oneOf": [
        {"type": "object", "description": "One ClaimReview, or {\"@graph\": [...]}"},
        {"type": "array", "items": {"type": "object"}},
    ]}},
    "application/x-ndjson": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
}}


@blp.route("")
class Imports(MethodView):
    @blp.write("editor", 413, 415)
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.doc(requestBody=BODY)
    @blp.response(200, ImportReportSchema, example=example("import-report"))
    def post(self, args):
        """Import a file

        The body is the file (UTF-8), in the format `format` names, with that format's
        Content-Type: application/x-ndjson for ndjson; text/csv for csv, claimskg, liar2 and
        euvsdisinfo; text/tab-separated-values for clef; application/ld+json (or
        application/json) for claimreview. Otherwise 415.

        An import creates and updates records, so it needs the role those writes need
        through the API: admin for `resource=topics`; an editor's claims may tag only
        topics that exist.

        One transaction: by default one bad record and nothing is written (422, listing each
        bad record's line, field and reason); with `skip_invalid=true` the valid records are
        written and the report lists the others. Re-importing a file changes nothing.
        """
        check_role(g.token, import_role(args.get("resource") or "claims"))
        accepted = FORMATS[args["format"]].media_types
        if request.mimetype not in accepted:
            raise UnsupportedMediaType(description=(
                f"format={args['format']} takes a body of type " + " or ".join(sorted(accepted))
                + "."))
        text = io.TextIOWrapper(io.BytesIO(read_body()), encoding="utf-8", newline="")
        try:
            return import_stream(text, args["format"], actor(),
                                 skip_invalid=args["skip_invalid"], resource=args.get("resource"),
                                 name=args.get("name"), role=g.token.role,
                                 duplicates=args["duplicates"]).as_dict()
        except ImportFailed as error:
            raise UnprocessableEntity({"records": [str(p) for p in error.problems]}) from None
        except UnicodeDecodeError:
            raise UnprocessableEntity({"body": ["The file is not UTF-8 text."]}) from None
