"""What every resource blueprint shares: strict argument parsing and the page envelope."""

import http

import flask_smorest
from flask import request
from flask import url_for
from webargs.flaskparser import FlaskParser

from schemas.common import encode_cursor


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose arguments reject unknown fields (the schemas say RAISE)
    and whose query-string errors are 400 Bad Request."""

    ARGUMENTS_PARSER = FlaskParser(unknown=None)

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
