"""Named queries: what the API reads, without HTTP. Each returns models or a Page.

A page of claims or quotes costs a constant number of statements, whatever its size:
the page itself, then one batched statement per kind of embedded data.
"""

from collections import defaultdict
from types import SimpleNamespace

from peewee import JOIN
from peewee import SQL
from peewee import Case
from peewee import fn

from . import identity
from . import search
from .db import is_sqlite
from .exceptions import MergedSlug
from .exceptions import NotFoundError
from .models import MAX_ID
from .models import POSITIONS
from .models import Alias
from .models import Appearance
from .models import Change
from .models import Claim
from .models import ClaimTopic
from .models import Document
from .models import FacetPair
from .models import Publisher
from .models import PublisherAlias
from .models import Quote
from .models import Review
from .models import Source
from .models import Speaker
from .models import Stance
from .models import Topic
from .models import _quote_position
from .models import _quote_selector
from .pagination import Page
from .pagination import empty_page
from .pagination import keyset_ids
from .pagination import keyset_page
from .pagination import rank_cursor_key
from .pagination import ranked_page
from .publishers import find_publishers

MAX_SUGGESTIONS = 3
SOURCE_REF_FIELDS = (
    Source.id, Source.slug, Source.kind, Source.title, Source.publisher, Source.url,
    Source.lang, Source.published_on,
)


# --- speaker resolution (the ladder itself is service/identity.py) -------------------------

def _meta_entry(match, value):
    return {"query": value, "speaker": match.speaker, "matched_by": match.matched_by,
            "matched_name": match.matched_name, "lang": match.lang,
            "confidence": match.confidence, "ambiguous": match.ambiguous}


def resolve_speaker(value, exact=False):
    """Every speaker a `speaker=` value names (one rung of the ladder), each with how it
    matched, how sure that is, and whether the value is ambiguous."""
    return [_meta_entry(m, value) for m in identity.resolve(value, exact).matches]


def suggest_speakers(value, limit=MAX_SUGGESTIONS):
    """Up to `limit` speakers whose names are close to the value (typos, truncations), from
    the trigram index, the most quoted first among equals."""
    return identity.suggest(value)[:limit]


def resolve_speakers(values, exact=False):
    """(speaker ids, meta.speakers, meta.unmatched) for repeated `speaker=` values."""
    matched, unmatched, ids = [], [], []
    for value in values:
        resolution = identity.resolve(value, exact)
        if not resolution.matches:
            unmatched.append({"query": value, "suggestions": resolution.suggestions})
        for match in resolution.matches:
            matched.append(_meta_entry(match, value))
            if match.speaker.id not in ids:
                ids.append(match.speaker.id)
    return ids, matched, unmatched


def speaker_filter(values, meta, meta_key="speakers", exact=False):
    """Resolve names for a filter; record them in meta. None when no value was given."""
    if not values:
        return None
    ids, matched, unmatched = resolve_speakers(values, exact)
    meta.setdefault(meta_key, []).extend(matched)
    meta.setdefault("unmatched", []).extend(unmatched)
    return ids


# --- full-text search -----------------------------------------------------------------------

OLDER_MATCHES = 1e9  # a cursor's score past the ranked window (relevance scores are ≤ 0)


def page_of(query, model, limit, cursor=None, q=None, lang=None, every_match=None):
    """A page of `query` (rows of `model`): by id, or with `q` by relevance among the newest
    search.RANK_WINDOW matches, then the older matches newest first (docs/search.md), each
    row then carrying a highlighted `snippet`. A search scores at most the window's rows, so
    its cost does not grow with the number of matches. One statement for the ranked page
    (the window read from the index, newest first, and ranked, each row saying where the
    window starts), one for the snippets of the page. `every_match`: the ids of every row
    of `query` that matches `q`, newest first, when the caller has them already (the search
    page's facet sample, when it holds them all): the older matches are taken from it."""
    if not q:
        return keyset_page(query, model.id, limit, cursor)
    after = rank_cursor_key(cursor)
    if after is None or after[0] != OLDER_MATCHES:
        found = search.window(model, q, lang).alias("hits")
        ranked = query.switch(model).join(found, on=(found.c.id == model.id)).select_extend(
            found.c.score.alias("score"), found.c.size.alias("size"),
            found.c.start.alias("start"))
        page = ranked_page(ranked, found.c.score, model.id, limit, cursor,
                           score_of=lambda row: row.hits["score"])
        if page.next_after is not None:
            before = None
        elif page.items:  # the window's own size and start, read with its rows
            hits = page.items[0].hits
            before = hits["start"] if hits["size"] >= search.RANK_WINDOW else None
        else:
            before = search.window_start(model, q, lang)
    else:
        page, before = Page(items=[], limit=limit), after[1]
    if page.next_after is None and before is not None:
        _add_older_matches(page, query, model, q, lang, before, every_match)
    snippets = search.snippets(model, q, [row.id for row in page.items], lang)
    for row in page.items:
        row.snippet = snippets.get(row.id)
    return page


def _add_older_matches(page, query, model, q, lang, before, every_match=None):
    """Fill a page with the matches older than the ranked window (ids below `before`),
    newest first, from the id order of the index (or of `every_match`, the ids of all the
    matches when known: no second read of the index with the filters, 6 ms on SQLite and
    18 ms on PostgreSQL for a word and two filters at 1M quotes): nothing is scored."""
    wanted = page.limit - len(page.items)
    if every_match is not None:
        ids = [i for i in every_match if i < before][:wanted + 1]
        older = list(query.where(model.id.in_(ids)).order_by(model.id.desc())) if ids else []
    else:
        older = list(query.where(model.id.in_(search.matching_ids(model, q, lang,
                                                                  before=before)))
                     .order_by(model.id.desc()).limit(wanted + 1))
    page.items += older[:wanted]
    if len(older) > wanted:
        page.next_after = [OLDER_MATCHES, older[wanted - 1].id if wanted else before]


