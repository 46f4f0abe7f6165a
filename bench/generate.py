"""Deterministic NDJSON data sets for benchmarks: 10k to 1M quotes, in import order.

Run by hand, not in CI:  python bench/generate.py --quotes 10000 --seed 1 --out DIR

Writes DIR/topics.ndjson, speakers.ndjson, sources.ndjson, quotes.ndjson and claims.ndjson in
the shapes of docs/import-pipeline.md, to be imported in that order:

    claimbase import --format ndjson DIR/topics.ndjson DIR/speakers.ndjson \\
        DIR/sources.ndjson DIR/quotes.ndjson DIR/claims.ndjson

The same arguments give byte-identical files: every random draw comes from random.Random
streams seeded from --seed, nothing depends on the clock. Lines are written as they are made,
so memory stays flat whatever --quotes is; what is kept is per speaker or per source (slugs,
Zipf weights, a reservoir of at most RESERVOIR quotes per speaker for the claims' stances).

Speaker activity (quotes and stances) is Zipf-distributed. Two speakers have fixed slugs so
that benchmarks can name them: `speaker-heavy` (rank 1, the most quotes and stances, with a
Cyrillic alias) and `speaker-light` (exactly LIGHT_STANCES stances, LIGHT_QUOTES quotes).
"""

import argparse
import bisect
import datetime
import importlib.util
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("topics", "speakers", "sources", "quotes", "claims")  # import order
HEAVY_SLUG = "speaker-heavy"
LIGHT_SLUG = "speaker-light"
LIGHT_STANCES = 5
LIGHT_QUOTES = 3
MIN_SPEAKERS = 10_000
ZIPF_EXPONENT = 1.1
TOPICS = 200
RESERVOIR = 4  # quotes kept per speaker for the claims' stances
FIRST_DAY = datetime.date(2015, 1, 1).toordinal()
LAST_DAY = datetime.date(2024, 12, 31).toordinal()
NBSP = "\u00a0"


