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
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

import snowballstemmer
from peewee import SQL
from peewee import Case
from peewee import Value
from peewee import fn

from .db import database
from .exceptions import DuplicateClaim
from .models import Claim
from .models import ClaimMatch
from .models import ClaimTerm
from .models import Review

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
STEMMERS = {"ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english",
            "es": "spanish", "fi": "finnish", "fr": "french", "hu": "hungarian",
            "id": "indonesian", "it": "italian", "nl": "dutch", "no": "norwegian",
            "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
            "tr": "turkish"}

# --- the analyzer -------------------------------------------------------------------------

_PIC = re.compile(r"pic\.twitter\.com/\S+", re.IGNORECASE)  # often glued to a hashtag
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# The handle in a scraped signature, "— Ilhan Omar (@IlhanMN) January 6, 2020": the name and
# the date stay, as words (a claim often names who made it, and when).
_SIGNED_HANDLE = re.compile(r"\(@\w+\)")
_HANDLE = re.compile(r"(?<![\w@])@(\w+)")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)")
_WORD = re.compile(r"\w+")
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


def fold(word):
    """A word without accents or case ('États' → 'etats')."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Words recur (Zipf): folding each once saved a third of an import's indexing time.
_fold_word = functools.lru_cache(maxsize=200_000)(fold)


@functools.lru_cache(maxsize=200_000)
def stem(language, word):
    """A word's Snowball stem in a language (a Snowball name, e.g. 'english'); cached, since
    stemming was most of a query's time."""
    stemmers = _stemmers.__dict__  # Snowball stemmers keep state: one per thread
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language].stemWord(word)


_stemmers = threading.local()
NEGATIONS = frozenset(stem("english", w) for w in NEGATION_WORDS.split())


@dataclass(frozen=True)
class Term:
    term: str  # the indexed form (folded, stemmed)
    word: str  # as written
    kind: str  # name | number | word


def analyse(text, lang="en"):
    """The Terms of a text, in order: stop words dropped, each word folded and stemmed."""
    base = (lang or "en").split("-")[0].lower()
    stop = STOPWORDS.get(base, frozenset())
    language = STEMMERS.get(base)
    terms = []
    for word in _WORD.findall(_NOT.sub(" not", text).replace("_", " ")):
        folded = _fold_word(word)
        if folded in stop:
            continue
        if _NUMBER.search(folded):
            kind = "number"
        elif word[0].isupper():
            kind = "name"
        else:
            kind = "word"
        stemmed = stem(language, folded) if language and kind != "number" else folded
        terms.append(Term(stemmed[:MAX_TERM_LENGTH], word, kind))
    return terms


@functools.lru_cache(maxsize=4096)  # an import asks twice per claim (duplicates, index)
def normalised_key(text):
    """The key of a text as near-duplicates compare it: no case, accents, punctuation or
    extra spaces (SHA-256, so that long texts index)."""
    words = _WORD.findall(fold(unicodedata.normalize("NFC", text)).replace("_", " "))
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
                Claim.id.in_(chunk)).tuples():
            documents[claim_id] = (lang, [text])
        titles = Review.select(Review.claim, Review.title).where(
            Review.claim.in_(chunk) & Review.title.is_null(False)).order_by(Review.id)
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
        ClaimTerm.delete().where(ClaimTerm.claim.in_(chunk)).execute()
        ClaimMatch.delete().where(ClaimMatch.claim.in_(chunk)).execute()
    postings, matches = [], []
    for claim_id, (lang, fields) in _documents(claim_ids).items():
        counts = Counter(t.term for text in fields for t in analyse(text, lang))
        postings.extend((term, claim_id, tf) for term, tf in counts.items())
        matches.append((claim_id, sum(counts.values()), normalised_key(fields[0])))
    db = database.obj
    # executemany with one prepared statement: peewee's insert_many builds SQL value by
    # value, which was most of an import's indexing time.
    param = db.param
    cursor = db.cursor()
    cursor.executemany("INSERT INTO claim_match (claim_id, length, key) VALUES "
                       f"({param}, {param}, {param})", matches)
    cursor.executemany("INSERT INTO claim_term (term, claim_id, tf) VALUES "
                       f"({param}, {param}, {param})", postings)
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


def collection_stats():
    """(number of indexed claims, their mean length), cached for STATS_TTL seconds."""
    db = database.obj
    cached = _stats.get(id(db))
    if cached and cached[0] > time.monotonic():
        return cached[1], cached[2]
    count, total = ClaimMatch.select(fn.COUNT(ClaimMatch.claim),
                                     fn.SUM(ClaimMatch.length)).tuples().get()
    mean = (total or 0) / count if count else 0.0
    _stats[id(db)] = (time.monotonic() + STATS_TTL, count, mean)
    return count, mean


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


def _frequencies(terms):
    found = dict(ClaimTerm.select(ClaimTerm.term, fn.COUNT(ClaimTerm.claim))
                 .where(ClaimTerm.term.in_(list(terms))).group_by(ClaimTerm.term).tuples())
    return {t: found.get(t, 0) for t in terms}


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


def rank(terms, limit, conditions=()):
    """[(claim id, score in [0, 1])] best first: BM25 in SQL over the query terms' postings."""
    weights = query_weights(terms)
    count, mean = collection_stats()
    if not weights or not count:
        return []
    df = _frequencies(weights)
    idf = {t: math.log((count - n + 0.5) / (n + 0.5) + 1) for t, n in df.items() if n}
    if not idf:
        return []
    # The rarest terms count; a long text's most common words add cost and little else.
    kept = sorted(idf, key=lambda t: -idf[t] * weights[t])[:MAX_QUERY_TERMS]
    factor = {t: idf[t] * weights[t] * (K1 + 1) for t in kept}
    ceiling = sum(factor.values())
    weight = Case(ClaimTerm.term, [(t, factor[t] / ceiling) for t in kept])
    # Value(converter=False): the length column would otherwise round the factor to an int.
    norm = ClaimMatch.length * Value(K1 * B / mean, converter=False) + K1 * (1 - B)
    score = fn.SUM(weight * ClaimTerm.tf / (ClaimTerm.tf + norm))
    query = (ClaimTerm.select(ClaimTerm.claim, score.alias("score"))
             .join(ClaimMatch, on=(ClaimMatch.claim == ClaimTerm.claim))
             .where(ClaimTerm.term.in_(kept)))
    if conditions:
        query = query.join(Claim, on=(Claim.id == ClaimTerm.claim)).where(*conditions)
    query = (query.group_by(ClaimTerm.claim).order_by(SQL("score").desc(), ClaimTerm.claim)
             .limit(limit))
    return [(claim_id, min(1.0, float(s))) for claim_id, s in query.tuples()]


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
    keys = dict(ClaimMatch.select(ClaimMatch.claim, ClaimMatch.key).where(
        ClaimMatch.claim.in_([c for c, _ in ranked])).tuples())
    matches = []
    for claim_id, score in ranked:
        claim_lang, fields = documents[claim_id]
        fields_terms = [analyse(f, claim_lang) for f in fields]
        near = 1.0 if keys.get(claim_id) == key else max(
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
