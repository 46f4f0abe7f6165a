"""Pages for people: the same named queries and schemas as the API, rendered server-side.

No JavaScript, no CDN: every page works with scripts disabled, and Jinja escapes all
stored and user text (search snippets are built escaped by service.search). Pages are in
English or French (service/i18n.py); the API's JSON is not.
"""

from urllib.parse import urlencode

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from schemas.claims import ClaimQueryArgsSchema
from schemas.common import Cursor
from schemas.common import encode_cursor
from schemas.matching import SimilarArgsSchema
from schemas.matching import SimilarBodySchema

from . import documents
from . import i18n
from . import matching
from . import queries
from .errors import flatten_errors
from .errors import http_exception_for
from .exceptions import ClaimbaseError
from .query_syntax import QuerySyntaxError

blp = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
                static_url_path="/ui/static")
PAGE = 20
SOURCE_QUOTES = 1000  # quotes highlighted in a source's text (all of them, in practice)
POSITION_TITLES = {"asserts": _l("Asserts"), "denies": _l("Denies"),
                   "questions": _l("Questions")}
STATUS_LABELS = {"contested": _l("contested"), "asserted": _l("asserted"),
                 "denied": _l("denied"), "questioned": _l("questioned"),
                 "unattributed": _l("unattributed")}
RATING_LABELS = {"true": _l("true"), "mostly-true": _l("mostly true"), "mixed": _l("mixed"),
                 "mostly-false": _l("mostly false"), "false": _l("false"),
                 "unproven": _l("unproven"), "other": _l("other"), "unrated": _l("unrated")}
# The search page's filters: those of GET /claims that the page offers, read by its schema.
FILTERS = ("q", "rating", "publisher", "lang", "status", "reviewed", "reviewed_since",
           "reviewed_until", "topic", "source", "country")
FACETS = ("rating", "publisher", "lang", "status", "year")
# Facets count the newest claims a search matches, at most this many: counting every match
# is linear in the matches (hundreds of ms at 1M quotes, bench/README.md).
FACET_SAMPLE = 1000
FILTER_SCHEMA = ClaimQueryArgsSchema(only=(*FILTERS, "cursor"))


@blp.record_once
def _labels(state):
    """Translated names of statuses, verdicts and positions, for every template and macro
    (globals: imported macros do not see a page's context)."""
    state.app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, RATING_LABELS=RATING_LABELS,
                                       titles=POSITION_TITLES)


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
    query = list(request.args.items(multi=True))
    query = [(k, v) for k, v in query if k != name] + [(name, encode_cursor(page.next_after))]
    return f"{request.path}?{urlencode(query)}"


def _problems(error):
    """A validation error's messages as "field: message" lines, for a page."""
    return [f"{field}: {' '.join(map(str, messages))}" if isinstance(messages, list)
            else f"{field}: {messages}"
            for field, messages in flatten_errors(error.messages).items()]


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


@blp.get("/ui/language/<any(en, fr):code>")
def set_language(code):
    """The language switch: remember the choice in a cookie and go back where it was made."""
    back = request.args.get("next", "")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("ui.home")  # only a path of this site: never an open redirect
    response = redirect(back, 303)
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_MAX_AGE, samesite="Lax",
                        httponly=True)
    return response


@blp.get("/ui/speakers/<slug>")
def speaker_page(slug):
    """A speaker: aliases, Wikidata, claims grouped by position, quotes; both lists page on."""
    speaker = queries.speaker_by_slug(slug, counts=False)
    speaker.counts = documents.speaker_counts(speaker)
    claims = queries.claims_page(limit=PAGE, speaker=[speaker.slug], cursor=_cursor("claims"))
    groups = {position: [] for position in POSITION_TITLES}
    for claim in claims.items:
        for entry in claim.speaker_positions:
            groups[entry["position"]].append(claim)
    quotes = queries.quotes_page(limit=PAGE, speaker=[speaker.slug], cursor=_cursor())
    return render_template("speaker.html", speaker=speaker, groups=groups, quotes=quotes,
                           next_quotes=_next_url(quotes), next_claims=_next_url(claims, "claims"),
                           exports=_exports([("speaker", speaker.slug)]))


@blp.get("/ui/claims/<id:claim_id>")
def claim_page(claim_id):
    """A claim: its status, who asserts and who denies it side by side, its reviews, where it
    appeared."""
    claim = queries.claim_by_id(claim_id)
    return render_template("claim.html", claim=claim)