def _load_name_key():
    """service.text.name_key, loaded from its file: importing the `service` package would
    build the Flask app, which a generator has no use for."""
    spec = importlib.util.spec_from_file_location("_claimbase_text", ROOT / "service" / "text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.name_key


name_key = _load_name_key()

# --- Names: syllables rendered in Latin, Cyrillic and Hangul -------------------------------
# A syllable is (onset, vowel, coda). Hangul blocks are composed from jamo indices:
# U+AC00 + (initial * 21 + medial) * 28 + final.
ONSETS = {  # latin: (cyrillic, hangul initial)
    "": ("", 11), "b": ("б", 7), "d": ("д", 3), "g": ("г", 0), "h": ("х", 18),
    "k": ("к", 15), "l": ("л", 5), "m": ("м", 6), "n": ("н", 2), "p": ("п", 17),
    "r": ("р", 5), "s": ("с", 9), "t": ("т", 16), "v": ("в", 7), "z": ("з", 12),
    "sh": ("ш", 9), "ch": ("ч", 14), "y": ("й", 11),
}
VOWELS = {  # latin: (cyrillic, hangul medial); é keeps some names accented, as real ones are
    "a": ("а", 0), "e": ("е", 5), "é": ("е", 5), "i": ("и", 20), "o": ("о", 8), "u": ("у", 13),
}
CODAS = {"": ("", 0), "n": ("н", 4), "r": ("р", 8), "l": ("л", 8), "m": ("м", 16)}
ONSET_LIST = list(ONSETS)
ONSET_WEIGHTS = [3 if o == "" else 1 for o in ONSET_LIST]
VOWEL_LIST = list(VOWELS)
VOWEL_WEIGHTS = [1 if v == "é" else 6 for v in VOWEL_LIST]
CODA_LIST = list(CODAS)
CODA_WEIGHTS = [8, 2, 1, 1, 1]


def _hangul(onset, vowel, coda):
    return chr(0xAC00 + (ONSETS[onset][1] * 21 + VOWELS[vowel][1]) * 28 + CODAS[coda][1])


def _word(rng, low, high):
    """A made-up word of low..high syllables: [(onset, vowel, coda), ...]."""
    count = rng.randint(low, high)
    onsets = rng.choices(ONSET_LIST, ONSET_WEIGHTS, k=count)
    vowels = rng.choices(VOWEL_LIST, VOWEL_WEIGHTS, k=count)
    codas = rng.choices(CODA_LIST, CODA_WEIGHTS, k=count)
    return list(zip(onsets, vowels, codas, strict=True))


def latin(word):
    return "".join(o + v + c for o, v, c in word).capitalize()


def cyrillic(word):
    return "".join(ONSETS[o][0] + VOWELS[v][0] + CODAS[c][0] for o, v, c in word).capitalize()


def hangul(word):
    return "".join(_hangul(o, v, c) for o, v, c in word)


# Unique tokens: a counter written with CV syllables whose three renderings are each
# one-to-one, so distinct counters give distinct words in every script.
TOKEN_SYLLABLES = [(o, v, "") for o in "bdghkmnpst" for v in "aeiou"]


def token(number, script="latin"):
    """The number-th made-up proper noun (bijective base-50 numeration, 3+ syllables)."""
    number += len(TOKEN_SYLLABLES) ** 2 + len(TOKEN_SYLLABLES) + 1  # past 1 and 2 syllables
    digits = []
    while number > 0:
        number, digit = divmod(number - 1, len(TOKEN_SYLLABLES))
        digits.append(TOKEN_SYLLABLES[digit])
    word = digits[::-1]
    return {"latin": latin, "cyrillic": cyrillic, "hangul": hangul}[script](word)


def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def day(ordinal):
    return datetime.date.fromordinal(ordinal).isoformat()


def zipf_cumulative(count, exponent=ZIPF_EXPONENT, zero=()):
    """Cumulative weights 1/rank^exponent over `count` ranks (rank 1 first); indices in
    `zero` are never drawn."""
    total = 0.0
    cumulative = []
    for index in range(count):
        if index not in zero:
            total += 1.0 / (index + 1) ** exponent
        cumulative.append(total)
    return cumulative


def draw(rng, cumulative):
    """An index drawn with the weights whose running sums are `cumulative`."""
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


# --- Vocabulary -----------------------------------------------------------------------------
COUNTRIES = ["US", "RU", "FR", "KR", "KP", "UA", "CN", "DE", "GB", "IR", "IL", "TR", "IN",
             "BR", "JP", "PL", "SY", "EG", "ZA", "NG", "BY", "GE", "MX", "CA", "IT"]
SPEAKER_KINDS = (["person"] * 85 + ["government"] * 5 + ["organization"] * 6 + ["media"] * 4)
ROLES = ["President", "Prime Minister", "Foreign Minister", "Defence Minister", "Spokesperson",
         "Senator", "Member of Parliament", "Ambassador", "Governor", "Mayor", "Analyst",
         "Opposition leader", "Party chair", "General", "Economist", "Journalist"]
DESCRIPTIONS = {"government": "National government", "organization": "Non-governmental body",
                "media": "News organisation"}
ORGANIZATIONS = [("{} Institute", "Institut {}"), ("{} Foundation", "Fondation {}"),
                 ("{} Workers’ Party", "Parti des travailleurs de {}"),
                 ("{} Council", "Conseil de {}"), ("{} Union", "Union de {}")]
MEDIA = [("{} Times", "Le Temps de {}"), ("{} News Agency", "Agence de presse de {}"),
         ("{} Broadcasting", "Radiodiffusion de {}"), ("{} Herald", "Le Héraut de {}")]
SOURCE_KINDS = (["article"] * 6 + ["news_agency"] * 3 + ["state_media"] * 2
                + ["press_briefing", "speech", "official_document", "broadcast", "social_post"])
SOURCE_LANGS = ["en"] * 50 + ["fr"] * 30 + ["ru"] * 12 + ["ko"] * 8
PUBLISHERS = [("Example Wire", "wire"), ("Le Quotidien d’Exemple", "quotidien"),
              ("Daily Example", "daily"), ("Example Radio", "radio"),
              ("Новости Примера", "novosti"), ("예시 일보", "ilbo"), ("Example Monitor", "monitor"),
              ("Revue Exemplaire", "revue"), ("The Example Post", "post"),
              ("Example Broadcasting", "broadcasting"), ("Agence Exemple", "agence"),
              ("Example Tribune", "tribune")]
FACT_CHECKERS = [("Example Fact Check", "en", "fact-check"), ("Vérif’Exemple", "fr", "verif"),
                 ("Проверка Примера", "ru", "proverka"), ("Example Truth Desk", "en", "desk"),
                 ("Les Décodeurs d’Exemple", "fr", "decodeurs"),
                 ("예시 팩트체크", "ko", "paekteuchekeu")]
RATING_LABELS = ["False", "False", "Mostly False", "Half True", "Mostly True", "True",
                 "Pants on Fire!", "Misleading"]


def words(text):
    return text.split()


WORDS = {
    "en": words(
        "we will not accept any threat to our security and sovereignty the people deserve "
        "the truth about this agreement our partners have always supported peace nobody "
        "can deny that sanctions have failed these accusations are absolutely groundless "
        "it’s a provocation we don’t negotiate under pressure they’re lying again and again "
        "the government has never supplied weapons to anyone our army is ready to respond "
        "this is a historic day for both nations we’ll defend every inch of our land the "
        "so-called experts are wrong the economy grew faster than ever before cooperation "
        "in space will continue let me be clear there were no troops on the ground"),
    "fr": words(
        "nous n’accepterons aucune menace contre notre sécurité et notre souveraineté le "
        "peuple mérite la vérité sur cet accord nos partenaires ont toujours soutenu la paix "
        "personne ne peut nier que les sanctions ont échoué ces accusations sont totalement "
        "infondées c’est une provocation on ne négocie pas sous la pression ils mentent "
        "encore le gouvernement n’a jamais livré d’armes à qui que ce soit notre armée est "
        "prête à riposter c’est un jour historique pour nos deux nations soutien total et "
        "inconditionnel l’économie n’a jamais été aussi forte qu’aujourd’hui"),
    "ru": words(
        "мы не примем никаких угроз нашей безопасности и суверенитету народ заслуживает "
        "правды об этом соглашении наши партнёры всегда поддерживали мир никто не может "
        "отрицать что санкции провалились эти обвинения абсолютно беспочвенны это "
        "провокация мы не ведём переговоры под давлением правительство никогда не "
        "поставляло оружие наша армия готова ответить"),
    "ko": words(
        "우리는 안보와 주권에 대한 어떠한 위협도 용납하지 않을 것이다 국민은 이 합의에 대한 "
        "진실을 알 권리가 있다 제재는 실패했다 이러한 주장은 전혀 근거가 없다 이것은 명백한 "
        "도발이다 정부는 무기를 공급한 적이 없다 우리 군대는 대응할 준비가 되어 있다"),
}
TOKEN_SCRIPT = {"en": "latin", "fr": "latin", "ru": "cyrillic", "ko": "hangul"}
QUOTE_KINDS = ["direct"] * 6 + ["partial"] * 3 + ["indirect"]
CONTEXTS = ["At a press conference", "In a televised address", "Speaking to reporters",
            "In an interview", "At the summit’s closing session", "In a statement online",
            "During a parliamentary debate", "At a rally"]
CLAIM_SUBJECTS = ["North Korea", "Russia", "The United States", "The government", "The army",
                  "The central bank", "The opposition", "The ministry", "Foreign agents",
                  "The European Union", "China", "Ukraine"]
CLAIM_PREDICATES = ["supplied artillery shells to", "secretly funded", "never attacked",
                    "doubled its exports to", "imposed sanctions on", "sent troops to",
                    "signed a secret agreement with", "cut gas deliveries to",
                    "tested a ballistic missile near", "rigged the elections in",
                    "paid protesters in", "bought drones from"]
CLAIM_TAILS = ["in 2022", "last year", "despite the embargo", "according to leaked documents",
               "without telling parliament", "twice", "for the third time", ""]
CLAIM_SUBJECTS_FR = ["La Corée du Nord", "La Russie", "Les États-Unis", "Le gouvernement",
                     "L’armée", "Le ministère", "L’opposition", "La Chine"]
CLAIM_PREDICATES_FR = ["a livré des obus à", "a secrètement financé", "n’a jamais attaqué",
                       "a imposé des sanctions à", "a envoyé des troupes à",
                       "a signé un accord secret avec", "a acheté des drones à"]
TOPIC_ADJECTIVES = ["Arms", "Energy", "Food", "Nuclear", "Border", "Election", "Space", "Trade",
                    "Cyber", "Media", "Climate", "Health", "Migration", "Maritime", "Grain",
                    "Oil", "Gas", "Missile", "Water", "Digital"]
TOPIC_NOUNS = ["trade", "sanctions", "security", "cooperation", "policy", "disputes", "tests",
               "aid", "corruption", "treaties", "exports", "protests", "diplomacy", "reform",
               "smuggling", "propaganda", "prices", "supply", "talks", "war"]
POSITIONS = ["asserts"] * 70 + ["denies"] * 20 + ["questions"] * 10


# --- The generator ------------------------------------------------------------------------
class Writer:
    """One NDJSON file, written a line at a time."""

    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)  # noqa: SIM115
        self.count = 0

    def write(self, obj):
        self.file.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self):
        self.file.close()


