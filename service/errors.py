"""RFC 9457 problem details: every error of the API is built here, in one shape."""

import http
import logging
import re
import sqlite3

from flask import Flask
from flask import current_app
from flask import request
from gunicorn.http.errors import NoMoreData
from gunicorn.http.errors import ParseException
from peewee import IntegrityError
from peewee import OperationalError
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Conflict
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.exceptions import PreconditionFailed as PreconditionFailedBase
from werkzeug.exceptions import UnprocessableEntity as UnprocessableEntityBase

from . import dberrors
from . import exceptions
from . import idempotency
from .costs import QueryTooCostly
from .costs import SearchesBusy
from .costs import is_statement_timeout

PROBLEM_MIMETYPE = "application/problem+json"
IDEMPOTENCY_STATUS = {
    idempotency.InvalidIdempotencyKey: 400,
    idempotency.IdempotencyKeyReused: 422,
    idempotency.IdempotencyKeyInUse: 409,
}
REQUEST_LOCATIONS = ("query", "json", "path", "headers", "form", "files", "view_args", "cookies")
log = logging.getLogger(__name__)


class ValidationProblem(BadRequest):
    """Invalid request parameters found after webargs (e.g. a cursor for another list)."""

    def __init__(self, errors, detail=None):
        super().__init__(description=detail)
        self.data = {"errors": errors}


class UnprocessableEntity(UnprocessableEntityBase):
    """A body that is well-formed but cannot be applied (unknown reference, quote not in
    its source text…), with the fields at fault."""

    def __init__(self, errors):
        super().__init__()
        self.data = {"errors": errors}


class PreconditionFailed(PreconditionFailedBase):
    """If-Match named a version that is no longer current; says which one is."""

    def __init__(self, current):
        super().__init__(description="The resource has changed since you read it: "
                         "reload it and apply your change again.")
        if current is not None:
            from .documents import track  # (documents reads through queries, which use errors)

            current = track(current)  # its document's version too: the ETag a GET gives
        self.data = {"extra": {"etag": etag(current)} if current is not None else {}}


def etag(row):
    """The ETag of a row's current version. It names the resource and its id as well as the
    version ("claim-19-v2"), so the ETag of one record never matches another's, not even one
    that held the same id before (ids are never reused either: migration 0007)."""
    return version_tag(row._meta.table_name, row.id, row.version,
                       getattr(row, "document_version", 0))


def version_tag(resource, row_id, version, document_version=0):
    """The ETag of a version of a resource. Claims, quotes and speakers add the version of
    their document (service/documents.py) once something they show changed without their
    row's version moving ("claim-19-v2.1": a speaker it names was renamed). Both numbers only
    grow, so an ETag is never handed out twice for different contents."""
    suffix = f".{document_version}" if document_version else ""
    return f'"{resource}-{row_id}-v{version}{suffix}"'


class Moved(HTTPException):
    """A merged speaker's old slug: 308 to the same URL under the slug it became (the body
    a problem, like every other non-2xx answer)."""

    code = 308

    def __init__(self, old_slug, new_slug):
        segments = [new_slug if part == old_slug else part for part in request.path.split("/")]
        location = "/".join(segments)
        if request.query_string:
            location += "?" + request.query_string.decode("latin-1")
        super().__init__(description=f"{old_slug!r} was merged into {new_slug!r}: see "
                         f"{location}.")
        self.data = {"headers": {"Location": location}}
        self.location = location


class DuplicateClaimConflict(Conflict):
    """A new claim that is a near-duplicate of existing claims (docs/matching.md); names them."""

    def __init__(self, duplicates):
        super().__init__(description="This claim is a near-duplicate of an existing claim: "
                         "add your review or stance to that one, or send the claim again "
                         "with allow_duplicate=true.")
        self.data = {"extra": {"duplicates": duplicates}}


def http_exception_for(error):
    """The HTTP exception (status, body parts) of one of the project's own exceptions."""
    if isinstance(error, exceptions.NotFoundError):
        return NotFound(description=str(error))
    if isinstance(error, exceptions.InvalidInput):
        return UnprocessableEntity(error.errors)
    if isinstance(error, exceptions.InvalidParameters):
        problem = ValidationProblem(error.errors, detail=error.detail)
        if error.detail:
            problem.data["message"] = error.detail
        return problem
    if isinstance(error, exceptions.StaleVersion):
        return PreconditionFailed(error.current)
    if isinstance(error, exceptions.DuplicateClaim):
        return DuplicateClaimConflict(error.duplicates)
    if isinstance(error, exceptions.MergedSlug):
        return Moved(error.old_slug, error.new_slug)
    raise TypeError(f"no status for {type(error).__name__}")


