"""/imports: an editor posts a file; it goes through the import pipeline, with a report.
A file bigger than IMPORT_JOB_BYTES becomes a job (service/jobs.py): 202, then
GET /imports/{id} for its progress and its report."""

import io
import itertools

from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from schemas.imports import ImportArgsSchema
from schemas.imports import ImportJobSchema
from schemas.imports import ImportReportSchema
from service import jobs
from service.auth import check_role
from service.auth import import_role
from service.auth import require
from service.db import lift_request_budget
from service.errors import UnprocessableEntity
from service.examples import example
from service.exceptions import NotFoundError
from service.formats import FORMATS
from service.hardening import body_chunks
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
POLL_AFTER = "2"  # seconds: Retry-After on a job that is not finished
# Static examples (a job needs a body over 1 MiB, which service.examples does not replay);
# tests/test_import_jobs.py holds real jobs to the same fields.
JOB_QUEUED_EXAMPLE = {
    "id": 7, "status": "queued", "format": "ndjson", "resource": "quotes", "size": 298419121,
    "bytes_read": 0, "records": 0, "submitted_at": "2026-12-01T00:32:42.104516",
    "started_at": None, "finished_at": None, "report": None, "error": None}
JOB_RUNNING_EXAMPLE = {
    **JOB_QUEUED_EXAMPLE, "status": "running", "bytes_read": 9830400, "records": 32000,
    "started_at": "2026-12-01T00:32:43.311020"}


@blp.before_request
def _import_size_limit():
    """Import bodies may be larger than other requests' (IMPORT_MAX_BYTES; 413 beyond)."""
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


def _body_up_to(limit):
    """(the body, None) when it holds at most `limit` bytes; else (None, all its chunks),
    read no further than one chunk past the limit."""
    if "request_body" in g:  # read whole already (an Idempotency-Key's fingerprint)
        body = g.request_body
        return (body, None) if len(body) <= limit else (None, iter([body]))
    chunks = body_chunks()
    head = bytearray()
    for chunk in chunks:
        head += chunk
        if len(head) > limit:
            return None, itertools.chain([bytes(head)], chunks)
    return bytes(head), None


def _job_response(job, status=200):
    """A job's state as JSON; Location on a new one, Retry-After while it is unfinished."""
    response = jsonify(ImportJobSchema().dump(
        jobs.job_status(job, jobs.spool_folder(current_app.config))))
    response.status_code = status
    if status == 202:
        response.headers["Location"] = f"/imports/{job.id}"
    if job.status == "queued":
        response.headers["Retry-After"] = POLL_AFTER
    return response


@blp.route("")
class Imports(MethodView):
    @blp.write("editor", 413, 415)
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.doc(requestBody=BODY)
    @blp.response(200, ImportReportSchema, example=example("import-report"))
    @blp.alt_response(202, schema=ImportJobSchema, success=True, description=(
        "The file is bigger than the server's job threshold (IMPORT_JOB_BYTES): it is "
        "queued as a job; follow Location (GET /imports/{id}) for its progress and report."),
        headers={"Location": {"description": "/imports/{id}", "schema": {"type": "string"}}},
        example=JOB_QUEUED_EXAMPLE)
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

        A file bigger than the server's threshold (1 MiB by default) is not imported inside
        the request: it is kept and queued as a job, and the answer is 202 with
        `Location: /imports/{id}`. The job is still one transaction, and it survives a
        restart of the server.
        """
        check_role(g.token, import_role(args.get("resource") or "claims"))
        accepted = FORMATS[args["format"]].media_types
        if request.mimetype not in accepted:
            raise UnsupportedMediaType(description=(
                f"format={args['format']} takes a body of type " + " or ".join(sorted(accepted))
                + "."))
        options = {"skip_invalid": args["skip_invalid"], "resource": args.get("resource"),
                   "name": args.get("name"), "role": g.token.role,
                   "duplicates": args["duplicates"]}
        body, chunks = _body_up_to(current_app.config["IMPORT_JOB_BYTES"])
        if body is None:
            job = jobs.submit(jobs.spool_folder(current_app.config), chunks, args["format"],
                              g.token, options)
            jobs.wake_runner(current_app)
            return _job_response(job, 202)
        text = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", newline="")
        lift_request_budget()  # bounded by IMPORT_JOB_BYTES, as a job is by its runner
        try:
            return import_stream(text, args["format"], actor(), **options).as_dict()
        except ImportFailed as error:
            raise UnprocessableEntity({"records": [str(p) for p in error.problems]}) from None
        except UnicodeDecodeError:
            raise UnprocessableEntity({"body": ["The file is not UTF-8 text."]}) from None


@blp.route("/<id:job_id>")
class ImportJobs(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.problems(401, 404)
    @blp.response(200, ImportJobSchema, example=JOB_RUNNING_EXAMPLE)
    @require("editor")
    def get(self, job_id):
        """An import job: its progress, then its report

        While the job waits or runs (`queued`, `running`): how many records and bytes it has
        read, with `Retry-After`. Once finished (`done`, `failed`): the import's report, as a
        synchronous import gives it. A job is shown to the token that submitted it and to
        admins; to any other token it does not exist (404).
        """
        job = jobs.job_for(job_id, g.token)
        if job is None:
            raise NotFoundError("import job", job_id)
        return _job_response(job)
