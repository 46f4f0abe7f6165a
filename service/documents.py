"""The read model: each claim, quote and speaker kept as its rendered JSON document.

A document is what GET answers for that resource, produced by its marshmallow schema (the one
source of truth) and stored as text in `document` (migration 0013). Database triggers clear a
document's body, in the writer's transaction, whenever anything it shows changes, and count
the change in its `version`; a reader that finds no body renders one through the schema and
stores it (read-through). So every writer is covered without knowing documents exist, and an
import renders nothing.

The hot reads are one indexed statement for the page and its stored bodies, then string
concatenation: no marshmallow, no JSON parsing, no Peewee SQL building. Their statements are
written once per shape (STATEMENTS) and kept compiled by the drivers (sqlite3's statement
cache; psycopg prepares a statement it has run a few times on a connection).

A resource's ETag names its row's version and, once something it shows changed without the
row's version moving (a speaker renamed, a review added), the document's version too.
"""

import json
from functools import lru_cache

from peewee import EXCLUDED

from schemas.claims import ClaimSchema
from schemas.claims import SpeakerPositionSchema
from schemas.quotes import QuoteSchema
from schemas.speakers import SpeakerSchema

from . import queries
from .db import database
from .db import is_sqlite
from .models import MAX_ID
from .models import Claim
from .models import Document
from .models import Quote
from .models import Speaker
from .pagination import Page
from .pagination import cursor_key

KINDS = {Claim: "claim", Quote: "quote", Speaker: "speaker"}


