"""Claim matching: "has this been checked already?" (docs/matching.md).

A claim is indexed as the terms of its text and of its reviews' titles (the title of a
fact-check article states the claim too): a posting list per term (`claim_term`: term,
claim, term frequency) and one row per claim (`claim_match`: its length in terms and the
key of its normalised text). A query is analysed the same way and ranked by BM25, computed
by the database over the posting lists of the query's own terms only, on both backends.

The analyzer: social-media noise stripped, Unicode words, accents and case folded, stop
words dropped (negations kept: "not" changes a claim), Snowball stems. Names (capitalised
words) and numbers are told apart, to say what a match shares and to be weighted in a query
(the weights measured best at 1: see docs/matching.md).
"""

import functools
import hashlib
import math
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from peewee import SQL
from peewee import fn

from . import analysis
from .db import database
from .exceptions import DuplicateClaim
from .models import Claim
from .models import ClaimMatch
from .models import ClaimTerm
from .models import Review
from .write.rows import among

# BM25 (Robertson/Spärck Jones); k1 and b tuned on the CheckThat! 2020 train split
# (bench/matching.py), never on dev.
K1 = 1.2
B = 0.5
# Names and numbers can weigh more in a query; on train, any weight above 1 lowered MAP@5
# (docs/matching.md), so they count as other words, and are reported apart in `shared`.
NAME_WEIGHT = 1.0  # a query term written with a capital letter (a name)
NUMBER_WEIGHT = 1.0  # a query term with a digit
MAX_TERM_LENGTH = 100  # the indexed column's width
MAX_QUERY_TERMS = 64  # the terms of a query that count (the rarest first)
# A near-duplicate: the same normalised text, or this similarity with the claim's text or a
# review's title (Dice coefficient of their term multisets; 1.0 for reordered clauses).
DUPLICATE_THRESHOLD = 0.9
STATS_TTL = 30.0  # seconds the collection's size and mean length are cached
# A query's cost, bounded (docs/matching.md, "Cost"): each query term's best postings read,
# and the claims scored exactly among those they find. Below POSTINGS_PER_TERM claims per
# term, the ranking is exact BM25.
POSTINGS_PER_TERM = 1000
CANDIDATES = 200
COMMON_TERM = 1000  # postings from which a term's document frequency is cached
MAX_CACHED_TERMS = 100_000

# Snowball's English stop words, less the negations (which reverse a claim).
_ENGLISH_STOPWORDS = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves s t d ll m re ve y
"""
STOPWORDS = {"en": frozenset(_ENGLISH_STOPWORDS.split())}
# Terms that reverse a claim (English; "n't" is read as "not"). Two texts whose negations
# differ are not near-duplicates.
NEGATION_WORDS = "not no nor never none nobody nothing neither without cannot"
NEGATED_SIMILARITY = 0.5
# --- the analyzer -------------------------------------------------------------------------

_PIC = re.compile(r"pic\.twitter\.com/\S+", re.IGNORECASE)  # often glued to a hashtag
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# The handle in a scraped signature, "— Ilhan Omar (@IlhanMN) January 6, 2020": the name and
# the date stay, as words (a claim often names who made it, and when).
_SIGNED_HANDLE = re.compile(r"\(@\w+\)")
_HANDLE = re.compile(r"(?<![\w@])@(\w+)")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)")
_NUMBER = re.compile(r"\d")
_NOT = re.compile(r"n['’]t\b", re.IGNORECASE)  # didn't → did not
_NOT_TEXT = {"So", "Sk", "Cs", "Co"}  # symbols (emoji, flags, skin tones), surrogates, private
_JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}


def _as_words(match):
    """A handle or hashtag as the words it is made of (@BetoORourke → Beto ORourke)."""
    return " " + _CAMEL.sub(" ", match.group(1)) + " "


def strip_noise(text):
    """The claim in a social-media text: without URLs, pic.twitter.com links, a signature's
    handle, emoji, and the @ and # syntax (handles and hashtags become their words:
    #StopTheSteal → Stop The Steal). docs/matching.md gives the measurements behind it."""
    text = _PIC.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _SIGNED_HANDLE.sub(" ", text)
    text = _HANDLE.sub(_as_words, text)
    text = _HASHTAG.sub(_as_words, text)
    return "".join(" " if unicodedata.category(c) in _NOT_TEXT or c in _JOINERS else c
                   for c in text)