# --- speakers -----------------------------------------------------------------------------

def attach_aliases(speakers):
    """Give each speaker its `alias_list` in one statement."""
    by_speaker = defaultdict(list)
    if speakers:
        aliases = Alias.select().where(Alias.speaker.in_([s.id for s in speakers]))
        for alias in aliases.order_by(Alias.lang, Alias.name):
            by_speaker[alias.speaker_id].append(alias)
    for speaker in speakers:
        speaker.alias_list = by_speaker[speaker.id]
    return speakers


def speakers_page(limit, cursor=None, q=None, kind=None, country=None, resolution=None):
    """Speakers in slug order, filtered by name (identity.speakers_for_fragment, given the
    name's `resolution` when known), kind and country."""
    query = Speaker.select()
    if q:
        ids = identity.speakers_for_fragment(q, resolution)
        if not ids:
            return empty_page(limit)
        query = query.where(Speaker.id.in_(ids))
    if kind:
        query = query.where(Speaker.kind == kind)
    if country:
        query = query.where(Speaker.country == country)
    page = keyset_page(query, Speaker.slug, limit, cursor, key_type=str)
    attach_aliases(page.items)
    return page


def speaker_by_slug(slug, counts=True):
    """One speaker with aliases and counts (unless `counts` is false: counting reads every
    quote and stance of a heavy speaker); a 308 for a merged speaker's old slug; or a
    404."""
    speaker = Speaker.get_or_none(Speaker.slug == slug) if "\x00" not in slug else None
    if speaker is None:
        moved = identity.merged_into(slug)
        if moved is not None:
            raise MergedSlug(slug, moved.slug)
        raise NotFoundError("speaker with slug", slug)
    attach_aliases([speaker])
    if counts:
        speaker.counts = speaker_counts([speaker.id])[speaker.id]
    return speaker


def speaker_counts(ids):
    """{speaker id: its counts of quotes said, quotes relayed and stances}: three statements."""
    counted = {}
    for name, column in (("quotes", Quote.speaker), ("relayed", Quote.via),
                         ("stances", Stance.speaker)):
        counted[name] = dict(column.model.select(column, fn.COUNT(SQL("*")))
                             .where(column.in_(ids)).group_by(column).tuples())
    return {i: {name: counted[name].get(i, 0) for name in counted} for i in ids}


# --- sources ------------------------------------------------------------------------------

def sources_page(limit, cursor=None, kind=None, lang=None, q=None, with_text=False):
    """Sources in id order (by relevance with `q`), without their (possibly long) text
    unless asked (exports)."""
    query = Source.select(*SOURCE_REF_FIELDS, *([Source.text] if with_text else []))
    if kind:
        query = query.where(Source.kind == kind)
    if lang:
        query = query.where(Source.lang == lang)
    return page_of(query, Source, limit, cursor, q, lang)


def source_by_id(source_id):
    """One source with its full text and counts, or a 404."""
    source = Source.get_or_none(Source.id == source_id) if source_id <= MAX_ID else None
    if source is None:
        raise NotFoundError("source with id", source_id)
    source.counts = {
        "quotes": Quote.select().where(Quote.source == source).count(),
        "stances": Stance.select().where(Stance.source == source).count(),
    }
    return source


# --- quotes -------------------------------------------------------------------------------

def _quotes_with_refs():
    """Quotes joined with their speaker, relay and source reference, in one statement."""
    via = Speaker.alias("via")
    return (
        Quote.select(Quote, Speaker, via, *SOURCE_REF_FIELDS)
        .join(Speaker, on=Quote.speaker == Speaker.id)
        .switch(Quote)
        .join(via, JOIN.LEFT_OUTER, on=Quote.via == via.id, attr="via")
        .switch(Quote)
        .join(Source, on=Quote.source == Source.id)
    )


def quotes_page(limit, cursor=None, speaker=None, via=None, source=None, claim=None,
                lang=None, kind=None, since=None, until=None, q=None, exact=False,
                facets=None):
    """Quotes in id order (by relevance with `q`) with every filter of GET /quotes; meta says
    who `speaker=` matched and, with `facets`, how many quotes back claims of each rating /
    publisher."""
    meta = {}
    speaker_ids = speaker_filter(speaker, meta, exact=exact)
    via_ids = speaker_filter(via, meta, meta_key="via", exact=exact)
    if speaker_ids == [] or via_ids == []:
        return empty_page(limit, **meta)
    query = Quote.select() if q else _quotes_with_refs()  # a search's page: refs after
    if speaker_ids:
        query = query.where(Quote.speaker.in_(speaker_ids))
    if via_ids:
        query = query.where(Quote.via.in_(via_ids))
    if source:
        query = query.where(Quote.source == source)
    if claim:
        query = query.where(Quote.id.in_(Stance.select(Stance.quote).where(Stance.claim == claim)))
    if lang:
        query = query.where(Quote.lang == lang)
    if kind:
        query = query.where(Quote.kind == kind)
    if since:
        query = query.where(Quote.said_on >= since)
    if until:
        query = query.where(Quote.said_on <= until)
    if facets:
        ids = query.select(Quote.id)
        if q:
            ids = ids.where(Quote.id.in_(search.matching_ids(Quote, q, lang)))
        meta["facets"] = review_facets(facets, quote_ids=ids)
    page = page_of(query, Quote, limit, cursor, q, lang)
    if q:
        page.items = _with_refs(page.items)
    page.meta = meta
    return page