def to_json(data):
    """A dumped document as the API writes it (Flask's JSON: compact, not ASCII-escaped, keys
    in schema order)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- rendering (the schemas) ----------------------------------------------------------------

def render_claims(ids):
    """{id: (row version, JSON)} of the claims that exist among `ids`."""
    claims = list(Claim.select().where(Claim.id.in_(ids)))
    queries.attach_claim_details(claims)
    schema = ClaimSchema()
    return {c.id: (c.version, to_json(schema.dump(c))) for c in claims}


def render_quotes(ids):
    """{id: (row version, JSON)} of the quotes that exist among `ids`."""
    schema = QuoteSchema()
    return {q.id: (q.version, to_json(schema.dump(q))) for q in queries.quotes_by_ids(ids)}


def render_speakers(ids):
    """{id: (row version, JSON)} of the speakers that exist among `ids`."""
    speakers = queries.attach_aliases(list(Speaker.select().where(Speaker.id.in_(ids))))
    counts = queries.speaker_counts(ids)
    schema = SpeakerSchema()
    rendered = {}
    for speaker in speakers:
        speaker.counts = counts[speaker.id]
        rendered[speaker.id] = (speaker.version, to_json(schema.dump(speaker)))
    return rendered


RENDER = {"claim": render_claims, "quote": render_quotes, "speaker": render_speakers}


# --- storing --------------------------------------------------------------------------------

def _tracked(kind, ids):
    """Make sure each id has a document row (version 0 when new), so that every later write
    counts against it; {id: document version}."""
    Document.insert_many([(kind, i) for i in ids],
                         fields=[Document.kind, Document.id]).on_conflict_ignore().execute()
    found = Document.select(Document.id, Document.version).where(
        (Document.kind == kind) & Document.id.in_(ids))
    return dict(found.tuples())


def fill(kind, ids):
    """Render these documents and store their bodies; {id: (row version, document version,
    JSON)} of those that exist. Four statements or so, however many documents.

    The document's version is read before rendering, and the body is stored only if the
    version is still that one: a write that commits meanwhile leaves the body empty for the
    next reader rather than storing what it replaced."""
    versions = _tracked(kind, ids)
    rendered = RENDER[kind](ids)
    if rendered:
        rows = [(kind, i, versions[i], body) for i, (_, body) in rendered.items()]
        (Document.insert_many(rows, fields=[Document.kind, Document.id, Document.version,
                                            Document.body])
         .on_conflict(conflict_target=[Document.kind, Document.id],
                      update={Document.body: EXCLUDED.body},
                      where=((Document.version == EXCLUDED.version)
                             & Document.body.is_null()))
         .execute())
    return {i: (row_version, versions[i], body) for i, (row_version, body) in rendered.items()}


def track(row):
    """Give a claim, quote or speaker its `document_version` (for its ETag)."""
    kind = KINDS.get(type(row))
    if kind is not None:
        row.document_version = _tracked(kind, [row.id])[row.id]
    return row


# --- compiled statements --------------------------------------------------------------------

def _in(count):
    return ", ".join("?" * count)


STATEMENTS = {
    "claim": lambda: (
        "SELECT c.id, c.version, d.version, d.body FROM claim AS c LEFT JOIN document AS d "
        "ON d.kind = 'claim' AND d.id = c.id WHERE c.id = ?"),
    "quote": lambda: (
        "SELECT q.id, q.version, d.version, d.body FROM quote AS q LEFT JOIN document AS d "
        "ON d.kind = 'quote' AND d.id = q.id WHERE q.id = ?"),
    "speaker": lambda: (
        "SELECT s.id, s.version, d.version, d.body FROM speaker AS s LEFT JOIN document AS d "
        "ON d.kind = 'speaker' AND d.id = s.id WHERE s.slug = ?"),
    # The stored bodies of a page of claims by id (a search page: ranked as ids first, so the
    # window's sort carries no bodies).
    "claims_by_ids": lambda count: (
        "SELECT c.id, c.version, d.version, d.body FROM claim AS c LEFT JOIN document AS d "
        f"ON d.kind = 'claim' AND d.id = c.id WHERE c.id IN ({_in(count)}) ORDER BY c.id"),
    # The claims the speakers took positions on, through the stance (speaker_id, claim_id)
    # index, each with the matched speakers' stances on it (one row per stance, with its id
    # for sorting them: unsorted, no temporary B-tree): the page and its speaker_positions
    # in one statement, so one round trip on PostgreSQL. A claim repeats its body only when
    # several matched stances are on it.
    "claims_of_speakers": lambda speakers, after: (
        "SELECT p.claim_id, c.version, d.version, d.body, s.speaker_id, s.position, s.id "
        f"FROM (SELECT DISTINCT claim_id FROM stance WHERE speaker_id IN ({_in(speakers)})"
        f"{' AND claim_id > ?' if after else ''} ORDER BY claim_id LIMIT ?) AS p "
        "JOIN claim AS c ON c.id = p.claim_id LEFT JOIN document AS d "
        "ON d.kind = 'claim' AND d.id = p.claim_id JOIN stance AS s "
        f"ON s.claim_id = p.claim_id AND s.speaker_id IN ({_in(speakers)})"),
    "quotes_of_speakers": lambda speakers, after: (
        "SELECT q.id, q.version, d.version, d.body FROM quote AS q LEFT JOIN document AS d "
        f"ON d.kind = 'quote' AND d.id = q.id WHERE q.speaker_id IN ({_in(speakers)})"
        f"{' AND q.id > ?' if after else ''} ORDER BY q.id LIMIT ?"),
}


# review_facets (service/queries.py) of a speaker page, in one statement per shape: the
# claims the speakers took a position on, or the quotes they said, counted per rating and per
# publisher (its slug) of those claims' reviews. The general path counts the same
# (tests/test_documents.py compares the two answers byte for byte).
# The (counted id, rating, publisher) of the speakers' reviewed claims or quotes are read
# once, through the stance (speaker, claim) and quote speaker indexes, and each facet counts
# them. The speaker ids are scalar subqueries, `(SELECT ? LIMIT 1)`, which PostgreSQL's
# planner neither folds into constants nor looks into (a plain `(SELECT ?)` it folds): every
# speaker then costs it the same, so a prepared statement gets its generic plan after five
# runs and is not planned again. With plain parameters, a speaker with fewer quotes than the
# average made each custom plan look cheaper than the generic one, and the statement was
# planned on every request (1-3 ms at 1M quotes, for 0.1-0.5 ms of execution).
SPEAKER_FACET_HITS = {
    "claim": (
        "SELECT DISTINCT r.claim_id AS counted, r.rating, r.publisher_id FROM review AS r "
        "WHERE r.claim_id IN (SELECT claim_id FROM stance WHERE speaker_id IN ({ids}))"),
    "quote": (
        "SELECT DISTINCT s.quote_id AS counted, r.rating, r.publisher_id FROM review AS r "
        "JOIN stance AS s ON s.claim_id = r.claim_id "
        "WHERE s.quote_id IN (SELECT id FROM quote WHERE speaker_id IN ({ids}))"),
}
SPEAKER_FACET_COUNTS = {
    "rating": "SELECT 'rating', h.rating, COUNT(DISTINCT h.counted) FROM hits AS h "
              "GROUP BY h.rating",
    "publisher": "SELECT 'publisher', p.slug, COUNT(DISTINCT h.counted) FROM hits AS h "
                 "LEFT JOIN publisher AS p ON p.id = h.publisher_id "
                 "GROUP BY h.publisher_id, p.slug",
}
STATEMENTS["speaker_facets"] = lambda kind, names, speakers: (
    "WITH hits AS MATERIALIZED ("
    + SPEAKER_FACET_HITS[kind].format(ids=", ".join(["(SELECT ? LIMIT 1)"] * speakers)) + ") "
    + " UNION ALL ".join(SPEAKER_FACET_COUNTS[name] for name in names))


@lru_cache(maxsize=256)
def statement(name, sqlite, *shape):
    """The SQL of a named statement for one shape, in the backend's parameter style."""
    sql = STATEMENTS[name](*shape)
    return sql if sqlite else sql.replace("?", "%s")


