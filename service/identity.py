"""Speaker identity: the keys a speaker is found by, kept in an index, and the resolution
ladder that reads them (docs/speaker-resolution.md).

Every name and alias of a speaker (a *form*) is indexed in `speaker_name_key` as
- its name tokens (step `token`), titles dropped;
- its Latin transliteration's tokens, romanisation-folded (step `translit`);
- the whole folded transliteration (step `form`), which the trigram index reads
  (pg_trgm GiST on PostgreSQL, an FTS5 `trigram` table on SQLite).
Each rung of the ladder is one indexed lookup; none reads every speaker.
"""

import re
from dataclasses import dataclass
from dataclasses import field

from anyascii import anyascii
from peewee import fn

from .db import is_sqlite
from .models import Alias
from .models import Speaker
from .models import SpeakerKey
from .models import SpeakerSlug
from .text import name_key

MAX_ID = 2**31 - 1
MAX_CANDIDATES = 50  # speakers returned for one value at most (then ambiguous anyway)
MAX_SUGGESTIONS = 3
SIMILAR_CANDIDATES = 30  # rows the trigram index hands over for scoring
SIMILAR_RESOLVES = 0.6  # a similar name resolves at this score or more …
SIMILAR_MARGIN = 0.15  # … when the next speaker scores at least this much less
SUGGESTION_SCORE = 0.3  # below this score a name is not suggested
# How sure each rung is; "-partial": the value holds only some of the name's tokens.
CONFIDENCE = {"id": 1.0, "slug": 1.0, "wikidata": 1.0, "name": 1.0, "alias": 1.0,
              "tokens": 0.9, "transliteration": 0.85, "tokens-partial": 0.7,
              "transliteration-partial": 0.65}
SURE = 0.85  # imports land on an existing speaker from this confidence (a whole name)
COUNT_CAP = 1000  # quotes counted per suggestion, for ranking (beyond it, ties stay ties)

# Titles and honorifics dropped from names and queries, in the main languages, written as
# name keys (no case, no accents). The transliteration step drops their Latin forms too.
TITLES = frozenset((
    "president", "presidente", "prasident", "praesident", "mr", "mrs", "ms", "miss", "mme",
    "mlle", "madame", "monsieur", "m", "dr", "prof", "professor", "sir", "dame", "herr", "frau",
    "senator", "sen", "rep", "representative", "governor", "gov", "minister", "prime",
    "premier", "chancellor", "kanzler", "kanzlerin", "bundeskanzler", "chairman", "chairwoman",
    "general", "gen", "comrade", "secretary", "king", "queen", "prince", "le", "la", "der",
    "die", "the", "el", "президент", "господин", "госпожа", "г", "товарищ", "премьер",
    "министр", "генерал", "председатель", "대통령", "위원장", "국무위원장", "총리", "장관", "의원",
))
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_WIKIDATA = re.compile(
    r"(?:https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/)?(Q[1-9][0-9]{0,11})",
    re.IGNORECASE)

# The romanisation-folding table: (pattern, replacement), applied in order to each Latin
# token. It makes the English, French and German spellings of one name meet
# (docs/speaker-resolution.md shows it with examples; tests/test_identity.py tests them).
FOLDING = (
    (r"tsch|tch|sch|ch", "sh"),  # Tschaikowski, Tchaïkovski, Schoigu, Choïgou → sh
    (r"zh", "j"),  # Zhirinovsky / Jirinovski
    (r"ph", "f"),
    (r"w", "v"),  # Medwedew / Medvedev
    (r"ou|oo", "u"),  # Poutine, Choïgou, Moon / Mun
    (r"eo", "o"),  # Korean revised romanisation: Jeong / Jong
    (r"eu", "u"),  # Eun / Un
    (r"y", "i"),  # Shoygu / Shoigu, Yeltsin / Ieltsine
    (r"(?:ei|ej|ii|ij)$", "i"),  # Sergei / Sergey / Sergej / Sergeij
    (r"(.)\1+", r"\1"),  # doubled letters
    (r"(?<=[^aeiou])e$", ""),  # a final mute e: Poutine, Ieltsine
    (r"of$", "ov"),  # Ivanoff / Ivanov
)
_FOLDING = tuple((re.compile(pattern), replacement) for pattern, replacement in FOLDING)


