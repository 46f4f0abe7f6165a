"""What every resource blueprint shares: strict argument parsing, the page envelope,
ETags and If-Match, authenticated writes, and their documentation."""

import http
import re

import flask_smorest
from flask import g
from flask import request
from flask import url_for
from webargs import core
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import is_json_request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import PreconditionRequired

from schemas.common import encode_cursor
from service.auth import require
from service.errors import PreconditionFailed
from service.errors import etag
from service.hardening import UnsafeJSON
from service.hardening import loads_checked

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the version you read (from GET): the write applies only if "
                   "the resource has not changed since (otherwise 412).",
}
WRITE_PROBLEMS = (400, 401, 403, 422)


class Parser(FlaskParser):
    """webargs' parser, reading JSON bodies through the checked loader (depth, Unicode)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        try:
            return loads_checked(req.get_data(cache=True))
        except UnsafeJSON as error:
            raise BadRequest(description=f"{error}.") from None


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose arguments reject unknown fields (the schemas say RAISE)
    and whose query-string errors are 400 Bad Request."""

    ARGUMENTS_PARSER = Parser(unknown=None)

    def arguments(self, schema, *, location="json", **kwargs):
        if location == "query":
            kwargs.setdefault("error_status_code", 400)
        return super().arguments(schema, location=location, **kwargs)

    def problems(self, *statuses):
        """Document the problem responses an operation can return."""

        def decorator(func):
            for status in statuses:
                name = http.HTTPStatus(status).name
                func = self.alt_response(status, response=name)(func)
            return func

        return decorator

    def write(self, role, *statuses, if_match=False):
        """An authenticated write: a token of at least `role`, checked before anything else;
        documented with its security scheme, its If-Match header and every problem."""

        def decorator(func):
            func = require(role)(func)
            func = self.doc(security=[{"bearerAuth": []}])(func)
            if if_match:
                func = self.doc(parameters=[IF_MATCH])(func)
                statuses_ = (*statuses, 404, 412, 428)
            else:
                statuses_ = statuses
            return self.problems(*WRITE_PROBLEMS, *statuses_)(func)

        return decorator


def actor():
    """The name of the token making the current write."""
    return g.token.name


def expected_version(row):
    """The version an If-Match names for this row, or 428 (missing) / 412 (stale)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired(description="This write needs an If-Match header with the "
                                   "ETag you read: it protects against lost updates.")
    if header.strip() == "*":
        return row.version
    tags = re.findall(r'(?:W/)?"[^"]*"', header)
    if etag(row.version) not in tags:
        raise PreconditionFailed(row.version)
    return row.version


def optional_version(row):
    """For writes where If-Match is optional: the version it names, or None without one."""
    return expected_version(row) if "If-Match" in request.headers else None


def with_etag(row, status=200, location=None):
    """(row, status, headers) carrying the row's ETag (and Location for a creation)."""
    headers = {"ETag": etag(row.version)}
    if location:
        headers["Location"] = location
    return row, status, headers


def _url_with(cursor):
    args = request.args.copy()
    args.pop("cursor", None)
    if cursor is not None:
        args["cursor"] = cursor
    return url_for(request.endpoint, **request.view_args, **args.to_dict(flat=False))


def page_response(page):
    """(envelope, headers) for a Page: data, meta (limit, count, matches), links, Link header."""
    next_cursor = encode_cursor(page.next_after) if page.next_after is not None else None
    links = {"self": request.full_path.rstrip("?"), "next": None}
    headers = {}
    if next_cursor:
        links["next"] = _url_with(next_cursor)
        headers["Link"] = f'<{links["next"]}>; rel="next"'
    meta = {"limit": page.limit, "count": len(page.items), "next_cursor": next_cursor, **page.meta}
    return {"data": page.items, "meta": meta, "links": links}, headers