def _with_refs(quotes):
    """These quotes again, in order, with their speaker, relay and source (one statement),
    keeping their snippets. A search ranks the window of its newest 1,000 matches: joined to
    the references before ranking, each of the 1,000 was joined (3,000 lookups), where the
    page needs its own rows'."""
    found = {quote.id: quote for quote in quotes_by_ids([quote.id for quote in quotes])}
    for quote in quotes:
        if quote.id in found:
            found[quote.id].snippet = getattr(quote, "snippet", None)
    return [found[quote.id] for quote in quotes if quote.id in found]


def quotes_by_ids(ids):
    """The quotes of these ids, with speaker, relay and source, in one statement."""
    return list(_quotes_with_refs().where(Quote.id.in_(ids)))


def quote_by_id(quote_id):
    """One quote with speaker, relay, source and selector, or a 404."""
    quote = None
    if quote_id <= MAX_ID:
        quote = _quotes_with_refs().where(Quote.id == quote_id).first()
    if quote is None:
        raise NotFoundError("quote with id", quote_id)
    return quote


# --- claims -------------------------------------------------------------------------------

class Row(SimpleNamespace):
    """A row read as tuples, with its model's attributes (and related rows as attributes)."""


def _columns(model, alias=None):
    table = alias or model
    return [getattr(table, f.name) for f in model._meta.sorted_fields]


def _row(model, values):
    """A Row of `model` from its columns' values (None when the joined row is missing)."""
    names = [f.object_id_name if hasattr(f, "object_id_name") else f.name
             for f in model._meta.sorted_fields]
    return None if values[0] is None else Row(**dict(zip(names, values, strict=True)))


def _stances_with_refs(claim_ids):
    """The stances of these claims, with speaker, quote (and its relay) and source, as Rows.

    Read as tuples: building five peewee models per row (stance, speaker, quote, relay,
    source) was half the time of a page of claims."""
    via = Speaker.alias("via")
    tables = [(Stance, None), (Speaker, None), (Quote, None), (Speaker, via), (Source, None)]
    widths = [len(m._meta.sorted_fields) for m, _ in tables]
    query = (
        Stance.select(*[c for m, a in tables for c in _columns(m, a)])
        .join(Speaker, on=Stance.speaker == Speaker.id)
        .switch(Stance)
        .join(Quote, JOIN.LEFT_OUTER, on=Stance.quote == Quote.id)
        .join(via, JOIN.LEFT_OUTER, on=Quote.via == via.id)
        .switch(Stance)
        .join(Source, JOIN.LEFT_OUTER, on=Stance.source == Source.id)
        .where(Stance.claim.in_(claim_ids))
        .order_by(Stance.id)
        .tuples()
    )
    for values in query:
        parts, start = [], 0
        for (model, _), width in zip(tables, widths, strict=True):
            parts.append(_row(model, values[start:start + width]))
            start += width
        stance, speaker, quote, relay, source = parts
        stance.speaker, stance.quote, stance.source = speaker, quote, source
        if quote is not None:
            quote.via = relay
            quote.selector = _quote_selector(quote)
            quote.text_position = _quote_position(quote)
        yield stance


def attach_claim_details(claims, speaker_ids=None):
    """Give each claim its stance groups, topics, reviews (and matched speakers' positions).

    Four statements for the whole page, however many claims it holds.
    """
    ids = [c.id for c in claims]
    stances, topics, reviews = defaultdict(list), defaultdict(list), defaultdict(list)
    appearances = defaultdict(list)
    if ids:
        for stance in _stances_with_refs(ids):
            stances[stance.claim_id].append(stance)
        links = ClaimTopic.select(ClaimTopic, Topic).join(Topic).where(ClaimTopic.claim.in_(ids))
        for link in links.order_by(Topic.slug):
            topics[link.claim_id].append(link.topic)
        found = (Review.select(Review, Publisher)
                 .join(Publisher, JOIN.LEFT_OUTER, on=(Review.canonical == Publisher.id))
                 .where(Review.claim.in_(ids)))
        for review in found.order_by(Review.id):
            reviews[review.claim_id].append(review)
        found = Appearance.select().where(Appearance.claim.in_(ids))
        for appearance in found.order_by(Appearance.first.desc(), Appearance.id):
            appearances[appearance.claim_id].append(appearance)
    for claim in claims:
        claim.stance_groups = {p: [] for p in POSITIONS}
        for stance in stances[claim.id]:
            claim.stance_groups[stance.position].append(stance)
        claim.topic_list = topics[claim.id]
        claim.review_list = reviews[claim.id]
        claim.appearance_list = appearances[claim.id]
        if speaker_ids:
            claim.speaker_positions = [
                {"speaker": s.speaker, "position": s.position}
                for s in stances[claim.id]
                if s.speaker_id in speaker_ids
            ]
    return claims


def _review_conditions_of_claims(rating=None, publisher=None, reviewed=None,
                                 reviewed_since=None, reviewed_until=None):
    """Claim conditions on their reviews: normalised rating (any of), publisher (any of, by
    slug, name, alias or domain), reviewed or not, and a review published in a date range."""
    return _claim_review_conditions(
        _review_filters(rating, publisher, reviewed_since, reviewed_until), reviewed)


def _review_filters(rating=None, publisher=None, reviewed_since=None, reviewed_until=None):
    """The conditions one review must meet for its claim to match /claims's review filters."""
    review_filters = []
    if rating:
        review_filters.append(Review.rating.in_(rating))
    if publisher:
        named = {p.id for value in publisher for p in find_publishers(value)}
        review_filters.append(Review.canonical.in_(sorted(named)))
    if reviewed_since:
        review_filters.append(Review.published_on >= reviewed_since)
    if reviewed_until:
        review_filters.append(Review.published_on <= reviewed_until)
    return review_filters