# --- keys ---------------------------------------------------------------------------------

def fold(token: str) -> str:
    """A Latin token's romanisation-folded key ('poutine' → 'putin')."""
    for pattern, replacement in _FOLDING:
        token = pattern.sub(replacement, token)
    return token


def name_tokens(name: str) -> tuple:
    """The tokens of a name's key without titles ('President Putin' → ('putin',)); all of
    them when nothing but titles is left."""
    tokens = name_key(name).split()
    kept = tuple(t for t in tokens if t not in TITLES)
    return kept or tuple(tokens)


def _spaced_hangul(name):
    """Hangul words split into syllables ('김정은' → '김 정 은'): Korean names are written
    without spaces, and a romanised one is written a syllable a word ('Kim Jong Un')."""
    return _HANGUL.sub(lambda m: " ".join(m.group(0)), name)


def _latin_titles():
    return frozenset(fold(name_key(anyascii(t))) for t in TITLES)


_LATIN_TITLES = _latin_titles()


def _folded(latin):
    tokens = [fold(t) for t in name_key(latin).split()]
    kept = tuple(t for t in tokens if t and t not in _LATIN_TITLES)
    return kept or tuple(t for t in tokens if t)


def translit_variants(name: str) -> list:
    """The folded Latin token tuples a name is keyed by: one, or for Hangul two (syllables
    joined, as in 푸틴 → putin, and apart, as in 김정은 → kim jong un, the family name's
    initial g read as k as most English spellings do)."""
    variants = [_folded(anyascii(name))]
    if _HANGUL.search(name):
        spaced = name_key(anyascii(_spaced_hangul(name))).split()
        if spaced and spaced[0].startswith("g"):
            spaced[0] = "k" + spaced[0][1:]
        variants.append(_folded(" ".join(spaced)))
    unique = []
    for variant in variants:
        if variant and variant not in unique:
            unique.append(variant)
    return unique


def form_rows(speaker_id, form, name):
    """The speaker_name_key rows of one form (form 0: the name; 2 × alias id: an alias; +1: its
    second transliteration)."""
    rows = []
    tokens = name_tokens(name)
    for token in dict.fromkeys(tokens):
        rows.append({"speaker": speaker_id, "form": form, "step": "token",
                     "key": token[:255], "size": len(tokens)})
    for offset, variant in enumerate(translit_variants(name)):
        for token in dict.fromkeys(variant):
            rows.append({"speaker": speaker_id, "form": form + offset, "step": "translit",
                         "key": token[:255], "size": len(variant)})
        rows.append({"speaker": speaker_id, "form": form + offset, "step": "form",
                     "key": " ".join(variant)[:255], "size": len(variant)})
    return rows


def index_speakers(speaker_ids):
    """Rebuild the index rows of these speakers from their names and aliases (call after
    any write to a speaker's name or aliases, in the same transaction)."""
    ids = sorted({int(i) for i in speaker_ids})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        SpeakerKey.delete().where(SpeakerKey.speaker.in_(chunk)).execute()
        rows = []
        for speaker_id, name in Speaker.select(Speaker.id, Speaker.name).where(
                Speaker.id.in_(chunk)).tuples():
            rows += form_rows(speaker_id, 0, name)
        for alias_id, speaker_id, name in Alias.select(Alias.id, Alias.speaker, Alias.name).where(
                Alias.speaker.in_(chunk)).tuples():
            rows += form_rows(speaker_id, 2 * alias_id, name)
        for at in range(0, len(rows), 1000):
            SpeakerKey.insert_many(rows[at:at + 1000]).execute()