@blp.get("/ui/quotes/<id:quote_id>")
def quote_page(quote_id):
    """A quote, highlighted inside the paragraph of its source text where it stands."""
    quote = queries.quote_by_id(quote_id)
    context = queries.quote_in_context(quote)
    return render_template("quote.html", quote=quote, context=context)


def highlighted(text, quotes):
    """The source text as (text, quotes) pieces: a piece that quotes cover carries the
    narrowest of them (quotes may overlap or nest; several quotes may share one span, e.g.
    the same words said by two speakers), the others carry []."""
    located = [q for q in quotes if q.start_offset is not None and q.end_offset <= len(text)]
    cuts = sorted({0, len(text), *(q.start_offset for q in located),
                   *(q.end_offset for q in located)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [q for q in located if q.start_offset <= start and q.end_offset >= end]
        narrowest = min((q.end_offset - q.start_offset for q in covering), default=None)
        best = sorted((q for q in covering if q.end_offset - q.start_offset == narrowest),
                      key=lambda q: q.id)
        if pieces and [q.id for q in pieces[-1][1]] == [q.id for q in best]:
            pieces[-1] = (pieces[-1][0] + text[start:end], best)
        else:
            pieces.append((text[start:end], best))
    return pieces


@blp.get("/ui/sources/<id:source_id>")
def source_page(source_id):
    """A source: its text with every quote highlighted and linked, its speakers, its quotes
    and the claims that cite it."""
    source = queries.source_by_id(source_id)
    pieces = None
    if source.text:
        located = queries.quotes_page(limit=SOURCE_QUOTES, source=source.id)
        pieces = highlighted(source.text, located.items)
    quotes = queries.quotes_page(limit=PAGE, source=source.id, cursor=_cursor())
    claims = queries.claims_page(limit=PAGE, source=source.id, cursor=_cursor("claims"))
    return render_template("source.html", source=source, pieces=pieces,
                           speakers=queries.source_speakers(source.id), quotes=quotes,
                           claims=claims, next_quotes=_next_url(quotes),
                           next_claims=_next_url(claims, "claims"),
                           exports=_exports([("source", source.id)]))


@blp.get("/ui/topics")
def topics_page():
    """Every topic (each topic's page counts its claims: counting them all here grew with
    the data)."""
    topics = queries.topics_page(limit=100, cursor=_cursor(), counts=False)
    return render_template("topics.html", topics=topics, next_topics=_next_url(topics))


@blp.get("/ui/topics/<slug>")
def topic_page(slug):
    """A topic: its claims with their verdicts, paging on."""
    topic = queries.topic_by_slug(slug)
    claims = queries.claims_page(limit=PAGE, topic=[topic.slug], cursor=_cursor())
    return render_template("topic.html", topic=topic, claims=claims, next_claims=_next_url(claims),
                           exports=_exports([("topic", topic.slug)]))


@blp.get("/ui/publishers")
def publishers_page():
    """Every fact-checker, with its number of reviews."""
    publishers = queries.publishers_page(limit=100, cursor=_cursor())
    return render_template("publishers.html", publishers=publishers,
                           next_publishers=_next_url(publishers))


@blp.get("/ui/publishers/<slug>")
def publisher_page(slug):
    """A fact-checker: who it is and the claims it reviewed, with their verdicts."""
    publisher = queries.publisher_by_slug(slug)
    claims = queries.claims_page(limit=PAGE, publisher=[publisher.slug], cursor=_cursor())
    return render_template("publisher.html", publisher=publisher, claims=claims,
                           next_claims=_next_url(claims),
                           exports=_exports([("publisher", publisher.slug)]))


def _search_args():
    """The search page's filters as GET /claims reads them (with its schema), and the raw
    (name, value) pairs given, for links. Raises ValidationError for a bad one."""
    raw = [(k, v) for k, v in request.args.items(multi=True) if k in FILTERS and v != ""]
    given = MultiDict(raw)
    if request.args.get("cursor"):
        given.add("cursor", request.args["cursor"])
    return FILTER_SCHEMA.load(MultiDictProxy(given, FILTER_SCHEMA)), raw


def _toggle(raw, key, value, single=False):
    """The search URL with `key=value` added, or removed when it is already there."""
    present = (key, value) in raw
    pairs = [(k, v) for k, v in raw if not (k == key and (single or v == value))]
    if not present:
        pairs.append((key, value))
    return _search_url(pairs)


def _search_url(pairs):
    return url_for("ui.search_page") + (f"?{urlencode(pairs)}" if pairs else "")


def _year_link(raw, year):
    """The search URL restricted to claims reviewed in `year` (or without it, if it is)."""
    since, until = f"{year}-01-01", f"{year}-12-31"
    chosen = ("reviewed_since", since) in raw and ("reviewed_until", until) in raw
    pairs = [(k, v) for k, v in raw if k not in ("reviewed_since", "reviewed_until")]
    if not chosen:
        pairs += [("reviewed_since", since), ("reviewed_until", until)]
    return _search_url(pairs), chosen


def _facet_links(raw, facets):
    """{facet: [(value, count, url, chosen)]}: links that add or remove one value."""
    links = {}
    for name, counts in facets.items():
        entries = []
        for value, count in counts.items():
            if name == "year":
                url, chosen = _year_link(raw, value)
            elif name == "lang" and value == "und":  # no language: nothing to filter by
                url, chosen = None, False
            else:
                chosen = (name, value) in raw
                url = _toggle(raw, name, value, single=(name == "lang"))
            entries.append((value, count, url, chosen))
        links[name] = entries
    return links


def _exports(pairs):
    """"Export this view" links: the same filters (name, value) on the CSV, NDJSON and
    JSON-LD exports of claims."""
    query = f"?{urlencode(pairs)}" if pairs else ""
    return {"CSV": url_for("exports.ClaimsExport", fmt="csv") + query,
            "NDJSON": url_for("exports.ClaimsExport", fmt="ndjson") + query,
            "JSON-LD": url_for("claimreview.ClaimsClaimReviews") + query}


@blp.get("/ui/search")
def search_page():
    """Speakers, claims and quotes for a name or words, or claims by filters; facets with
    counts to narrow the claims; claims page on."""
    try:
        args, raw = _search_args()
    except ValidationError as error:
        return render_template("search.html", q=request.args.get("q", ""), results=None,
                               problems=_problems(error)), 400
    q = args.get("q", "")
    if not raw:
        return render_template("search.html", q="", results=None)
    try:
        results = _search_results(args, q)
    except QuerySyntaxError as error:
        return render_template("search.html", q=q, results=None,
                               problems=[error.detail]), 400
    facets = results["claims"].meta["facets"]
    return render_template(
        "search.html", q=q, results=results, filters=raw, facets=_facet_links(raw, facets),
        facet_sample=FACET_SAMPLE if results["claims"].meta.get("facet_sampled") else None,
        chips=[(key, value, _toggle(raw, key, value)) for key, value in raw],
        publisher_names=queries.publisher_names(facets["publisher"]),
        next_claims=_next_url(results["claims"]), exports=_exports(raw))


def _search_results(args, q):
    """Claims (with facets) for the filters; on a first page with words, speakers and
    quotes too."""
    claims = queries.claims_page(limit=PAGE, facets=list(FACETS), facet_sample=FACET_SAMPLE,
                                 **args)
    speakers = suggestions = quotes = None
    if q and not args.get("cursor"):
        speakers, suggestions = queries.search_speakers(q, PAGE)
        quotes = queries.quotes_page(PAGE, q=q).items
    return {"claims": claims, "speakers": speakers, "suggestions": suggestions,
            "quotes": quotes}


@blp.route("/ui/check", methods=["GET", "POST"])
def check_page():
    """Check a claim: paste a text, see the claims like it with their verdicts (the matching
    of GET/POST /claims/similar). A form that works without JavaScript."""
    values = request.form if request.method == "POST" else request.args
    if not values.get("text"):
        return render_template("check.html", text="", lang="", result=None)
    schema = SimilarBodySchema() if request.method == "POST" else SimilarArgsSchema()
    fields = {k: v for k, v in values.items() if k in ("text", "lang") and v != ""}
    try:
        args = schema.load(fields)
    except ValidationError as error:
        return render_template("check.html", text=values.get("text", ""),
                               lang=values.get("lang", ""), result=None,
                               problems=_problems(error)), 400
    result = matching.claims_like(**args)
    return render_template("check.html", text=args["text"], lang=args.get("lang", ""),
                           result=result)
