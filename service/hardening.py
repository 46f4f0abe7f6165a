"""What every response carries and what every request body must respect, whatever the route.

- Security headers on every response: a strict Content-Security-Policy (pages load scripts
  and styles from this origin only, never inline ones), nosniff, a Referrer-Policy and
  frame-ancestors 'none'.
- CORS: any origin may read; writes (POST, PATCH, PUT, DELETE with Authorization) only from
  the origins named in CORS_WRITE_ORIGINS (none by default).
- JSON bodies: nesting deeper than MAX_JSON_DEPTH and strings that are not valid Unicode
  (a lone surrogate such as "\\ud800") are refused with a 400 before any view sees them.
"""

import json

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

MAX_JSON_DEPTH = 32
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
WRITE_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PATCH", "PUT", "DELETE"]
WRITE_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match"
EXPOSED_HEADERS = ["Link", "ETag", "Location", "Retry-After"]

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class UnsafeJSON(ValueError):
    """A JSON document that parses but must not be used (too deep, invalid Unicode)."""


def check_json_value(value, max_depth=MAX_JSON_DEPTH):
    """Raise UnsafeJSON when `value` nests deeper than `max_depth` or holds a string that is
    not valid Unicode (lone surrogates cannot be stored or encoded as UTF-8). Iterative, so a
    hostile document cannot exhaust the stack here either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise UnsafeJSON(f"JSON nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append((child, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in item)
    return value


def _check_text(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJSON("JSON text holds invalid Unicode (a lone surrogate such as \\ud800)") \
            from None


def loads_checked(data, **kwargs):
    """json.loads, then check_json_value; every failure is a ValueError (Flask and webargs
    turn it into a 400)."""
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise UnsafeJSON(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    return check_json_value(value)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies checked by loads_checked."""

    def loads(self, s, **kwargs):
        return loads_checked(s, **kwargs)


def body_chunks(size=1024 * 1024):
    """The request body, a chunk at a time; 413 once it passes MAX_CONTENT_LENGTH, chunked
    bodies included. Werkzeug's readall (get_data) stops at the limit without saying so (a
    70 MB chunked file became its first 64 MiB); a read past the limit raises the 413."""
    stream = request.stream
    while chunk := stream.read(size):
        yield chunk


def read_body():
    """The whole request body (for bodies that fit in MAX_CONTENT_LENGTH); 413 otherwise.
    Read once a request and kept: the Idempotency-Key fingerprint, the JSON arguments and an
    import all read it, in that order."""
    if "request_body" not in g:
        g.request_body = b"".join(body_chunks())
    return g.request_body


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask):
    """Security headers, CORS and checked JSON for this app."""
    app.json = JSONProvider(app)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:  # behind deploy/nginx.conf: the client's address is in X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.after_request(add_security_headers)
    CORS(app, methods=READ_METHODS, expose_headers=EXPOSED_HEADERS, max_age=600)
    app.after_request(open_writes_to_configured_origins)


def write_origin_allowed():
    """True when this request comes from an origin that CORS_WRITE_ORIGINS lets write."""
    origin = request.headers.get("Origin")
    return bool(origin) and origin in (current_app.config.get("CORS_WRITE_ORIGINS") or ())


def open_writes_to_configured_origins(response):
    """flask-cors answers every origin for reads; configured origins may also write."""
    if write_origin_allowed():
        response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
        response.headers["Access-Control-Allow-Methods"] = ", ".join(WRITE_METHODS)
        response.headers["Access-Control-Allow-Headers"] = WRITE_HEADERS
        response.headers["Vary"] = "Origin"
    return response