def reindex_all(batch=2000):
    """Rebuild the whole index (migration 0008, `claimbase speakers reindex`)."""
    after = 0
    while True:
        ids = [i for (i,) in Speaker.select(Speaker.id).where(Speaker.id > after)
               .order_by(Speaker.id).limit(batch).tuples()]
        if not ids:
            return
        index_speakers(ids)
        after = ids[-1]


# --- trigram similarity (pg_trgm's definition, so both backends score alike) --------------

def trigrams(text):
    """pg_trgm's trigrams of a text: each word padded with two spaces before, one after."""
    found = set()
    for word in re.findall(r"\w+", text.lower()):
        padded = f"  {word} "
        found.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a, b):
    """Shared trigrams over all trigrams of both texts (0–1)."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def form_similarity(query, form):
    """How close a query is to a form or to any run of as many consecutive words of it
    ('putn' is close to 'vladimir putin' through 'putin')."""
    words, width = form.split(), len(query.split())
    runs = {" ".join(words[i:i + width]) for i in range(max(1, len(words) - width + 1))}
    return max(similarity(query, run) for run in runs | {form})


def _similar_rows(query):
    """(speaker id, form, key) rows of the forms closest to the query, from the trigram
    index: pg_trgm's GiST index (nearest first) on PostgreSQL, the FTS5 trigram table (most
    shared trigrams first) on SQLite."""
    if is_sqlite():
        grams = sorted({query[i:i + 3] for i in range(len(query) - 2)})
        if not grams:
            return []
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
        sql = ("SELECT k.speaker_id, k.form, k.key FROM speaker_name_key_trigram AS t "
               "JOIN speaker_name_key AS k ON k.id = t.rowid "
               "WHERE speaker_name_key_trigram MATCH ? ORDER BY t.rank LIMIT ?")
        return SpeakerKey._meta.database.execute_sql(sql, (match, SIMILAR_CANDIDATES)).fetchall()
    sql = ("SELECT speaker_id, form, key FROM speaker_name_key WHERE step = 'form' "
           "ORDER BY key <-> %s LIMIT %s")  # the GiST index's nearest-neighbour walk
    return SpeakerKey._meta.database.execute_sql(sql, (query, SIMILAR_CANDIDATES)).fetchall()


def similar_speakers(value):
    """[(speaker id, score, form)] close to the value, best first, one per speaker."""
    scores = {}
    for variant in translit_variants(value):
        query = " ".join(variant)
        if len(query) < 3:
            continue
        for speaker_id, form, key in _similar_rows(query):
            score = round(form_similarity(query, key), 3)
            if score >= SUGGESTION_SCORE and score > scores.get(speaker_id, (0, 0))[0]:
                scores[speaker_id] = (score, form)
    return sorted(((sid, s, f) for sid, (s, f) in scores.items()), key=lambda x: (-x[1], x[0]))


# --- the ladder ---------------------------------------------------------------------------

@dataclass
class Match:
    """One speaker a value names, and how."""

    speaker: Speaker
    matched_by: str
    matched_name: str
    lang: str | None = None
    confidence: float = 1.0
    ambiguous: bool = False


@dataclass
class Resolution:
    """What a value names: matches (all of one step), or suggestions when none."""

    query: str
    matches: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)


def wikidata_id(value):
    """The Q-id a value spells ('Q7747', a Wikidata URL), or None."""
    found = _WIKIDATA.fullmatch(value.strip())
    return found.group(1).upper() if found else None


def _as_id(value):
    value = value.strip()
    if value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


_SPEAKER_COLUMNS = ", ".join(f"s.{f.column_name}" for f in Speaker._meta.sorted_fields)
# The exact rung's statements, written once per shape (is the value an id, a Wikidata id):
# the first rung of every `speaker=` read, where building them with Peewee cost more than
# running them.
# The exact rung in one statement, written once per shape (is the value an id, a Wikidata
# id; is there an old slug or an alias key to look up): speakers by id, slug, Wikidata id or
# name key, then by a merged speaker's old slug, then by alias, each row saying which part
# found it. The first rung of every `speaker=` read, where building it with Peewee cost more
# than running it; on PostgreSQL each statement is a round trip, and an alias took three.
_EXACT_PARTS = (
    f"SELECT 1 AS rung, m.id AS rung_order, {_SPEAKER_COLUMNS}, m.slug AS alias_name, "
    "NULL AS alias_lang FROM merged_slug AS m JOIN speaker AS s ON s.id = m.speaker_id "
    "WHERE m.slug = ?",
    f"SELECT 2 AS rung, a.id AS rung_order, {_SPEAKER_COLUMNS}, a.name AS alias_name, "
    "a.lang AS alias_lang FROM alias AS a JOIN speaker AS s ON s.id = a.speaker_id "
    "WHERE a.key = ?",
)
_EXACT_SQL = {
    (as_id, qid, moved, alias): " UNION ALL ".join([
        f"SELECT 0 AS rung, s.id AS rung_order, {_SPEAKER_COLUMNS}, NULL AS alias_name, "
        f"NULL AS alias_lang FROM speaker AS s WHERE (s.slug = ? OR s.key = ?"
        f"{' OR s.id = ?' if as_id else ''}{' OR s.wikidata_id = ?' if qid else ''})",
        *([_EXACT_PARTS[0]] if moved else []), *([_EXACT_PARTS[1]] if alias else [])])
    + " ORDER BY rung, rung_order"
    for as_id in (False, True) for qid in (False, True) for moved in (False, True)
    for alias in (False, True)
}


def _speakers(sql, params):
    """Speakers (with any extra columns as attributes) from one of the statements above."""
    if not is_sqlite():
        sql = sql.replace("?", "%s")
    return Speaker.raw(sql, *params)


def _exact(value, key):
    """The exact rung: speakers by id, slug (or, when none, a merged speaker's old slug),
    Wikidata id or exact name key, and by alias; indexed equality lookups, one statement."""
    slug = value.strip().lower()
    as_id, qid = _as_id(value), wikidata_id(value)
    moved = "\x00" not in slug
    params = [slug, key, *([as_id] if as_id is not None else []), *([qid] if qid else []),
              *([slug] if moved else []), *([key] if key else [])]
    rows = list(_speakers(_EXACT_SQL[as_id is not None, bool(qid), moved, bool(key)], params))
    found = {}
    for speaker in (row for row in rows if row.rung == 0):
        if speaker.id == as_id:
            found[speaker.id] = Match(speaker, "id", str(speaker.id))
        elif speaker.slug == slug:
            found.setdefault(speaker.id, Match(speaker, "slug", speaker.slug))
        elif qid and speaker.wikidata_id == qid:
            found.setdefault(speaker.id, Match(speaker, "wikidata", speaker.wikidata_id))
        else:
            found.setdefault(speaker.id, Match(speaker, "name", speaker.name))
    old_slugs = [row for row in rows if row.rung == 1]
    if not found and old_slugs:
        found[old_slugs[0].id] = Match(old_slugs[0], "slug", old_slugs[0].alias_name)
    for speaker in (row for row in rows if row.rung == 2):
        found.setdefault(speaker.id, Match(speaker, "alias", speaker.alias_name,
                                           speaker.alias_lang))
    return found


def _forms(step, tokens, person_only=False):
    """{speaker id: (form, size)}: forms holding every token (one indexed statement)."""
    if not tokens:
        return {}
    query = (SpeakerKey.select(SpeakerKey.speaker, SpeakerKey.form, SpeakerKey.size)
             .where((SpeakerKey.step == step) & SpeakerKey.key.in_(list(tokens)))
             .group_by(SpeakerKey.speaker, SpeakerKey.form, SpeakerKey.size)
             .having(fn.COUNT(SpeakerKey.key.distinct()) == len(set(tokens)))
             .order_by(SpeakerKey.size, SpeakerKey.speaker, SpeakerKey.form)
             .limit(MAX_CANDIDATES * 4))
    if person_only:
        query = query.join(Speaker, on=SpeakerKey.speaker == Speaker.id).where(
            Speaker.kind == "person")
    found = {}
    for speaker_id, form, size in query.tuples():
        found.setdefault(speaker_id, (form, size))
    return dict(list(found.items())[:MAX_CANDIDATES])


def _form_names(hits):
    """{(speaker id, form): (name, lang)} for the forms that matched, in one statement."""
    alias_ids = {form // 2 for _, form in hits if form // 2}
    names = {}
    if alias_ids:
        for alias in Alias.select().where(Alias.id.in_(list(alias_ids))):
            names[alias.id] = (alias.name, alias.lang)
    return names


def _matches(step, found, size):
    """Matches for {speaker id: (form, form size)} found at a step by `size` tokens."""
    if not found:
        return []
    speakers = {s.id: s for s in Speaker.select().where(Speaker.id.in_(list(found)))}
    names = _form_names([(sid, form) for sid, (form, _) in found.items()])
    matches = []
    for speaker_id, (form, form_size) in found.items():
        name, lang = names.get(form // 2, (speakers[speaker_id].name, None))
        label = step if form_size == size else f"{step}-partial"
        matches.append(Match(speakers[speaker_id], step, name, lang, CONFIDENCE[label]))
    return matches


def _surname_bearers(tokens, found):
    """A one-word value that names someone exactly also names every person who bears it as
    a name (a surname alone): those are added, and the value is then ambiguous."""
    if len(tokens) != 1:
        return found
    others = {sid: hit for sid, hit in _forms("token", tokens, person_only=True).items()
              if sid not in found}
    for match in _matches("tokens", others, 1):
        found[match.speaker.id] = match
    return found


def _mark(matches):
    if len(matches) > 1:
        for match in matches:
            match.ambiguous = True
    return matches


def resolve(value, exact=False):
    """The Resolution of a `speaker=` value: the first rung of the ladder that matches
    (identity, exact name or alias, name tokens, transliteration, similar), all its speakers
    (marked ambiguous when several); or suggestions. `exact` stops after the exact rung."""
    key = name_key(value)
    found = _exact(value, key)
    if found and not exact:
        found = _surname_bearers(tuple(key.split()), found)  # the value's own words
    if found or exact or not key:
        return Resolution(value, _mark(list(found.values())[:MAX_CANDIDATES]))
    tokens = name_tokens(value)
    matches = _matches("tokens", _forms("token", tokens), len(tokens))
    if not matches:
        for variant in translit_variants(value):
            matches = _matches("transliteration", _forms("translit", variant), len(variant))
            if matches:
                break
    if matches:
        return Resolution(value, _mark(matches))
    return _similar(value)


def _similar(value):
    """The similar rung: resolves to the clearly best speaker, else suggests."""
    scored = similar_speakers(value)
    if scored:
        best_id, best, _ = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0.0
        if best >= SIMILAR_RESOLVES and best - runner_up >= SIMILAR_MARGIN:
            speaker = Speaker.get_by_id(best_id)
            return Resolution(value, [Match(speaker, "similar", speaker.name,
                                            confidence=round(0.6 * best, 2))])
    return Resolution(value, suggestions=_ranked_suggestions(scored))


def _quote_counts(ids):
    """{speaker id: quotes said, counted up to COUNT_CAP} in one statement (each count
    walks the quote (speaker) index, and stops at the cap: a heavy speaker costs no more)."""
    database = Speaker._meta.database
    one = (f"SELECT {database.param}, (SELECT COUNT(*) FROM (SELECT 1 FROM quote WHERE "
           f"speaker_id = {database.param} LIMIT {COUNT_CAP}) AS said)")
    sql = " UNION ALL ".join([one] * len(ids))
    params = [value for sid in ids for value in (sid, sid)]
    return dict(database.execute_sql(sql, params).fetchall())


def _ranked_suggestions(scored, limit=MAX_SUGGESTIONS):
    """Speakers by similarity, then by how much they said (quotes, counted up to a cap)."""
    scored = scored[:limit * 3]
    if not scored:
        return []
    ids = [sid for sid, _, _ in scored]
    said = _quote_counts(ids)
    speakers = {s.id: s for s in Speaker.select().where(Speaker.id.in_(ids))}
    ranked = sorted(scored, key=lambda x: (-x[1], -said.get(x[0], 0), x[0]))
    return [speakers[sid] for sid, _, _ in ranked[:limit]]


def suggest(value):
    """Speakers whose names are close to the value ("did you mean"), from the trigram
    index."""
    return _ranked_suggestions(similar_speakers(value))


def confident_speaker(name):
    """The one existing speaker a name surely means (imports): the same tokens in another
    order, title or script; None when none or several, or only part of a name matched."""
    resolution = resolve(name)
    if len(resolution.matches) == 1 and resolution.matches[0].confidence >= SURE:
        return resolution.matches[0].speaker
    return None


class NotOneSpeaker(ValueError):
    """A name given in a write names no speaker surely, or several."""


def speaker_named(name):
    """The one speaker a name in a write names, matched by name, alias, Wikidata id, its
    tokens or its transliteration; NotOneSpeaker (with the candidates) otherwise. Similar
    spellings are never taken: a quote is not attributed by a guess."""
    resolution = resolve(name)
    matches = [m for m in resolution.matches if m.matched_by != "similar"]
    if len(matches) == 1:
        return matches[0].speaker
    if matches:
        slugs = ", ".join(m.speaker.slug for m in matches)
        raise NotOneSpeaker(f"{name!r} names several speakers: {slugs}; give the slug.")
    suggestions = [s.slug for s in resolution.suggestions] or [
        m.speaker.slug for m in resolution.matches]
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise NotOneSpeaker(f"No speaker named {name!r}.{hint}")


def merged_into(slug):
    """The speaker a merged speaker's old slug now names, or None."""
    if "\x00" in slug:
        return None
    moved = SpeakerSlug.select(SpeakerSlug, Speaker).join(Speaker).where(
        SpeakerSlug.slug == slug).first()
    return moved.speaker if moved is not None else None


def _containing(fragment):
    """Speaker ids with a form containing the folded fragment, through the trigram index
    (three characters at least: shorter fragments are matched as whole tokens)."""
    if len(fragment) < 3:
        return {sid for (sid,) in SpeakerKey.select(SpeakerKey.speaker).where(
            (SpeakerKey.step == "translit") & (SpeakerKey.key == fragment)).tuples()}
    if is_sqlite():
        sql = ("SELECT DISTINCT k.speaker_id FROM speaker_name_key_trigram AS t "
               "JOIN speaker_name_key AS k ON k.id = t.rowid "
               "WHERE speaker_name_key_trigram MATCH ? LIMIT ?")
        params = ('"' + fragment.replace('"', '""') + '"', MAX_FRAGMENT_MATCHES)
    else:
        sql = ("SELECT DISTINCT speaker_id FROM speaker_name_key WHERE step = 'form' "
               "AND key LIKE %s LIMIT %s")
        escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params = (f"%{escaped}%", MAX_FRAGMENT_MATCHES)
    return {sid for (sid,) in SpeakerKey._meta.database.execute_sql(sql, params)}


MAX_FRAGMENT_MATCHES = 1000


def speakers_for_fragment(q, resolution=None):
    """Ids of the speakers `/speakers?q=` lists: those the ladder resolves the value to
    (its `resolution`, when the caller has it already), and those with a name or alias
    containing it (in any script, romanisation-folded)."""
    ids = {m.speaker.id for m in (resolution or resolve(q)).matches}
    for variant in translit_variants(q):
        ids |= _containing(" ".join(variant))
    return sorted(ids)


def claimants_named(query):
    """Ids of the speakers a claims:search query names surely (a whole name, alias, slug or
    Wikidata id: confidence SURE or more), so that `query=Trump` finds Trump's claims as
    Google's search finds a claimant; [] for words that name nobody that surely."""
    return [m.speaker.id for m in resolve(query).matches if m.confidence >= SURE]