def _speaker_name(rng, kind, used_keys):
    """(name, latin/cyrillic/hangul words, french alias or None) with a new name_key."""
    while True:
        if kind == "person":
            words = [_word(rng, 2, 3), _word(rng, 1, 3)]
            name = " ".join(latin(w) for w in words)
            french = None
        else:
            words = [_word(rng, 2, 3)]
            place = latin(words[0]) + rng.choice(["ia", "land", "stan", ""])
            if kind == "government":
                name, french = f"Government of {place}", f"Gouvernement de {place}"
            else:
                english, french = rng.choice(ORGANIZATIONS if kind == "organization" else MEDIA)
                name, french = english.format(place), french.format(place)
        key = name_key(name)
        if key not in used_keys:
            used_keys.add(key)
            return name, words, french


def _aliases(rng, name, words, french, used_keys, force_cyrillic=False):
    """0–2 aliases (one speaker in three has some), each with its own name_key; ru and ko
    transliterations are unique over the whole data set, so benchmarks can look them up."""
    candidates = []
    if force_cyrillic or rng.random() < 1 / 3:
        candidates = [("ru", " ".join(cyrillic(w) for w in words)),
                      ("ko", " ".join(hangul(w) for w in words))]
        if french:
            candidates.append(("fr", french))
        if len(words) > 1:
            candidates.append(("en", latin(words[-1])))  # the family name alone, like "Putin"
        rng.shuffle(candidates)
        candidates = candidates[: rng.randint(1, 2)]
        if force_cyrillic and not any(lang == "ru" for lang, _ in candidates):
            candidates[0] = ("ru", " ".join(cyrillic(w) for w in words))
    aliases = []
    keys = {name_key(name)}
    for lang, alias in candidates:
        key = name_key(alias)
        if key in keys or (lang in ("ru", "ko") and key in used_keys):
            continue
        keys.add(key)
        if lang in ("ru", "ko"):
            used_keys.add(key)
        aliases.append({"name": alias, "lang": lang})
    return aliases