def flatten_errors(errors):
    """webargs groups messages by location ({"query": {"limit": [...]}}): keep field → messages."""
    flat = {}
    for location, fields in errors.items():
        if location in REQUEST_LOCATIONS and isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def problem_body(status, detail=None, errors=None, instance=None):
    """The problem+json document for an HTTP status (`instance`: the request's path)."""
    body = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or http.HTTPStatus(status).description,
        "instance": instance or request.path,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_from_http_exception(error: HTTPException):
    """(body, status, headers) for any HTTP error: Flask's, webargs' or ours."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    errors = flatten_errors(errors) if errors else None
    detail = data.get("message")
    if detail is None and errors:
        detail = "Invalid request: " + ", ".join(sorted(map(str, errors))) + "."
    if detail is None:
        detail = error.description if status < 500 else None
    headers = dict(data.get("headers") or {})
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    headers["Content-Type"] = PROBLEM_MIMETYPE
    body = problem_body(status, detail, errors)
    body.update(data.get("extra") or {})
    return body, status, headers


def conflict_detail(error):
    """What a constraint violation means, in words (SQLite and PostgreSQL phrase it apart)."""
    message = str(error)
    if "UNIQUE" in message or "duplicate key" in message:
        match = re.search(r"UNIQUE constraint failed: ([\w., ]+)|Key \(([^)]*)\)", message)
        what = (match.group(1) or match.group(2)) if match else "unique field"
        columns = ", ".join(c.strip().rsplit(".", 1)[-1] for c in what.split(","))
        return f"Another record already has the same {columns}."
    if "FOREIGN KEY" in message or "foreign key" in message:
        return "Other records still refer to this one (quotes, stances, claims…): " \
               "change or delete them first."
    return "The change conflicts with existing data."


def database_problem(error):
    """(body, status, headers) for a database error, by what it means (service/dberrors.py):
    503 only when a retry can succeed."""
    kind = dberrors.classify(error)
    headers = {"Content-Type": PROBLEM_MIMETYPE}
    if kind == dberrors.RETRY:
        log.warning("database busy or unreachable: %s", error)
        return problem_body(503, "The database is busy or unreachable; try again."), 503, {
            **headers, "Retry-After": "1"}
    if kind == dberrors.DISK_FULL:
        log.error("database disk full: %s", error)
        return problem_body(507, "The database's disk is full: nothing was written. Retrying "
                            "will not help until space is freed."), 507, headers
    if kind == dberrors.TOO_LONG_FOR_INDEX:
        return problem_body(422, "The text is too long for the search index.", {
            "text": [dberrors.TOO_LONG_REASON]}), 422, headers
    log.error("database error: %s", error)
    return problem_body(500), 500, headers


def register_error_handlers(app: Flask):
    """Errors that are not HTTPExceptions, turned into problems too (never a stack trace)."""

    @app.errorhandler(exceptions.ClaimbaseError)
    def _own(error):
        return problem_from_http_exception(http_exception_for(error))

    @app.errorhandler(IntegrityError)
    def _conflict(error):
        log.info("integrity error: %s", error)
        return problem_body(409, conflict_detail(error)), 409, {"Content-Type": PROBLEM_MIMETYPE}

    @app.errorhandler(idempotency.IdempotencyError)
    def _idempotency(error):
        status = IDEMPOTENCY_STATUS[type(error)]
        return problem_body(status, str(error)), status, {"Content-Type": PROBLEM_MIMETYPE}

    @app.errorhandler(ParseException)
    @app.errorhandler(NoMoreData)
    def _malformed_body(error):
        # The server reads a body only as the app asks for it: its framing errors surface here.
        detail = f"The request body could not be read: {error}."
        return problem_body(400, detail), 400, {"Content-Type": PROBLEM_MIMETYPE}

    @app.errorhandler(TimeoutError)
    def _body_stalled(error):
        detail = "The request body stopped arriving; send it again, without pauses."
        return problem_body(408, detail), 408, {"Content-Type": PROBLEM_MIMETYPE}

    @app.errorhandler(QueryTooCostly)
    def _too_costly(error):
        body = problem_body(400, str(error), {error.field: [str(error)]})
        return body, 400, {"Content-Type": PROBLEM_MIMETYPE}

    @app.errorhandler(SearchesBusy)
    def _searches_busy(error):
        log.warning("no search slot came free: %s", request.full_path)
        return problem_body(503, str(error)), 503, {"Content-Type": PROBLEM_MIMETYPE,
                                                    "Retry-After": str(error.retry_after)}

    # peewee wraps the errors of the statements it executes; SQLite runs a statement further
    # while its rows are fetched, and an error there (a budget spent) is sqlite3's own.
    @app.errorhandler(OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    def _database(error):
        if is_statement_timeout(error):
            log.warning("statement stopped by its time budget: %s", request.full_path)
            seconds = current_app.config["STATEMENT_TIMEOUT_MS"] / 1000
            detail = (f"The request's queries took longer than {seconds:g} s in all and were "
                      "stopped: ask for less (fewer search terms, a narrower filter, a smaller "
                      "page).")
            return problem_body(503, detail), 503, {"Content-Type": PROBLEM_MIMETYPE,
                                                    "Retry-After": "5"}
        return database_problem(error)

    @app.errorhandler(Exception)
    def _internal(error):
        log.exception("unhandled error")
        return problem_body(500), 500, {"Content-Type": PROBLEM_MIMETYPE}