# Stemming was most of a query's time: stems are cached (analysis.stem folds, then stems).
_stem = functools.lru_cache(maxsize=200_000)(analysis.stem)
NEGATIONS = frozenset(_stem(w, "english") for w in NEGATION_WORDS.split())


@dataclass(frozen=True)
class Term:
    term: str  # the indexed form (folded, stemmed)
    word: str  # as written
    kind: str  # name | number | word


def analyse(text, lang="en"):
    """The Terms of a text, in order: the words, folded and stemmed as search does
    (service/analysis.py: elisions, unaccent, Snowball in the text's language), stop words
    dropped and "n't" read as "not"."""
    base = (lang or "en").split("-")[0].lower()
    return [Term(term, word, kind) for word, (term, kind) in _analysed(text, base)]


def index_terms(text, lang="en"):
    """The indexed forms of analyse's Terms, in order (without building the Terms)."""
    return [term for _, (term, _) in _analysed(text, (lang or "en").split("-")[0].lower())]


def _analysed(text, base):
    """(word as written, (indexed form, kind)) of a text's words that are not stop words."""
    of = _word_terms.setdefault(base, {})
    if len(of) > 200_000:
        of.clear()
    for word in analysis.words(analysis.strip_elisions(_NOT.sub(" not", text))):
        found = of.get(word)
        if found is None:
            found = of[word] = _term_of(word, base)
        if found is not _STOP:
            yield word, found


_STOP = object()
_word_terms = {}  # base language → {word as written: (indexed form, kind), or _STOP}


def _term_of(word, base):
    """A word's indexed form and kind in a language (or _STOP): one word, once."""
    folded = analysis.fold(word)
    if folded in STOPWORDS.get(base, ()):
        return _STOP
    if _NUMBER.search(folded):
        kind = "number"
    elif word[0].isupper():
        kind = "name"
    else:
        kind = "word"
    algorithm = analysis.language(base)
    stemmed = _stem(folded, algorithm) if algorithm and kind != "number" else folded
    return stemmed[:MAX_TERM_LENGTH], kind


@functools.lru_cache(maxsize=4096)  # an import asks twice per claim (duplicates, index)
def normalised_key(text):
    """The key of a text as near-duplicates compare it: its words, folded as search folds
    them (no case, accents, punctuation or extra spaces); SHA-256, so that long texts index."""
    words = analysis.words(analysis.fold(unicodedata.normalize("NFC", text)))
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def similarity(a, b):
    """Dice coefficient of two term multisets, in [0, 1] (1.0 for reordered clauses); when
    their negations differ ("will flood" / "will not flood"), at most NEGATED_SIMILARITY."""
    left, right = Counter(a), Counter(b)
    total = sum(left.values()) + sum(right.values())
    dice = 2 * sum((left & right).values()) / total if total else 0.0
    if {t: n for t, n in left.items() if t in NEGATIONS} != {
            t: n for t, n in right.items() if t in NEGATIONS}:
        return min(dice, NEGATED_SIMILARITY)
    return dice


# --- the index ----------------------------------------------------------------------------

def _documents(claim_ids):
    """claim id → (lang, [its text, its reviews' distinct titles])."""
    documents = {}
    for chunk in _chunks(claim_ids):
        for claim_id, text, lang in Claim.select(Claim.id, Claim.text, Claim.lang).where(
                among(Claim.id, chunk)).tuples():
            documents[claim_id] = (lang, [text])
        titles = Review.select(Review.claim, Review.title).where(
            among(Review.claim, chunk) & Review.title.is_null(False)).order_by(Review.id)
        for claim_id, title in titles.tuples():
            fields = documents[claim_id][1]
            if title not in fields:
                fields.append(title)
    return documents