def write_speakers(rng, writer, count):
    """Speaker 0 is speaker-heavy (Zipf rank 1), the last one speaker-light. Returns the
    slugs, the media speakers' indices, speaker-heavy's Cyrillic alias and the number of
    aliases."""
    used_keys, slugs, media = set(), [], []
    alias_count = 0
    used_slugs = {HEAVY_SLUG, LIGHT_SLUG}
    heavy_alias = None
    for index in range(count):
        heavy, light = index == 0, index == count - 1
        kind = "person" if heavy or light else rng.choice(SPEAKER_KINDS)
        name, words, french = _speaker_name(rng, kind, used_keys)
        if heavy or light:
            slug = HEAVY_SLUG if heavy else LIGHT_SLUG
        else:
            slug = base = slugify(name)[:110]
            suffix = 1
            while slug in used_slugs:
                suffix += 1
                slug = f"{base}-{suffix}"
            used_slugs.add(slug)
        aliases = _aliases(rng, name, words, french, used_keys, force_cyrillic=heavy)
        alias_count += len(aliases)
        if heavy:
            heavy_alias = next(a["name"] for a in aliases if a["lang"] == "ru")
        country = None if rng.random() < 0.15 else rng.choice(COUNTRIES)
        if kind == "person":
            description = rng.choice(ROLES) if rng.random() < 0.6 else None
        else:
            description = None if rng.random() < 0.5 else DESCRIPTIONS[kind]
        if kind == "media":
            media.append(index)
        slugs.append(slug)
        writer.write({"slug": slug, "name": name, "kind": kind, "country": country,
                      "description": description, "wikidata_id": None, "aliases": aliases})
    return slugs, media, heavy_alias, alias_count


