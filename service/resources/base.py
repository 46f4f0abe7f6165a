"""What every resource blueprint shares: strict argument parsing, the page envelope,
ETags and If-Match, authenticated writes, and their documentation."""

import functools
import http
import re

import flask_smorest
from flask import Response
from flask import current_app
from flask import g
from flask import make_response
from flask import request
from flask import url_for
from webargs import core
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import is_json_request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import PreconditionRequired

from schemas.common import encode_cursor
from service import documents
from service import idempotency
from service.auth import require
from service.errors import PreconditionFailed
from service.errors import etag
from service.errors import version_tag
from service.hardening import UnsafeJSON
from service.hardening import loads_checked
from service.hardening import read_body
from service.pagination import Page

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the version you read (from GET): the write applies only if "
                   "the resource has not changed since (otherwise 412).",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
    "description": "A key unique to this request (a UUID), to retry it safely: the same key "
                   "with the same request replays the first response (status, headers, body) "
                   "instead of writing again; with another request it is a 422; while the "
                   "first is still running, a 409. Kept 24 hours, per token.",
}
WRITE_PROBLEMS = (400, 401, 403, 422)


class Parser(FlaskParser):
    """webargs' parser, reading JSON bodies through the checked loader (depth, Unicode)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        try:
            return loads_checked(read_body())
        except UnsafeJSON as error:
            raise BadRequest(description=f"{error}.") from None


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose arguments reject unknown fields (the schemas say RAISE)
    and whose query-string errors are 400 Bad Request."""

    ARGUMENTS_PARSER = Parser(unknown=None)

    def arguments(self, schema, *, location="json", **kwargs):
        if isinstance(schema, type):
            # One instance for every request: webargs would build one from a class each time
            # (copying every field), the largest cost of a small read.
            schema = schema()
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
            problems = statuses
            if func.__name__ == "post":
                func = self.doc(parameters=[IDEMPOTENCY_KEY])(idempotent(func))
                problems = (*problems, 409)
            func = require(role)(func)
            func = self.doc(security=[{"bearerAuth": []}])(func)
            if if_match:
                func = self.doc(parameters=[IF_MATCH])(func)
                problems = (*problems, 404, 412, 428)
            return self.problems(*dict.fromkeys((*WRITE_PROBLEMS, *problems)))(func)

        return decorator


def idempotent(view):
    """A POST view that honours Idempotency-Key (service/idempotency.py); without the
    header, the view as it is."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get(idempotency.HEADER)
        if header is None:
            return view(*args, **kwargs)
        key = idempotency.parse_key(header)
        target = request.full_path.rstrip("?")
        request_fingerprint = idempotency.fingerprint(request.method, target,
                                                      read_body())

        def respond():
            response = make_response(view(*args, **kwargs))
            return response.status_code, list(response.headers.items()), response.get_data()

        status, headers, body, replayed = idempotency.run_once(
            g.token.name, key, request_fingerprint, respond)
        response = Response(body, status, headers)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    return wrapper


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
    documents.track(row)
    tags = re.findall(r'(?:W/)?"[^"]*"', header)
    if etag(row) not in tags:
        raise PreconditionFailed(row)
    return row.version


def optional_version(row):
    """For writes where If-Match is optional: the version it names, or None without one."""
    return expected_version(row) if "If-Match" in request.headers else None


def with_etag(row, status=200, location=None):
    """(row, status, headers) carrying the row's ETag (and Location for a creation)."""
    headers = {"ETag": etag(documents.track(row))}
    if location:
        headers["Location"] = location
    return row, status, headers


def _url_with(cursor):
    args = request.args.copy()
    args.pop("cursor", None)
    if cursor is not None:
        args["cursor"] = cursor
    return url_for(request.endpoint, **request.view_args, **args.to_dict(flat=False))


def document_response(resource, document):
    """A stored document (service/documents.py) as the answer, with its ETag."""
    response = _json_response(document.body)
    response.headers["ETag"] = version_tag(resource, document.id, document.version,
                                           document.document_version)
    return response


def _json_response(text):
    """JSON text as Flask's own JSON answers are written (a final newline)."""
    return current_app.response_class(f"{text}\n", mimetype=current_app.json.mimetype)


def documents_page_response(page, envelope_schema):
    """A Page of stored documents (JSON texts) in the envelope, as page_response and the
    schema would write it: the envelope is dumped without its data, which is then put in as
    the documents' text, joined."""
    envelope, headers = page_response(Page(items=[], limit=page.limit,
                                           next_after=page.next_after, meta=page.meta))
    envelope["meta"]["count"] = len(page.items)
    head = documents.to_json(_instance(envelope_schema).dump(envelope))
    empty = '{"data":[]'
    if not head.startswith(empty):
        raise ValueError("the page envelope no longer starts with its data")
    response = _json_response(f'{{"data":[{",".join(page.items)}]{head[len(empty):]}')
    response.headers.update(headers)
    return response


@functools.cache
def _instance(schema_class):
    """One instance of a schema class (a schema dumps many times, built once)."""
    return schema_class()


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
