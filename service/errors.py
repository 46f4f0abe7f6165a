"""RFC 9457 problem details: every error of the API is built here, in one shape."""

import http
import logging
import re

from flask import Flask
from flask import request
from peewee import IntegrityError
from peewee import OperationalError
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Conflict
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.exceptions import PreconditionFailed as PreconditionFailedBase
from werkzeug.exceptions import UnprocessableEntity as UnprocessableEntityBase

PROBLEM_MIMETYPE = "application/problem+json"
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

    def __init__(self, current_version):
        super().__init__(description="The resource has changed since you read it: "
                         "reload it and apply your change again.")
        self.data = {"extra": {"etag": etag(current_version)} if current_version else {}}


class DuplicateClaim(Conflict):
    """A new claim that is a near-duplicate of existing claims (docs/matching.md); names them."""

    def __init__(self, duplicates):
        super().__init__(description="This claim is a near-duplicate of an existing claim: "
                         "add your review or stance to that one, or send the claim again "
                         "with allow_duplicate=true.")
        self.data = {"extra": {"duplicates": duplicates}}


def etag(version):
    """The ETag of a resource version."""
    return f'"v{version}"'


def not_found(what, key):
    """A 404 naming what was looked for."""
    return NotFound(description=f"No {what} {key!r}.")


def flatten_errors(errors):
    """webargs groups messages by location ({"query": {"limit": [...]}}): keep field → messages."""
    flat = {}
    for location, fields in errors.items():
        if location in REQUEST_LOCATIONS and isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def problem_body(status, detail=None, errors=None):
    """The problem+json document for an HTTP status."""
    body = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or http.HTTPStatus(status).description,
        "instance": request.path,
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


def register_error_handlers(app: Flask):
    """Errors that are not HTTPExceptions, turned into problems too (never a stack trace)."""

    @app.errorhandler(IntegrityError)
    def _conflict(error):
        log.info("integrity error: %s", error)
        return problem_body(409, conflict_detail(error)), 409, {"Content-Type": PROBLEM_MIMETYPE}

    @app.errorhandler(OperationalError)
    def _unavailable(error):
        log.error("database error: %s", error)
        return problem_body(503, "The database is unavailable; try again."), 503, {
            "Content-Type": PROBLEM_MIMETYPE,
            "Retry-After": "1",
        }

    @app.errorhandler(Exception)
    def _internal(error):
        log.exception("unhandled error")
        return problem_body(500), 500, {"Content-Type": PROBLEM_MIMETYPE}
