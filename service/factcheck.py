"""Google Fact Check Tools API compatibility: GET /v1alpha1/claims:search.

Same parameters, defaults, paging, response shape and error envelope as
factchecktools.googleapis.com (see ../shared/INTEROP.md), so that existing clients,
google-api-python-client included, work unchanged when pointed at Claimbase.
"""

import base64
import datetime
import hashlib
import json
import re

from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException

from schemas.common import is_language_tag

from . import queries
from .claimreview import claim_date
from .claimreview import claimants
from .claimreview import site_of
from .models import MAX_ID

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100  # Google documents none; beyond it pages are cut to this size
SEARCH_PARAMS = ("query", "languageCode", "reviewPublisherSiteFilter", "maxAgeDays", "pageSize",
                 "pageToken", "offset")
SYSTEM_PARAMS = ("key", "access_token", "oauth_token", "alt", "fields", "prettyPrint",
                 "quotaUser", "callback", "$.xgafv", "uploadType", "upload_protocol")
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 405: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED",
                500: "INTERNAL", 503: "UNAVAILABLE"}


class InvalidArgument(BadRequest):
    """A 400 in Google's words."""


def error_envelope(error: HTTPException):
    """Google's JSON error body (google.rpc.Status) for an HTTP error."""
    code = error.code or 500
    message = error.description if code < 500 else "Internal error encountered."
    status = STATUS_NAMES.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message, "status": status,
                      "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                   "reason": status, "domain": "googleapis.com"}]}}


def _int32(args, name, minimum=0):
    value = args.get(name)
    if value in (None, ""):
        return None
    if not re.fullmatch(r"-?\d{1,10}", value) or not minimum <= int(value) <= MAX_ID:
        raise InvalidArgument(f"Invalid value at '{name}' (TYPE_INT32), \"{value}\"")
    return int(value)


def _fingerprint(params):
    """What a pageToken is bound to: every search parameter but the paging ones."""
    kept = {k: params.get(k) for k in SEARCH_PARAMS if k not in ("pageToken", "offset",
                                                                "pageSize")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()[:16]


def _token(offset, params):
    raw = json.dumps({"o": offset, "f": _fingerprint(params)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset_from_token(token, params):
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode() + b"=="))
        offset, fingerprint = decoded["o"], decoded["f"]
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise InvalidArgument("Invalid pageToken.") from None
    if fingerprint != _fingerprint(params) or type(offset) is not int or offset < 0:
        raise InvalidArgument("The pageToken does not belong to this query: every other "
                              "parameter must be unchanged.")
    return offset


def parse_request(args):
    """The search to run, from the query string, or InvalidArgument."""
    for name in args:
        if name not in SEARCH_PARAMS + SYSTEM_PARAMS:
            raise InvalidArgument(f"Invalid JSON payload received. Unknown name \"{name}\": "
                                  "Cannot bind query parameter.")
    if any("\x00" in value for value in args.values()):
        raise InvalidArgument("Request contains an invalid argument.")
    if args.get("alt", "json") != "json":
        raise InvalidArgument("Only alt=json is supported.")
    if args.get("callback"):
        raise InvalidArgument("JSONP (callback) is not supported.")
    if len(args.get("quotaUser", "")) > 40:
        raise InvalidArgument("quotaUser must be at most 40 characters.")
    query = args.get("query") or None
    site = args.get("reviewPublisherSiteFilter") or None
    if not query and not site:
        raise InvalidArgument("Either query or reviewPublisherSiteFilter must be given.")
    if query and len(query) > 500:
        raise InvalidArgument("The query is too long (500 characters at most).")
    max_age = _int32(args, "maxAgeDays")
    page_size = min(_int32(args, "pageSize") or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    params = args.to_dict()
    offset = (_offset_from_token(args["pageToken"], params) if args.get("pageToken")
              else _int32(args, "offset") or 0)
    since = (datetime.date.today() - datetime.timedelta(days=max_age)
             if max_age is not None else None)
    language = args.get("languageCode") or None
    if language and not is_language_tag(language):
        raise InvalidArgument(f"Invalid languageCode \"{language}\".")
    return {"query": query, "language": language, "site": site, "since": since,
            "offset": offset, "limit": page_size, "params": params}


def _timestamp(date):
    return f"{date.isoformat()}T00:00:00Z" if date else None


def _review(review):
    return _compact({
        "publisher": _compact({"name": review.publisher, "site": site_of(review.url)}),
        "url": review.url,
        "title": review.title,
        "reviewDate": _timestamp(review.published_on),
        "textualRating": review.rating_label,
        "languageCode": review.lang,
    })


def _claim(claim):
    speakers = claimants(claim)
    return _compact({
        "text": claim.text,
        "claimant": ", ".join(s.name for s in speakers) or None,
        "claimDate": _timestamp(claim_date(claim)),
        "claimReview": [_review(r) for r in claim.matching_reviews],
    })


def _compact(node):
    """proto3 JSON leaves out empty fields."""
    return {k: v for k, v in node.items() if v not in (None, "", [], {})}


def search(args):
    """The claims:search response body for a query string."""
    request = parse_request(args)
    claims, more = queries.fact_checked_claims(
        request["offset"], request["limit"], request["query"], request["language"],
        request["site"], request["since"])
    body = {"claims": [_claim(c) for c in claims]}
    if more:
        body["nextPageToken"] = _token(request["offset"] + request["limit"], request["params"])
    return _apply_mask(_compact(body), parse_field_mask(args.get("fields", "")))


# --- partial responses: fields=claims(text,claimReview/url),nextPageToken -------------------

_MASK_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*|[,()]")


def _merge(tree, path, subtree):
    """Add a path (a list of names) with what it selects below (None: everything)."""
    head, rest = path[0], path[1:]
    if rest:
        if head in tree and tree[head] is None:
            return  # already everything
        _merge(tree.setdefault(head, {}), rest, subtree)
    elif subtree is None or tree.get(head, {}) is None:
        tree[head] = None
    else:
        for name, below in subtree.items():
            _merge(tree.setdefault(head, {}), [name], below)


def parse_field_mask(mask):
    """A partial-response field mask, e.g. `claims(text,claimReview/url),nextPageToken`, as a
    tree {name: subtree, or None for everything below}; {} when there is no mask."""
    compact = re.sub(r"\s+", "", mask)
    tokens = _MASK_TOKEN.findall(compact)
    if "".join(tokens) != compact:
        raise InvalidArgument(f"Invalid field mask \"{mask}\".")
    position = 0

    def selection(depth):
        nonlocal position
        tree = {}
        while position < len(tokens):
            token = tokens[position]
            if token in ",()":
                raise InvalidArgument(f"Invalid field mask \"{mask}\".")
            position += 1
            below = None
            if position < len(tokens) and tokens[position] == "(":
                position += 1
                below = selection(depth + 1)
                if position >= len(tokens) or tokens[position] != ")":
                    raise InvalidArgument(f"Invalid field mask \"{mask}\".")
                position += 1
            _merge(tree, token.split("/"), below)
            if position < len(tokens) and tokens[position] == ",":
                position += 1
            elif position < len(tokens) and tokens[position] == ")" and depth:
                return tree
            elif position < len(tokens):
                raise InvalidArgument(f"Invalid field mask \"{mask}\".")
        if depth:
            raise InvalidArgument(f"Invalid field mask \"{mask}\".")
        return tree

    return selection(0) if tokens else {}


def _apply_mask(value, tree):
    if not tree:
        return value
    if isinstance(value, list):
        return [_apply_mask(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {k: _apply_mask(v, tree[k]) for k, v in value.items() if k in tree}