def write_topics(rng, writer):
    names = [f"{adjective} {noun}" for adjective in TOPIC_ADJECTIVES for noun in TOPIC_NOUNS]
    slugs = []
    for name in rng.sample(names, TOPICS):
        slugs.append(slugify(name))
        writer.write({"slug": slugs[-1], "name": name})
    return slugs


def write_sources(rng, writer, count):
    """Returns (slug, lang, published_on ordinal) lists, indexed alike."""
    slugs, langs, days = [], [], []
    for index in range(count):
        kind = rng.choice(SOURCE_KINDS)
        lang = rng.choice(SOURCE_LANGS)
        published = rng.randint(FIRST_DAY, LAST_DAY)
        publisher, site = rng.choice(PUBLISHERS)
        title_words = rng.choices(WORDS[lang], k=rng.randint(4, 9))
        title = " ".join(title_words).capitalize()
        slug = f"{kind.replace('_', '-')}-{day(published)}-{index + 1}"
        writer.write({
            "slug": slug, "kind": kind, "title": title, "publisher": publisher,
            "url": f"https://example.org/{site}/{day(published)}/{slug}",
            "lang": lang, "published_on": day(published), "text": None,
        })
        slugs.append(slug)
        langs.append(lang)
        days.append(published)
    return slugs, langs, days


def quote_text(rng, lang, kind, number):
    """Words from the lang's list, ending with the number-th token (so texts are unique:
    the last run of letters of a text is its token)."""
    words = WORDS[lang]
    name = token(number, TOKEN_SCRIPT[lang])
    if kind == "partial":
        return " ".join(rng.choices(words, k=rng.randint(2, 5))) + " " + name
    body = " ".join(rng.choices(words, k=rng.randint(6, 18)))
    body = body[0].upper() + body[1:]
    if lang == "fr":
        roll = rng.random()
        if roll < 0.3:  # French typography: « guillemets » and no-break spaces
            return f"«{NBSP}{body} {name}{NBSP}»."
        if roll < 0.5:  # and a no-break space before ! and ?
            return f"{body} {name}{NBSP}{rng.choice('!?')}"
        return f"{body} {name}."
    if lang == "en" and rng.random() < 0.15:
        return f"“{body} {name}”."
    return f"{body} {name}" + rng.choice([".", ".", ".", "!", "?"])


