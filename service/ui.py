"""Pages for people: the same named queries as the API, rendered server-side.

No JavaScript, no CDN: every page works with scripts disabled, and Jinja escapes all
stored and user text (search snippets are built escaped by service.search).
"""

from urllib.parse import urlencode

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from schemas.common import Cursor
from schemas.common import encode_cursor

from . import queries
from .errors import http_exception_for
from .exceptions import ClaimbaseError
from .query_syntax import QuerySyntaxError

blp = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
                static_url_path="/ui/static")
PAGE = 20
POSITION_TITLES = {"asserts": "Asserts", "denies": "Denies", "questions": "Questions"}


def _cursor(name="cursor"):
    """A page cursor from the query string (an invalid one starts from the beginning)."""
    raw = request.args.get(name)
    try:
        return Cursor().deserialize(raw) if raw else None
    except ValidationError:
        return None


def _next_url(page, name="cursor"):
    """This page's URL with the cursor that continues after `page`, or None at the end."""
    if page.next_after is None:
        return None
    query = request.args.to_dict()
    query[name] = encode_cursor(page.next_after)
    return f"{request.path}?{urlencode(query)}"


@blp.errorhandler(ClaimbaseError)
def own_error_page(error):
    """The project's own errors on pages, as their HTTP errors' pages."""
    return error_page(http_exception_for(error))


@blp.errorhandler(HTTPException)
def error_page(error):
    """Errors on pages are pages too (the API keeps problem+json); a merged speaker's old
    page redirects."""
    if error.code == 308:
        return redirect(error.location, 308)
    return render_template("error.html", error=error), error.code


@blp.get("/")
def home():
    """One search box, the contested claims first, and how much Claimbase holds."""
    contested = queries.claims_page(limit=PAGE, status=["contested"])
    return render_template("home.html", contested=contested, counts=queries.totals())


@blp.get("/ui/speakers/<slug>")
def speaker_page(slug):
    """A speaker: aliases, Wikidata, claims grouped by position, quotes."""
    speaker = queries.speaker_by_slug(slug)
    claims = queries.claims_page(limit=100, speaker=[speaker.slug], cursor=_cursor("claims"))
    groups = {position: [] for position in POSITION_TITLES}
    for claim in claims.items:
        for entry in claim.speaker_positions:
            groups[entry["position"]].append(claim)
    quotes = queries.quotes_page(limit=PAGE, speaker=[speaker.slug], cursor=_cursor())
    return render_template("speaker.html", speaker=speaker, groups=groups,
                           titles=POSITION_TITLES, quotes=quotes,
                           next_quotes=_next_url(quotes), next_claims=_next_url(claims, "claims"))


@blp.get("/ui/claims/<id:claim_id>")
def claim_page(claim_id):
    """A claim: its status, who asserts and who denies it side by side, its reviews."""
    claim = queries.claim_by_id(claim_id)
    return render_template("claim.html", claim=claim, titles=POSITION_TITLES)


@blp.get("/ui/quotes/<id:quote_id>")
def quote_page(quote_id):
    """A quote, highlighted inside the paragraph of its source text where it stands."""
    quote = queries.quote_by_id(quote_id)
    context = queries.quote_in_context(quote)
    return render_template("quote.html", quote=quote, context=context)


@blp.get("/ui/search")
def search_page():
    """Speakers, claims and quotes for a name or words; suggestions for unknown names."""
    q = request.args.get("q", "").strip()[:200].replace("\x00", "")
    try:
        results = queries.search_everything(q, limit=PAGE) if q else None
    except QuerySyntaxError as error:
        return render_template("search.html", q=q, results=None,
                               error=error.detail), 400
    return render_template("search.html", q=q, results=results)