def _claim_review_conditions(review_filters, reviewed=None):
    """Claim conditions: a review meets `review_filters` (when any); reviewed or not.

    The filters are an EXISTS on the claim's own reviews (the (rating, claim) and
    (publisher, claim) indexes): an IN over the matching reviews made SQLite collect every
    one of them first (42,883 for `rating=false` at 1M quotes) before it could check a
    topic's or a search's few thousand claims; PostgreSQL plans both as a semi-join."""
    conditions = []
    if review_filters:
        conditions.append(fn.EXISTS(Review.select(SQL("1")).where(
            Review.claim == Claim.id, *review_filters)))
    if reviewed is not None:
        has_review = Claim.id.in_(Review.select(Review.claim))
        conditions.append(has_review if reviewed else ~has_review)
    return conditions


def _claim_ids_by_reviews(review_filters, claim_conditions):
    """The ids of the claims with a review meeting `review_filters` and meeting
    `claim_conditions`, keyed on Review.claim: read in claim order from the review index of
    the filter ((rating, claim), (publisher, claim)), so a page or a sample of the newest
    reads its own rows, not every match (an IN over the matching reviews materialised them
    all, then looked each claim up: 105 ms at 1M quotes). A date range's ids come from the
    (published_on, claim) index (migration 0016) and are sorted: linear in the range, but
    without a row read."""
    ids = Review.select(Review.claim).where(*review_filters)
    if claim_conditions:
        ids = ids.join(Claim, on=(Claim.id == Review.claim)).where(*claim_conditions)
    return ids.group_by(Review.claim)  # one sort of a date range's ids (DISTINCT made two)


def _claim_source_condition(source):
    """Claims a stance ties to this source, directly or through its quote.

    A UNION of the two, each read from its own index (stance source, then the source's
    quotes and their stances): as one OR, PostgreSQL could use neither and walked the
    claims in id order testing each (510 ms at 1M quotes)."""
    quoted = Quote.select(Quote.id).where(Quote.source == source)
    cited = Stance.select(Stance.claim).where(Stance.source == source)
    return Claim.id.in_(cited | Stance.select(Stance.claim).where(Stance.quote.in_(quoted)))


def _claim_country_condition(country):
    """Claims on which a speaker of these countries takes a position."""
    speakers = Speaker.select(Speaker.id).where(Speaker.country.in_(country))
    return Claim.id.in_(Stance.select(Stance.claim).where(Stance.speaker.in_(speakers)))


FACETS = ("rating", "publisher")
UNRATED = "unrated"


def review_facets(names, claim_ids=None, quote_ids=None):
    """{facet: {value: number of claims}} over the reviews of these claims (a subquery of
    ids; None for every claim): per normalised rating (`unrated` for none) and per publisher
    (its slug).
    Grouped on the review (rating, claim) and (publisher, claim) indexes: linear in the
    matches (stored_facets is constant). With `quote_ids`, the number of those quotes whose
    claims have such reviews."""
    facets = {}
    for name in names:
        column = Review.rating if name == "rating" else Review.canonical
        if quote_ids is not None:
            query = (Review.select(column, fn.COUNT(Stance.quote.distinct()))
                     .join(Stance, on=(Stance.claim == Review.claim))
                     .where(Stance.quote.in_(quote_ids)))
        else:
            query = Review.select(column, fn.COUNT(Review.claim.distinct()))
            if claim_ids is not None:
                query = query.where(Review.claim.in_(claim_ids))
        facets[name] = _facet_counts(name, query.group_by(column).tuples())
    return facets


REVIEW_FACETS = {"rating": "rating", "publisher": "publisher_id", "year": "year"}


def _year(column):
    """The year of a date column in SQL (peewee's `.year` calls a Python function per row
    on SQLite: 13 ms for the reviews of 1,000 claims at 1M quotes)."""
    return fn.strftime("%Y", column) if is_sqlite() else fn.date_part("year", column)


def _facet_part(name, claims, reviews):
    """One facet's (facet, value as text, number of claims) rows over the sampled claims.
    The sample drives its lookups (1,000), where an IN (sample) let SQLite walk a whole
    status or rating index instead: the sample's claims are looked up once for status and
    lang, its reviews once for the three review facets."""
    label = SQL(f"'{name}'")  # a constant (a parameter's type is unknown to a PG UNION)
    if name in ("status", "lang"):
        column = getattr(claims.c, name)
        return (Claim.select(label, column.cast("text"), fn.COUNT(SQL("*"))).from_(claims)
                .group_by(column))
    column = getattr(reviews.c, REVIEW_FACETS[name])
    query = Claim.select(label, column.cast("text"),
                         fn.COUNT(reviews.c.claim_id.distinct())).from_(reviews)
    if name == "year":
        query = query.where(column.is_null(False))
    return query.group_by(column)