def write_quotes(rng, writer, count, speakers, sources, light_quotes):
    """Quotes by Zipf-drawn speakers; returns per speaker a reservoir of at most RESERVOIR
    (text, source slug, said_on) for the claims' stances."""
    slugs, media = speakers
    source_slugs, source_langs, source_days = sources
    cumulative = zipf_cumulative(len(slugs), zero={len(slugs) - 1})
    light = len(slugs) - 1
    seen = [0] * len(slugs)
    reservoirs = {}
    for number in range(count):
        speaker = light if number in light_quotes else draw(rng, cumulative)
        source = rng.randrange(len(source_slugs))
        lang = source_langs[source]
        kind = rng.choice(QUOTE_KINDS)
        text = quote_text(rng, lang, kind, number)
        said_on = max(FIRST_DAY, source_days[source] - rng.choice((0, 0, 0, 1, 1, 2, 3)))
        via = None
        if media and rng.random() < 0.05:
            relay = rng.choice(media)
            via = None if relay == speaker else {"slug": slugs[relay]}
        context = rng.choice(CONTEXTS) if rng.random() < 0.3 else None
        writer.write({
            "text": text, "lang": lang, "kind": kind, "said_on": day(said_on),
            "context": context, "speaker": {"slug": slugs[speaker]}, "via": via,
            "source": {"slug": source_slugs[source]}, "text_position": None,
        })
        seen[speaker] += 1  # reservoir sampling (algorithm R), per speaker
        kept = reservoirs.setdefault(speaker, [])
        if len(kept) < RESERVOIR:
            kept.append((text, source_slugs[source], said_on))
        else:
            slot = rng.randrange(seen[speaker])
            if slot < RESERVOIR:
                kept[slot] = (text, source_slugs[source], said_on)
    return reservoirs


def claim_text(rng, number):
    name = token(number)
    if rng.random() < 0.25:
        return (f"{rng.choice(CLAIM_SUBJECTS_FR)} {rng.choice(CLAIM_PREDICATES_FR)} {name}.",
                "fr")
    tail = rng.choice(CLAIM_TAILS)
    tail = f", {tail}," if tail else ""
    return f"{rng.choice(CLAIM_SUBJECTS)}{tail} {rng.choice(CLAIM_PREDICATES)} {name}.", "en"


def _stance(rng, slug, kept, source_slugs):
    stated_on = rng.randint(FIRST_DAY, LAST_DAY)
    if kept and rng.random() < 0.6:
        text, source, said_on = rng.choice(kept)
        return {"speaker": {"slug": slug}, "quote": {"text": text}, "source": {"slug": source},
                "stated_on": day(said_on)}
    source = {"slug": rng.choice(source_slugs)} if rng.random() < 0.3 else None
    return {"speaker": {"slug": slug}, "quote": None, "source": source,
            "stated_on": None if rng.random() < 0.1 else day(stated_on)}


def _reviews(rng, number):
    reviews = []
    if rng.random() >= 0.3:
        return reviews
    for publisher, lang, site in rng.sample(FACT_CHECKERS, 1 if rng.random() < 0.85 else 2):
        label = rng.choice(RATING_LABELS)
        reviews.append({
            "publisher": publisher,
            "url": f"https://example.org/fact-checks/{site}/{number + 1}",
            "rating_label": label, "rating": None,
            "published_on": day(rng.randint(FIRST_DAY, LAST_DAY)), "lang": lang,
            "title": f"{label}: claim {number + 1} checked",
            "explanation": None if rng.random() < 0.3 else
            " ".join(rng.choices(WORDS["en"], k=rng.randint(6, 14))).capitalize() + ".",
        })
    return reviews