def run(name, params, *shape):
    """Rows of a named statement."""
    return database.execute_sql(statement(name, is_sqlite(), *shape), params).fetchall()


def _with_bodies(kind, rows):
    """[(id, row version, document version, JSON)], rendering and storing missing bodies."""
    missing = [row[0] for row in rows if row[3] is None]
    filled = fill(kind, missing) if missing else {}
    out = []
    for row in rows:
        if row[3] is not None:
            out.append(row)
        elif row[0] in filled:  # (a row deleted since the page was read is left out)
            out.append((row[0], *filled[row[0]]))
    return out


# --- the hot reads --------------------------------------------------------------------------

class StoredDocument:
    """One stored document: its JSON and the versions its ETag names."""

    __slots__ = ("id", "version", "document_version", "body")

    def __init__(self, id, version, document_version, body):  # noqa: A002 (a row's id)
        self.id, self.version, self.document_version, self.body = (
            id, version, document_version or 0, body)


def by_id(kind, row_id):
    """The stored document of a claim or quote, or None when there is no such row."""
    if not 0 < row_id <= MAX_ID:
        return None
    rows = _with_bodies(kind, run(kind, (row_id,)))
    return StoredDocument(*rows[0]) if rows else None


def claim(claim_id):
    """The stored claim document, or None when there is no such claim."""
    return by_id("claim", claim_id)


def quote(quote_id):
    """The stored quote document, or None when there is no such quote."""
    return by_id("quote", quote_id)


def speaker(slug):
    """The stored speaker document by slug, or None (no such slug: the caller answers 404 or
    the merged speaker's redirect)."""
    if "\x00" in slug:
        return None
    rows = _with_bodies("speaker", run("speaker", (slug,)))
    return StoredDocument(*rows[0]) if rows else None


def speaker_counts(row):
    """{quotes, relayed, stances} of a speaker, as its stored document holds them (rendered
    and stored when missing): the triggers keep them current, where counting walked every
    quote and stance of a heavy speaker (45 ms at 1M quotes on PostgreSQL)."""
    stored = speaker(row.slug)
    if stored is None:  # deleted since it was read
        return queries.speaker_counts([row.id])[row.id]
    return json.loads(stored.body)["counts"]


POSITION_SCHEMA = SpeakerPositionSchema()
SPEAKER_PAGE_ARGS = frozenset({"limit", "cursor", "speaker", "exact", "facets"})
SEARCH_PAGE_ARGS = frozenset({"limit", "cursor", "q", "exact"})  # words alone
PAGE_STATEMENTS = {"claim": "claims_of_speakers", "quote": "quotes_of_speakers"}


def _stored_page(kind, args):
    """(meta, rows with bodies, next_after, stances) of a speaker page of claims or quotes,
    or None: for any other arguments than `speaker=` with paging (and `facets=`), and when
    no speaker matched (the general path answers those, with its suggestions). With
    `facets=`, meta.facets counts what the speakers' page lists, as the general path counts
    it (_speaker_facets). `stances`: {claim id: [(speaker id, position)]} of the matched
    speakers on a page of claims, read by the page's statement ({} for quotes)."""
    if not (args.get("speaker") and SPEAKER_PAGE_ARGS.issuperset(args)):
        return None
    meta = {}
    speaker_ids = queries.speaker_filter(args["speaker"], meta, exact=args.get("exact", False))
    if not speaker_ids:
        return None
    if args.get("facets"):
        meta["facets"] = _speaker_facets(kind, tuple(args["facets"]), speaker_ids)
    limit, after = args["limit"], cursor_key(args.get("cursor"))
    params = (*speaker_ids, *([after] if after is not None else []), limit + 1,
              *(speaker_ids if kind == "claim" else ()))
    rows = run(PAGE_STATEMENTS[kind], params, len(speaker_ids), after is not None)
    stances = {}
    if kind == "claim":
        rows, stances = _claims_and_stances(rows)
    next_after = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_after = rows[-1][0]
    return meta, _with_bodies(kind, rows), next_after, stances


def _claims_and_stances(rows):
    """The claims_of_speakers rows (one per stance) as each claim's row (id, row version,
    document version, body) once, in claim order, and {claim id: [(speaker id, position)]}
    in stance order."""
    claims, stances = [], {}
    rows = sorted(rows, key=lambda row: (row[0], row[6]))
    for claim_id, version, document_version, body, speaker_id, position, _ in rows:
        if claim_id not in stances:
            claims.append((claim_id, version, document_version, body))
            stances[claim_id] = []
        stances[claim_id].append((speaker_id, position))
    return claims, stances