def sampled_facets(names, claim_ids, size, key=Claim.id, with_ids=False):
    """({facet: {value: number of claims}}, whether more claims matched than were counted)
    over the newest `size` claims of `claim_ids` (a subquery of ids, keyed on `key`; None
    for every claim); `with_ids`: and the ids of every matching claim when the sample
    holds them all (None otherwise), read in the same statement.
    Facets: `rating` and `publisher` as review_facets counts them, `status`, `lang` (`und`
    for none) and `year` (of a review).

    One statement, whatever the number of facets: the sample is a CTE, read once (both
    engines materialise a CTE used more than once), its reviews another, and each facet a
    GROUP BY over them, joined by UNION ALL. Counting every match instead grew with the
    data."""
    every = Claim.select(Claim.id) if claim_ids is None else claim_ids
    sample = every.order_by(key.desc()).limit(size).cte("facet_sample", columns=("id",),
                                                        materialized=True)
    reviews = (Review.select(Review.claim, Review.rating, Review.canonical,
                             _year(Review.published_on))
               .from_(sample).join(Review, on=(Review.claim == sample.c.id))
               .cte("facet_reviews", columns=("claim_id", *REVIEW_FACETS.values()),
                    materialized=True))
    claims = (Claim.select(Claim.id, Claim.status, Claim.lang).from_(sample)
              .join(Claim, on=(Claim.id == sample.c.id))
              .cte("facet_claims", columns=("id", "status", "lang"), materialized=True))
    query = Claim.select(SQL("'size'"), SQL("NULL"), fn.COUNT(SQL("*"))).from_(sample)
    for name in names:
        query = query + _facet_part(name, claims, reviews)
    if with_ids:
        counted = Claim.select(fn.COUNT(SQL("*"))).from_(sample)
        query = query + (Claim.select(SQL("'id'"), sample.c.id.cast("text"), SQL("NULL"))
                         .from_(sample).where(counted < size))
    ctes = [sample, *([claims] if set(names) & {"status", "lang"} else []),
            *([reviews] if set(names) & set(REVIEW_FACETS) else [])]
    query = query.with_cte(*ctes)
    facets, sampled, matched = {name: [] for name in names}, False, []
    for name, value, count in query.tuples():
        if name == "size":
            sampled = count >= size
        elif name == "id":
            matched.append(int(value))
        else:
            facets[name].append((value, count))
    if "publisher" in facets:
        ids = [int(v) for v, _ in facets["publisher"] if v is not None]
        slugs = dict(Publisher.select(Publisher.id, Publisher.slug).where(
            Publisher.id.in_(ids)).tuples()) if ids else {}
        facets["publisher"] = [(slugs.get(int(v)) if v is not None else None, n)
                               for v, n in facets["publisher"]]
    if "year" in facets:
        facets["year"] = [(str(int(float(v))), n) for v, n in facets["year"]]
    missing = {"rating": UNRATED, "lang": "und"}
    counted = {name: {(v if v is not None else missing.get(name)): n
                      for v, n in sorted(counts, key=lambda c: c[0] or "")}
               for name, counts in facets.items()}
    if with_ids:
        return counted, sampled, None if sampled else sorted(matched, reverse=True)
    return counted, sampled


def stored_facets(names, among=None):
    """review_facets of every claim (`among` None), or of the claims that carry one facet
    value (`among`: ("rating", "false") or ("publisher", publisher id)), read from the
    counts the database keeps (facet_pair, migration 0014): a few rows whatever the number
    of claims."""
    query = FacetPair.select(FacetPair.facet, FacetPair.value, FacetPair.claims).where(
        FacetPair.facet.in_(names), FacetPair.claims > 0)
    if among is None:
        query = query.where((FacetPair.filter_facet == FacetPair.facet)
                            & (FacetPair.filter_value == FacetPair.value))
    else:
        query = query.where((FacetPair.filter_facet == among[0])
                            & (FacetPair.filter_value == str(among[1])))
    found = defaultdict(list)
    for facet, value, claims in query.tuples():
        stored = (value or None) if facet == "rating" else (int(value) if value else None)
        found[facet].append((stored, claims))
    return {name: _facet_counts(name, found[name]) for name in names}


def _facet_counts(name, counts):
    """{value: count} from (rating or publisher id, count) pairs: publishers by slug, none as
    `unrated`, in value order."""
    counts = list(counts)
    if name == "publisher":
        slugs = dict(Publisher.select(Publisher.id, Publisher.slug).where(
            Publisher.id.in_([value for value, _ in counts if value])).tuples())
        counts = [(slugs.get(value), n) for value, n in counts]
    return facet_values(counts)


def facet_values(counts):
    """{value: count} of one facet from (rating or publisher slug, count) pairs: none as
    `unrated`, in value order (meta.facets as every path writes it)."""
    return {(value if value is not None else UNRATED): n
            for value, n in sorted(counts, key=lambda c: c[0] or "")}


def _stored_facets_among(rating, publisher, other_filters):
    """The one facet value a /claims query filters on, when it is its only filter (one
    rating, or publisher values that name one publisher): its facets are stored_facets of
    that value. "all" without any filter; None otherwise (counted from the matches)."""
    if any(other_filters):
        return None
    if not rating and not publisher:
        return "all"
    if rating and publisher:
        return None
    if rating:
        return ("rating", rating[0]) if len(set(rating)) == 1 else None
    named = {p.id for value in publisher for p in find_publishers(value)}
    return ("publisher", named.pop()) if len(named) == 1 else None