def write_claims(rng, writer, count, speakers, topics, reservoirs, source_slugs, light_claims):
    """Claims with 1–5 stances by distinct Zipf-drawn speakers; returns (stances, reviews,
    stances by speaker-heavy, by speaker-light)."""
    slugs = speakers[0]
    light = len(slugs) - 1
    cumulative = zipf_cumulative(len(slugs), zero={light})
    totals = {"stances": 0, "reviews": 0, "heavy": 0, "light": 0}
    for number in range(count):
        text, lang = claim_text(rng, number)
        chosen = []
        wanted = rng.randint(1, 5)
        if number in light_claims:
            chosen.append(light)
        while len(chosen) < wanted:
            speaker = draw(rng, cumulative)
            if speaker not in chosen:
                chosen.append(speaker)
        stances = {"asserts": [], "denies": [], "questions": []}
        for speaker in chosen:
            position = rng.choice(POSITIONS)
            stance = _stance(rng, slugs[speaker], reservoirs.get(speaker), source_slugs)
            stances[position].append(stance)
        totals["stances"] += len(chosen)
        totals["heavy"] += chosen.count(0)
        totals["light"] += chosen.count(light)
        reviews = _reviews(rng, number)
        totals["reviews"] += len(reviews)
        appearances = []
        if rng.random() < 0.05:
            appearances = [{"url": f"https://example.org/appearances/{number + 1}/{i + 1}",
                            "published_on": day(rng.randint(FIRST_DAY, LAST_DAY)),
                            "first": i == 0} for i in range(rng.randint(1, 2))]
        first_seen = None if rng.random() < 0.5 else day(rng.randint(FIRST_DAY, LAST_DAY))
        writer.write({
            "text": text, "lang": lang, "first_seen": first_seen,
            "topics": [{"slug": slug} for slug in rng.sample(topics, rng.randint(0, 3))],
            "stances": stances, "reviews": reviews, "appearances": appearances,
        })
    return totals


def generate(out_dir, quotes, seed, speakers=None):
    """Write the five NDJSON files of a data set of `quotes` quotes into out_dir.

    Returns the lines written per file, plus "aliases", "stances", "reviews", and the two
    named speakers: {"heavy": {"slug", "alias", "stances"}, "light": {"slug", "stances"}}.
    """
    if quotes < 1:
        raise ValueError("quotes must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_speakers = speakers or max(MIN_SPEAKERS, quotes // 20)
    n_sources = max(10, quotes // 50)
    n_claims = max(LIGHT_STANCES, quotes // 3)

    def stream(name):  # one random stream per part, so a change in one leaves the others
        return random.Random(f"claimbase-bench/{seed}/{name}")

    plan = stream("plan")
    light_quotes = set(plan.sample(range(quotes), min(LIGHT_QUOTES, quotes)))
    light_claims = set(plan.sample(range(n_claims), LIGHT_STANCES))
    writers = {name: Writer(out / f"{name}.ndjson") for name in FILES}
    try:
        topics = write_topics(stream("topics"), writers["topics"])
        slugs, media, heavy_alias, aliases = write_speakers(
            stream("speakers"), writers["speakers"], n_speakers)
        sources = write_sources(stream("sources"), writers["sources"], n_sources)
        reservoirs = write_quotes(stream("quotes"), writers["quotes"], quotes, (slugs, media),
                                  sources, light_quotes)
        totals = write_claims(stream("claims"), writers["claims"], n_claims, (slugs, media),
                              topics, reservoirs, sources[0], light_claims)
    finally:
        for writer in writers.values():
            writer.close()
    counts = {name: writers[name].count for name in FILES}
    counts.update(aliases=aliases, stances=totals["stances"], reviews=totals["reviews"],
                  heavy={"slug": HEAVY_SLUG, "alias": heavy_alias, "stances": totals["heavy"]},
                  light={"slug": LIGHT_SLUG, "stances": totals["light"]})
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speakers", type=int, default=None,
                        help=f"how many speakers (default: quotes / 20, at least {MIN_SPEAKERS:,})")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.out, args.quotes, args.seed, args.speakers)
    elapsed = time.perf_counter() - started
    for name in FILES:
        path = args.out / f"{name}.ndjson"
        print(f"{path}: {counts[name]:,} lines, {path.stat().st_size / 1e6:,.1f} MB",
              file=sys.stderr)
    heavy, light = counts["heavy"], counts["light"]
    print(f"{counts['aliases']:,} aliases, {counts['stances']:,} stances, "
          f"{counts['reviews']:,} reviews in {elapsed:.1f} s", file=sys.stderr)
    print(f"named speakers: heavy={heavy['slug']} (alias {heavy['alias']}, "
          f"{heavy['stances']:,} stances) light={light['slug']} ({light['stances']} stances)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