def _speaker_facets(kind, names, speaker_ids):
    """meta.facets of a speaker page: one compiled statement (SPEAKER_FACET_HITS) through the
    stance (speaker, claim) and quote speaker indexes, publishers' slugs joined in."""
    found = {name: [] for name in names}
    for name, value, count in run("speaker_facets", tuple(speaker_ids), kind, names,
                                  len(speaker_ids)):
        found[name].append((value, count))
    return {name: queries.facet_values(counts) for name, counts in found.items()}


def _search_page(args):
    """GET /claims?q=… (words alone) from stored documents: the page queries.page_of ranks
    (the same window, order and cursor) as ids, then the stored bodies of the page's claims
    by id (`claims_by_ids`), each body given its snippet, where the schema puts it (after
    `appearances`; a search page has no `speaker_positions`). No details read and no schema
    dumped per claim. The bodies are read for the page only: joined into the ranked
    statement, every row of the window (up to search.RANK_WINDOW) carried its body into
    the sort that kept 51 of them (1.1 of the 2.2 ms of that statement at 10k quotes)."""
    page = queries.page_of(Claim.select(Claim.id), Claim, args["limit"], args.get("cursor"),
                           args["q"])
    snippets = {row.id: row.snippet for row in page.items}
    ids = list(snippets)
    stored = {row[0]: row for row in run("claims_by_ids", ids, len(ids))} if ids else {}
    rows = _with_bodies("claim", [stored[i] for i in ids if i in stored])
    items = [f'{body[:-1]},"snippet":{to_json(snippets[i])}}}' for i, _, _, body in rows]
    return Page(items=items, limit=args["limit"], next_after=page.next_after)


def claims_page(**args):
    """GET /claims from stored documents: a Page whose items are JSON texts, or None for a
    search (`q=`) with other arguments than paging, and for `speaker=` with other filters
    than paging and facets (queries.claims_page answers those)."""
    if args.get("q"):
        return _search_page(args) if SEARCH_PAGE_ARGS.issuperset(args) else None
    if not args.get("speaker"):
        return _filtered_claims(args)
    found = _stored_page("claim", args)
    if found is None:
        return None
    meta, rows, next_after, stances = found
    positions = _positions(stances, meta)
    items = [f'{body[:-1]},"speaker_positions":[{",".join(positions.get(i, ()))}]}}'
             for i, _, _, body in rows]
    return Page(items=items, limit=args["limit"], next_after=next_after, meta=meta)


def _filtered_claims(args):
    """A page of claims by any filters but `speaker=` and `q=`: its ids, cursor and meta
    (facets) from queries.claims_page without the details, which the stored documents
    hold. Rendering the claims through the schemas was most of such a page's time."""
    page = queries.claims_page(**args, details=False)
    rows = _with_bodies("claim", [(row.id, row.version, *_document_columns(row))
                                  for row in page.items])
    return Page(items=[body for _, _, _, body in rows], limit=page.limit,
                next_after=page.next_after, meta=page.meta)


def _document_columns(row):
    """(document version, body) of a row read with its LEFT JOINed document (None, None
    when it has none yet)."""
    document = getattr(row, "document", None)
    return (document.version, document.body) if document is not None else (None, None)


def _positions(stances, meta):
    """{claim id: [JSON of each matched speaker's position]}, in stance order, each distinct
    (speaker, position) dumped once by the schema."""
    speakers = {entry["speaker"].id: entry["speaker"] for entry in meta["speakers"]}
    schema, dumped = POSITION_SCHEMA, {}
    for pairs in stances.values():
        for speaker_id, position in pairs:
            if (speaker_id, position) not in dumped:
                dumped[speaker_id, position] = to_json(schema.dump(
                    {"speaker": speakers[speaker_id], "position": position}))
    return {claim_id: [dumped[pair] for pair in pairs] for claim_id, pairs in stances.items()}


def quotes_page(**args):
    """GET /quotes?speaker=… from stored documents, or None for any other query."""
    found = _stored_page("quote", args)
    if found is None:
        return None
    meta, rows, next_after, _ = found
    return Page(items=[body for _, _, _, body in rows], limit=args["limit"],
                next_after=next_after, meta=meta)


# --- for tests and checks -----------------------------------------------------------------

def stored(kind):
    """{id: (document version, JSON)} of every stored body of a kind."""
    rows = Document.select(Document.id, Document.version, Document.body).where(
        (Document.kind == kind) & Document.body.is_null(False))
    return {i: (version, body) for i, version, body in rows.tuples()}