def claims_page(limit, cursor=None, speaker=None, position=None, status=None, topic=None,
                lang=None, since=None, until=None, q=None, exact=False, rating=None,
                publisher=None, reviewed=None, source=None, country=None, reviewed_since=None,
                reviewed_until=None, facets=None, facet_sample=None, details=True):
    """Claims in id order (by relevance with `q`) with every filter of GET /claims, each with
    its details (unless `details` is false: the stored documents hold them); with `facets`,
    meta.facets counts the matching claims per rating/publisher.
    With `facet_sample` (the search page's), the facets may also be status, lang and year,
    the counts are over the newest `facet_sample` matching claims only (a cost bounded
    whatever the matches: sampled_facets), and meta.facet_sampled says whether more claims
    matched than were counted.

    `position`, `since` and `until` apply to the stances of the matched speakers when
    `speaker=` is given, else to any stance.
    """
    meta = {}
    speaker_ids = speaker_filter(speaker, meta, exact=exact)
    if speaker_ids == []:
        return empty_page(limit, **meta, **({"facets": {f: {} for f in facets}} if facets
                                            else {}))
    stance_conditions = []
    if speaker_ids:
        stance_conditions.append(Stance.speaker.in_(speaker_ids))
    if position:
        stance_conditions.append(Stance.position == position)
    if since:
        stance_conditions.append(Stance.stated_on >= since)
    if until:
        stance_conditions.append(Stance.stated_on <= until)
    claim_conditions = []
    if status:
        claim_conditions.append(Claim.status.in_(status))
    if topic:
        tagged = ClaimTopic.select(ClaimTopic.claim).join(Topic).where(Topic.slug.in_(topic))
        claim_conditions.append(Claim.id.in_(tagged))
    if lang:
        claim_conditions.append(Claim.lang == lang)
    review_filters = _review_filters(rating, publisher, reviewed_since, reviewed_until)
    by_reviews = bool(review_filters) and not stance_conditions and not q
    claim_conditions += _claim_review_conditions(None if by_reviews else review_filters,
                                                 reviewed)
    if source:
        claim_conditions.append(_claim_source_condition(source))
    if country:
        claim_conditions.append(_claim_country_condition(country))
    matching, key = None, Claim.id  # the matching claims' ids (None: every claim), keyed
    if by_reviews:
        matching, key = _claim_ids_by_reviews(review_filters, claim_conditions), Review.claim
    elif facets:
        matching = _matching_claim_ids(claim_conditions, stance_conditions, q, lang,
                                       newest=facet_sample)
    every_match = None  # with words and filters: their matches, when the sample holds all
    if facets:
        if facet_sample and q and not by_reviews and matching is not None:
            meta["facets"], meta["facet_sampled"], every_match = sampled_facets(
                facets, matching, facet_sample, key, with_ids=True)
        elif facet_sample:  # the pages: status, lang and year too, over the newest matches
            meta["facets"], meta["facet_sampled"] = sampled_facets(facets, matching,
                                                                   facet_sample, key)
        else:
            among = _stored_facets_among(rating, publisher, [
                stance_conditions, status, topic, lang, reviewed is not None, reviewed_since,
                reviewed_until, source, country, q])
            if among is None:
                meta["facets"] = review_facets(facets, matching)
            else:
                meta["facets"] = stored_facets(facets, None if among == "all" else among)
    if by_reviews:
        page = _claims_by_keys(matching, key, limit, cursor, details)
    elif speaker_ids and not q:
        page = _claims_by_keys(Stance.select(Stance.claim).distinct()
                               .join(Claim, on=(Stance.claim == Claim.id))
                               .where(*stance_conditions, *claim_conditions),
                               Stance.claim, limit, cursor, details)
    else:
        query = claim_rows(details)
        if claim_conditions:
            query = query.where(*claim_conditions)
        if stance_conditions:
            query = query.where(Claim.id.in_(Stance.select(Stance.claim).where(
                *stance_conditions)))
        page = page_of(query, Claim, limit, cursor, q, lang, every_match=every_match)
    if details:
        attach_claim_details(page.items, speaker_ids)
    page.meta = meta
    return page


def _matching_claim_ids(claim_conditions, stance_conditions, q, lang, newest=None):
    """The ids of every claim a /claims query matches (None: every claim), for facets; with
    `newest`, at least the newest `newest` of them (a sample's, sampled_facets)."""
    if not (claim_conditions or stance_conditions or q):
        return None
    ids = Claim.select(Claim.id)
    if claim_conditions:
        ids = ids.where(*claim_conditions)
    if stance_conditions:
        ids = ids.where(Claim.id.in_(Stance.select(Stance.claim).where(*stance_conditions)))
    if q:
        # Words alone: the newest matches are read from the index, newest first (the IN of
        # every match made both engines collect tens of thousands of ids at 1M quotes).
        alone = newest and not (claim_conditions or stance_conditions)
        ids = ids.where(Claim.id.in_(search.matching_ids(Claim, q, lang,
                                                         newest=newest if alone else None)))
    return ids


def claim_rows(details=True):
    """The select of a page's claims: every column (the details are attached afterwards),
    or, when the stored documents hold the details (`details` false), each claim's id and
    version with its document's version and body, LEFT JOINed (no document yet: none), so
    that the page and its bodies are one statement."""
    if details:
        return Claim.select()
    return (Claim.select(Claim.id, Claim.version, Document.version, Document.body)
            .join(Document, JOIN.LEFT_OUTER,
                  on=((Document.kind == "claim") & (Document.id == Claim.id))))


def _claims_by_keys(ids, key, limit, cursor, details=True):
    """A page of claims, in id order, from a query of their ids keyed on `key` (a claim id
    column of the table that drives it): the stance (speaker, claim) index for speakers, a
    review index for review filters. It walks that index in claim order, so a page costs
    its own rows whatever the number of matches (a heavy speaker takes tens of thousands of
    positions; `rating=false` selects tens of thousands of claims at 1M quotes)."""
    ids, next_after = keyset_ids(ids, key, limit, cursor)
    claims = list(claim_rows(details).where(Claim.id.in_(ids)).order_by(Claim.id)) \
        if ids else []
    return Page(items=claims, limit=limit, next_after=next_after)


def claim_by_id(claim_id):
    """One claim with stances grouped by position, topics and reviews, or a 404."""
    claim = Claim.get_or_none(Claim.id == claim_id) if claim_id <= MAX_ID else None
    if claim is None:
        raise NotFoundError("claim with id", claim_id)
    return attach_claim_details([claim])[0]


