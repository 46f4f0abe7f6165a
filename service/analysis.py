"""Text analysis for search: the one definition of a word, an elision and a stem.

A text is indexed twice: its words as written (case and accents folded: the language-neutral
field) and, when its language has a Snowball stemmer, its stems (elisions removed first).
PostgreSQL computes both with text-search configurations built from the same pieces
(migration 0009); SQLite calls `stems()` from its triggers, on connections where
`register_functions` ran, and FTS5's unicode61 tokenizer makes the words.
"""

import functools
import re
import threading
import unicodedata

import snowballstemmer

# language code (ISO 639-1, the part before any '-') → Snowball algorithm, for the languages
# both Snowball's Python port and PostgreSQL's text search (snowball template) stem.
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hu": "hungarian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "tr": "turkish",
}
# French and Italian elided articles and pronouns, with either apostrophe (' or ’):
# "d’artillerie" and "l'OTAN" index and search as "artillerie" and "OTAN".
ELIDED = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
          "presqu", "quelqu", "un", "all", "dall", "dell", "nell", "sull", "coll", "pell",
          "quest", "quell")
ELISION_PATTERN = "(^|[^[:alnum:]])(" + "|".join(ELIDED) + ")['’]([[:alnum:]])"  # PostgreSQL
_ELISION = re.compile(r"(^|[^\w]|_)(" + "|".join(ELIDED) + r")['’](?=[^\W_])", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
# Letters PostgreSQL's unaccent rewrites that Unicode does not decompose.
_FOLDS = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d",
                        "ð": "d", "þ": "th", "ı": "i", "ё": "е"})


def language(lang):
    """The Snowball algorithm for a language tag ('fr', 'fr-CA', 'FR'), or None."""
    if not lang:
        return None
    return STEMMERS.get(lang.split("-")[0].lower())


def strip_elisions(text):
    """The text without elided articles before words (l’, d’, qu’, dell’ …)."""
    if "'" not in text and "’" not in text:
        return text  # no elision possible: skipping the pattern halved the stems' time
    return _ELISION.sub(r"\1", text)


@functools.lru_cache(maxsize=100_000)
def fold(word):
    """A word lowercased and with Latin accents removed, as PostgreSQL's unaccent does
    (cached: imports fold every word of every row, and most words recur)."""
    word = word.lower().translate(_FOLDS)
    if word.isascii():
        return word
    kept = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char) and kept and kept[-1] < "\u0250":
            continue  # a mark on a Latin letter (Cyrillic й keeps its breve, as unaccent)
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def words(text):
    """The words of a text: runs of letters and digits (as FTS5's unicode61 splits them)."""
    return _WORD.findall(text or "")


_local = threading.local()  # stemmers keep state while they work: one per thread


def _stemmer(algorithm):
    cache = _local.__dict__.setdefault("stemmers", {})
    if algorithm not in cache:
        cache[algorithm] = snowballstemmer.stemmer(algorithm)
    return cache[algorithm]


def stem(word, algorithm):
    """One word's stem in a Snowball language (folded first)."""
    return _stemmer(algorithm).stemWord(fold(word))


_stems_of = {}  # algorithm → {word as written: its stem}, bounded by STEM_CACHE words
STEM_CACHE = 200_000


def stems(text, lang):
    """The stems of a text in its language, space-separated ('' when it has no stemmer).

    Each distinct word is folded and stemmed once per process (an import indexes every
    word of every text, and most words recur): a fifth of the stems' time."""
    algorithm = language(lang)
    if algorithm is None or not text:
        return ""
    known = _stems_of.setdefault(algorithm, {})
    if len(known) > STEM_CACHE:
        known.clear()
    out = []
    for word in words(strip_elisions(text)):
        found = known.get(word)
        if found is None:
            found = known[word] = stem(word, algorithm)
        out.append(found)
    return " ".join(out)


def register_functions(db):
    """Give a SQLite database the function its search triggers call."""
    db.register_function(stems, "claimbase_stems", 2, deterministic=True)