def _chunks(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def index_claims(claim_ids):
    """(Re)index these claims for matching, in the caller's transaction: every write of a
    claim's text or of its reviews calls this, and imports call it once per batch."""
    claim_ids = sorted(set(claim_ids))
    if not claim_ids:
        return
    for chunk in _chunks(claim_ids):
        # `among`: Peewee built these IN lists' SQL value by value (a tenth of the index's
        # time on an import's batch of new claims)
        ClaimTerm.delete().where(among(ClaimTerm.claim, chunk)).execute()
        ClaimMatch.delete().where(among(ClaimMatch.claim, chunk)).execute()
    postings, matches = [], []
    for claim_id, (lang, fields) in _documents(claim_ids).items():
        counts = Counter(term for text in fields for term in index_terms(text, lang))
        length = sum(counts.values())
        postings.extend((term, claim_id, tf, length) for term, tf in counts.items())
        matches.append((claim_id, length, normalised_key(fields[0])))
    db = database.obj
    # executemany with one prepared statement: peewee's insert_many builds SQL value by
    # value, which was most of an import's indexing time.
    param = db.param
    cursor = db.cursor()
    cursor.executemany("INSERT INTO claim_match (claim_id, length, key) VALUES "
                       f"({param}, {param}, {param})", matches)
    cursor.executemany("INSERT INTO claim_term (term, claim_id, tf, length) VALUES "
                       f"({param}, {param}, {param}, {param})", postings)
    _stats.pop(id(db), None)


def rebuild_index(batch=2000):
    """Index every claim (the migration that creates the index, and repairs)."""
    last = 0
    while True:
        ids = [i for (i,) in Claim.select(Claim.id).where(Claim.id > last)
               .order_by(Claim.id).limit(batch).tuples()]
        if not ids:
            return
        index_claims(ids)
        last = ids[-1]


_stats = {}  # id(database) → (expires, claims, mean length)
_common = {}  # id(database) → {term: (expires, document frequency)}


def collection_stats():
    """(number of indexed claims, their mean length), cached for STATS_TTL seconds: a count
    over every claim, which a query must not pay for."""
    db = database.obj
    cached = _stats.get(id(db))
    if cached and cached[0] > time.monotonic():
        return cached[1], cached[2]
    count, total = ClaimMatch.select(fn.COUNT(ClaimMatch.claim),
                                     fn.SUM(ClaimMatch.length)).tuples().get()
    mean = (total or 0) / count if count else 0.0
    _stats[id(db)] = (time.monotonic() + STATS_TTL, count, mean)
    return count, mean


def document_frequencies(terms):
    """term → the number of claims holding it. Counted in one statement, except for common
    terms (COMMON_TERM postings or more), whose counts are kept for STATS_TTL seconds:
    counting their postings was a query's largest cost at 1M claims, and a few more or fewer
    claims do not change the idf of a term that thousands hold."""
    now = time.monotonic()
    common = _common.setdefault(id(database.obj), {})
    found = {t: common[t][1] for t in terms if t in common and common[t][0] > now}
    missing = [t for t in terms if t not in found]
    if missing:
        counted = dict(ClaimTerm.select(ClaimTerm.term, fn.COUNT(ClaimTerm.claim))
                       .where(ClaimTerm.term.in_(missing)).group_by(ClaimTerm.term).tuples())
        if len(common) > MAX_CACHED_TERMS:
            common.clear()
        for term in missing:
            found[term] = counted.get(term, 0)
            if found[term] >= COMMON_TERM:
                common[term] = (now + STATS_TTL, found[term])
    return found


# --- queries ------------------------------------------------------------------------------

@dataclass
class Match:
    claim_id: int
    score: float  # in [0, 1]: BM25 over the most it could be for this query
    shared: dict = field(default_factory=dict)  # names, numbers, words it shares
    duplicate: float = 0.0  # similarity with the closest of its text and titles


def query_weights(terms):
    """term → weight: occurrences in the query, names and numbers weighing more."""
    weights = Counter()
    for t in terms:
        weights[t.term] += {"name": NAME_WEIGHT, "number": NUMBER_WEIGHT}.get(t.kind, 1.0)
    return weights


def _filters(lang=None, rating=None, publisher=None, since=None):
    """SQL conditions on the claim (joined as `claim`) for the filters of /claims/similar."""
    conditions = []
    if lang:
        conditions.append(Claim.lang == lang)
    reviews = []
    if rating:
        reviews.append(Review.rating == rating)
    if publisher:
        reviews.append(Review.publisher == publisher)
    if reviews:
        conditions.append(Claim.id.in_(Review.select(Review.claim).where(*reviews)))
    if since:
        conditions.append((Claim.first_seen >= since) | Claim.id.in_(
            Review.select(Review.claim).where(Review.published_on >= since)))
    return conditions


def _restriction(conditions):
    """(SQL, params): an EXISTS that keeps the postings of claims meeting the conditions."""
    if not conditions:
        return "", []
    sql, params = Claim.select(SQL("1")).where(
        Claim.id == SQL("claim_term.claim_id"), *conditions).sql()
    return f" AND EXISTS ({sql})", params


@functools.lru_cache(maxsize=512)
def _ranking_sql(terms, restriction, param):
    """The ranking statement for a number of query terms, as text: the same text for every
    query of that shape, so both backends reuse its prepared statement (psycopg prepares a
    statement run five times; Python's sqlite3 keeps the last 128).

    `read`: each term's POSTINGS_PER_TERM best postings, in the order of the claim_term_impact
    index (highest tf, then shortest claim). `candidates`: the claims those postings score
    best. Then each candidate's BM25 over all its postings of the query's terms, looked up
    claim by claim: CROSS JOIN makes SQLite loop over the candidates, where it otherwise read
    every posting of a common term to find theirs (100,000 at 333k claims: 90 ms)."""
    best = (f"SELECT * FROM (SELECT term, claim_id, tf, length FROM claim_term "
            f"WHERE term = {param}{restriction} ORDER BY tf DESC, length, claim_id "
            f"LIMIT {param}) AS best_{{n}}")
    read = " UNION ALL ".join(best.format(n=n) for n in range(terms))
    weight = "CASE term " + " ".join([f"WHEN {param} THEN {param}"] * terms) + " ELSE 0 END"
    bm25 = f"SUM({weight} * tf / (tf + length * {param} + {param}))"
    return (f"WITH read AS ({read}), candidates AS (SELECT claim_id FROM read "
            f"GROUP BY claim_id ORDER BY {bm25} DESC, claim_id LIMIT {param}) "
            f"SELECT claim_term.claim_id, {bm25} AS score FROM candidates CROSS JOIN claim_term "
            f"WHERE claim_term.claim_id = candidates.claim_id "
            f"AND term IN ({', '.join([param] * terms)}) "
            f"GROUP BY claim_term.claim_id ORDER BY score DESC, claim_term.claim_id "
            f"LIMIT {param}")


def rank(terms, limit, conditions=()):
    """[(claim id, score in [0, 1])] best first: BM25, computed by the database in one
    statement whose cost is bounded whatever the collection's size.

    Candidates: for each query term, only its POSTINGS_PER_TERM best postings are read
    (impact order), and the CANDIDATES claims they score best are kept. Those candidates are
    then scored exactly, over all their postings of the query's terms. A term held by fewer
    claims than POSTINGS_PER_TERM (every term, in a collection that small) is read whole,
    and the ranking is then exact BM25."""
    weights = query_weights(terms)
    count, mean = collection_stats()
    if not weights or not count:
        return []
    df = document_frequencies(list(weights))
    idf = {t: math.log((count - n + 0.5) / (n + 0.5) + 1) for t, n in df.items() if n}
    if not idf:
        return []
    # The rarest terms count; a long text's most common words add cost and little else.
    kept = sorted(idf, key=lambda t: (-idf[t] * weights[t], t))[:MAX_QUERY_TERMS]
    factor = {t: idf[t] * weights[t] * (K1 + 1) for t in kept}
    ceiling = sum(factor.values())
    cases = [v for t in kept for v in (t, factor[t] / ceiling)]
    norm = [K1 * B / mean, K1 * (1 - B)]  # BM25's length normalisation: length × a + b
    restriction, restricted = _restriction(conditions)
    read = [v for t in kept for v in (t, *restricted, POSTINGS_PER_TERM)]
    params = [*read, *cases, *norm, CANDIDATES, *cases, *norm, *kept, limit]
    sql = _ranking_sql(len(kept), restriction, database.obj.param)
    cursor = database.obj.execute_sql(sql, params)
    return [(claim_id, min(1.0, float(s))) for claim_id, s in cursor.fetchall()]


def _explain(query_terms, fields_terms):
    """What a claim shares with the query: names, numbers and words, as the query wrote them."""
    held = {t.term for terms in fields_terms for t in terms}
    shared = {"names": [], "numbers": [], "words": []}
    seen = set()
    for t in query_terms:
        if t.term in held and t.term not in seen:
            seen.add(t.term)
            shared[{"name": "names", "number": "numbers"}.get(t.kind, "words")].append(t.word)
    return shared


def similar_claims(text, lang="en", limit=10, *, filter_lang=None, rating=None,
                   publisher=None, since=None):
    """The claims most likely to be the claim in `text` (noise stripped) or to check it, best
    first, as Matches, each saying what it shares and how near a duplicate it is."""
    terms = analyse(strip_noise(text), lang)
    conditions = _filters(filter_lang, rating, publisher, since)
    ranked = rank(terms, limit, conditions)
    if not ranked:
        return []
    documents = _documents([claim_id for claim_id, _ in ranked])
    key = normalised_key(strip_noise(text))
    matches = []
    for claim_id, score in ranked:
        claim_lang, fields = documents[claim_id]
        fields_terms = [analyse(f, claim_lang) for f in fields]
        # the key as claim_match holds it, from the text just read (one statement fewer)
        near = 1.0 if normalised_key(fields[0]) == key else max(
            similarity([t.term for t in terms], [t.term for t in f]) for f in fields_terms)
        matches.append(Match(claim_id, round(score, 4), _explain(terms, fields_terms),
                             round(near, 4)))
    return matches


def near_duplicates(text, lang="en", limit=5):
    """Claims that are near-duplicates of `text`: the same normalised text, or a similarity
    of at least DUPLICATE_THRESHOLD with the claim's text or one of its review titles.
    Best first, as Matches (their `duplicate` is the similarity)."""
    exact = [c for (c,) in ClaimMatch.select(ClaimMatch.claim).where(
        ClaimMatch.key == normalised_key(text)).order_by(ClaimMatch.claim).limit(limit).tuples()]
    found = {c: Match(c, 1.0, {}, 1.0) for c in exact}
    for match in similar_claims(text, lang, limit=limit):
        if match.duplicate >= DUPLICATE_THRESHOLD and match.claim_id not in found:
            found[match.claim_id] = match
    return sorted(found.values(), key=lambda m: (-m.duplicate, m.claim_id))[:limit]



def claims_like(text, lang=None, rating=None, publisher=None, since=None, limit=10):
    """GET/POST /claims/similar: the matching claims with their details, best first, each
    with `score`, `duplicate` and `shared`; and the text as matched (noise stripped)."""
    from .queries import attach_claim_details

    matches = similar_claims(text, lang or "en", limit, filter_lang=lang, rating=rating,
                             publisher=publisher, since=since)
    claims = {c.id: c for c in Claim.select().where(Claim.id.in_([m.claim_id
                                                                   for m in matches]))}
    found = []
    for match in matches:
        claim = claims[match.claim_id]
        claim.score, claim.duplicate, claim.shared = match.score, match.duplicate, match.shared
        found.append(claim)
    attach_claim_details(found)
    matched = " ".join(strip_noise(text).split())
    return {"data": found, "meta": {"count": len(found), "limit": limit, "matched_text": matched}}


def same_text_claims(texts):
    """{normalised key: [Match]} of the claims whose normalised text is one of `texts`'
    (one indexed statement per 500 texts: what imports check by default)."""
    found = {}
    for chunk in _chunks({normalised_key(t) for t in texts}):
        query = ClaimMatch.select(ClaimMatch.key, ClaimMatch.claim).where(
            ClaimMatch.key.in_(chunk)).order_by(ClaimMatch.claim)
        for key, claim_id in query.tuples():
            found.setdefault(key, []).append(Match(claim_id, 1.0, {}, 1.0))
    return found


def refuse_near_duplicates(text, lang=None):
    """Raise DuplicateClaim (a 409) naming the claims `text` is a near-duplicate of."""
    found = near_duplicates(text, lang or "en")
    if found:
        texts = dict(Claim.select(Claim.id, Claim.text).where(
            Claim.id.in_([m.claim_id for m in found])).tuples())
        raise DuplicateClaim([{"id": m.claim_id, "text": texts[m.claim_id],
                               "similarity": m.duplicate} for m in found])