def reviewed_claims(batch=500):
    """Every claim that has a review, with its details, in id order, `batch` at a time (for
    streaming exports: memory stays flat whatever the number of claims)."""
    after = 0
    while True:
        reviewed = Review.select(Review.claim).where(Review.claim > after)
        claims = list(Claim.select().where(Claim.id.in_(reviewed)).order_by(Claim.id)
                      .limit(batch))
        if not claims:
            return
        yield from attach_claim_details(claims)
        after = claims[-1].id


# --- topics -------------------------------------------------------------------------------

def topic_by_slug(slug):
    """One topic with its number of claims, or a 404."""
    topic = None
    if "\x00" not in slug:
        topic = (Topic.select(Topic, fn.COUNT(ClaimTopic.claim).alias("claims_count"))
                 .join(ClaimTopic, JOIN.LEFT_OUTER).where(Topic.slug == slug)
                 .group_by(Topic.id).first())
    if topic is None:
        raise NotFoundError("topic with slug", slug)
    return topic


def topics_page(limit, cursor=None, counts=True):
    """Topics in slug order, each with the number of claims tagged (unless `counts` is
    false: counting reads every tag of the page's topics, 60 ms at 1M quotes)."""
    if not counts:
        return keyset_page(Topic.select(), Topic.slug, limit, cursor, key_type=str)
    query = (
        Topic.select(Topic, fn.COUNT(ClaimTopic.claim).alias("claims_count"))
        .join(ClaimTopic, JOIN.LEFT_OUTER)
        .group_by(Topic.id)
    )
    return keyset_page(query, Topic.slug, limit, cursor, key_type=str)


# --- publishers ---------------------------------------------------------------------------

def _with_details(publishers):
    """Give each publisher its alias keys and number of reviews: two statements."""
    ids = [p.id for p in publishers]
    aliases, counts = defaultdict(list), {}
    if ids:
        for publisher_id, key in (PublisherAlias.select(PublisherAlias.publisher,
                                                        PublisherAlias.key)
                                  .where(PublisherAlias.publisher.in_(ids))
                                  .order_by(PublisherAlias.key).tuples()):
            aliases[publisher_id].append(key)
        counts = dict(Review.select(Review.canonical, fn.COUNT(Review.id))
                      .where(Review.canonical.in_(ids)).group_by(Review.canonical).tuples())
    for publisher in publishers:
        publisher.alias_keys = aliases[publisher.id]
        publisher.reviews_count = counts.get(publisher.id, 0)
    return publishers


def publishers_page(limit, cursor=None, q=None):
    """Publishers in slug order; with `q`, those a name, alias, slug or domain names."""
    query = Publisher.select()
    if q:
        query = query.where(Publisher.id.in_([p.id for p in find_publishers(q)]))
    page = keyset_page(query, Publisher.slug, limit, cursor, key_type=str)
    _with_details(page.items)
    return page


def publisher_by_slug(slug):
    """One publisher with its aliases and number of reviews, or a 404."""
    publisher = Publisher.get_or_none(Publisher.slug == slug) if "\x00" not in slug else None
    if publisher is None:
        raise NotFoundError("publisher with slug", slug)
    return _with_details([publisher])[0]


# --- history ------------------------------------------------------------------------------

def history_page(resource, resource_id, limit, cursor=None):
    """Every recorded change of one resource and of its parts (aliases, stances, …), oldest
    first. Readable after the resource is deleted."""
    own = (Change.resource == resource) & (Change.resource_id == resource_id)
    parts = (Change.parent_resource == resource) & (Change.parent_id == resource_id)
    return keyset_page(Change.select().where(own | parts), Change.id, limit, cursor)


def history_target(model, resource, lookup):
    """The id whose history to read: the live row's, else the id a deleted row had (found
    through its recorded changes), else a 404."""
    field, value = lookup
    row = model.get_or_none(getattr(model, field) == value)
    if row is not None:
        return row.id
    recorded = Change.select(Change.resource_id).where(Change.resource == resource)
    if field == "slug":
        recorded = recorded.where(Change.resource_slug == value)
    else:
        recorded = recorded.where(Change.resource_id == value)
    change = recorded.order_by(Change.id.desc()).first()
    if change is None:
        raise NotFoundError(f"{resource} with {field}", value)
    return change.resource_id


def changes_page(limit, cursor=None, resource=None, token=None, since=None, until=None):
    """The global feed of changes, oldest first (poll with the last cursor for new ones)."""
    query = Change.select()
    if resource:
        query = query.where(Change.resource == resource)
    if token:
        query = query.where(Change.token_name == token)
    if since:
        query = query.where(Change.at >= since)
    if until:
        query = query.where(Change.at <= until)
    return keyset_page(query, Change.id, limit, cursor)


# --- Google Fact Check Tools compatibility -------------------------------------------------

def _review_conditions(language=None, site=None):
    conditions = []
    if language:
        base = language.split("-")[0].lower()
        conditions.append((fn.LOWER(Review.lang) == base)
                          | fn.LOWER(Review.lang).startswith(base + "-"))
    if site:
        host = site.lower().removeprefix("www.")
        conditions.append(Review.url.contains(f"://{host}/") | Review.url.endswith(f"://{host}")
                          | Review.url.contains(f"://www.{host}/")
                          | Review.url.contains(f".{host}/"))
    return conditions


