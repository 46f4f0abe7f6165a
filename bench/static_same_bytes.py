"""The serving stack's limit: a static WSGI app answering each path with the bytes Claimbase
answered for it (bench/load.py writes them to a file and starts this under gunicorn, like the
raw reference). No database, no framework: what is left is gunicorn, HTTP and the bytes.

    CLAIMBASE_STATIC_PAGES=/path/to/pages.json gunicorn -w 2 bench.static_same_bytes:app

The file maps each request target (path and query string, as sent) to the body as text.
"""

import json
import os

PAGES_ENV = "CLAIMBASE_STATIC_PAGES"
NOT_FOUND = b'{"status":404,"detail":"not one of the recorded pages"}'


def load(path):
    """{request target: (body bytes, headers)} from the pages file."""
    with open(path, encoding="utf-8") as source:
        pages = json.load(source)
    return {target: (body.encode("utf-8"), [("Content-Type", "application/json"),
                                            ("Content-Length", str(len(body.encode("utf-8"))))])
            for target, body in pages.items()}


_pages = None


def app(environ, start_response):
    """Answer a recorded page, else a short JSON 404."""
    global _pages
    if _pages is None:
        _pages = load(os.environ[PAGES_ENV])
    found = _pages.get(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    if found is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [NOT_FOUND]
    body, headers = found
    start_response("200 OK", headers)
    return [body]