def fact_checked_claims(offset, limit, query=None, language=None, site=None, since=None):
    """Reviewed claims as Google's claims:search sees them: by relevance with `query` (then
    the claims of a claimant the query names by a whole name: identity.claimants_named), else
    newest first; only reviews in `language` / on `site`; with a claim or review date on or
    after `since`. Returns (claims with details and `matching_reviews`, whether more follow)."""
    conditions = _review_conditions(language, site)
    if since:
        conditions.append((Review.published_on >= since) | (Claim.first_seen >= since))
    reviewed = Review.select(Review.claim).join(Claim).where(*conditions) if conditions \
        else Review.select(Review.claim)
    base = Claim.select().where(Claim.id.in_(reviewed))
    if query:
        base = _as_searched(base, query, identity.claimants_named(query))
    else:
        base = base.order_by(Claim.id.desc())
    claims = list(base.offset(offset).limit(limit + 1))
    more = len(claims) > limit
    claims = attach_claim_details(claims[:limit])
    for claim in claims:
        claim.matching_reviews = [r for r in claim.review_list
                                  if _review_matches(r, language, site)]
    return claims, more


def _as_searched(claims, query, claimants):
    """`claims` matching `query` in the order of GET /claims?q= (page_of): the newest
    search.RANK_WINDOW matches by relevance, then the older matches newest first; then the
    claims of the `claimants` the query names that its words do not match, newest first.
    claims:search pages by offset, so this is one ORDER BY rather than page_of's keyset."""
    ranked = search.window(Claim, query).alias("hits")
    words = Claim.id.in_(search.matching_ids(Claim, query))
    older = ranked.c.id.is_null()
    order = [older, ranked.c.score, Case(None, [(older, Claim.id * -1)], Claim.id)]
    if claimants:
        said = Stance.select(Stance.claim).where(Stance.speaker.in_(claimants))
        claims = claims.where(words | Claim.id.in_(said))
        order.insert(2, ~words)  # the words' matches before the claimants' other claims
    else:
        claims = claims.where(words)
    return claims.join(ranked, JOIN.LEFT_OUTER, on=(ranked.c.id == Claim.id)).order_by(*order)


def _review_matches(review, language, site):
    from .claimreview import site_of

    if language and (review.lang or "").lower().split("-")[0] != language.split("-")[0].lower():
        return False
    if site:
        host = site.lower().removeprefix("www.")
        review_site = site_of(review.url) or ""
        return review_site == host or review_site.endswith("." + host)
    return True


# --- pages for people ---------------------------------------------------------------------

def quote_in_context(quote):
    """(before, the quote, after) within the paragraph of the source text where the quote
    stands, from its stored offsets; None when the source text is not held."""
    if quote.start_offset is None:
        return None
    text = Source.get_by_id(quote.source_id).text
    start = text.rfind("\n\n", 0, quote.start_offset)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", quote.end_offset)
    end = len(text) if end < 0 else end
    return (text[start:quote.start_offset], text[quote.start_offset:quote.end_offset],
            text[quote.end_offset:end])


def row_count(resource):
    """How many rows an unfiltered export of a resource writes (for its progress bar)."""
    models = {"claims": Claim, "quotes": Quote, "speakers": Speaker, "sources": Source,
              "topics": Topic}
    return models[resource].select().count()


ROW_COUNT_ROWS = 100  # PostgreSQL's row_count rows (one per write statement) folded beyond


def totals():
    """How many speakers, claims and quotes Claimbase holds, from the counts the database
    keeps (row_count, migration 0021: a COUNT(*) scanned each table, 142 ms at 1M quotes
    on PostgreSQL). On PostgreSQL, where each write statement adds a row, the rows are
    folded into one per table once they are many."""
    database = Claim._meta.database
    rows = database.execute_sql(
        "SELECT name, SUM(n), COUNT(*) FROM row_count GROUP BY name").fetchall()
    if not is_sqlite() and sum(count for _, _, count in rows) > ROW_COUNT_ROWS:
        # One statement: rows a concurrent writer adds meanwhile are not seen, so not lost;
        # a concurrent fold waits for this one's deleted rows and skips them.
        database.execute_sql(
            "WITH folded AS (DELETE FROM row_count RETURNING name, n) "
            "INSERT INTO row_count (name, n) SELECT name, SUM(n) FROM folded GROUP BY name")
    found = {name: int(total) for name, total, _ in rows}
    return {"speakers": found.get("speaker", 0), "claims": found.get("claim", 0),
            "quotes": found.get("quote", 0)}


def search_speakers(q, limit):
    """(speakers a name or words name, suggestions when none): the search page's speakers.
    The name is resolved once: its resolution holds the suggestions (each similar-name
    lookup is a walk of the trigram index, 10 ms at 50k speakers on PostgreSQL)."""
    resolution = identity.resolve(q)
    speakers = [match.speaker for match in resolution.matches]
    if not speakers:
        speakers = speakers_page(limit, q=q, resolution=resolution).items
    return speakers, [] if speakers else resolution.suggestions[:MAX_SUGGESTIONS]


def source_speakers(source_id):
    """The speakers quoted in a source, or whose stances cite it, by name (a UNION of the
    two, each from its source index: an OR of two INs read every speaker on PostgreSQL)."""
    quoted = Quote.select(Quote.speaker).where(Quote.source == source_id)
    citing = Stance.select(Stance.speaker).where(Stance.source == source_id)
    return list(Speaker.select().where(Speaker.id.in_(quoted | citing))
                .order_by(Speaker.name, Speaker.id))


def publisher_names(slugs):
    """{slug: name} of these publishers (the search page's fact-checker facet labels)."""
    if not slugs:
        return {}
    return dict(Publisher.select(Publisher.slug, Publisher.name)
                .where(Publisher.slug.in_(list(slugs))).tuples())
