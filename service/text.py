"""Text rules shared by loaders and queries: name keys and W3C text-quote selectors."""

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

MAX_KEY_LENGTH = 255  # the indexed column's width; longer names match on their start
SELECTOR_CONTEXT = 32  # characters of prefix/suffix kept around a quote
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """The form names are matched by: no case, accents, punctuation or extra spaces.

    Works in every script: 'États-Unis' → 'etats unis', 'VLADIMIR  POUTINE' → 'vladimir poutine',
    'Путин' → 'путин'; Hangul is decomposed only to drop marks, then recomposed.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", stripped).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())[:MAX_KEY_LENGTH]


@dataclass(frozen=True)
class TextQuoteSelector:
    """Where a quote stands in its source text (W3C Web Annotation selectors)."""

    exact: str
    prefix: str
    suffix: str
    start: int  # code-point offset of the first character
    end: int  # code-point offset just past the last character


def slugify(name: str, max_length: int = 120, transliterate: bool = False) -> str:
    """An ASCII slug: accents dropped, lowercase, runs of anything else as one hyphen
    ('Barack Obama' → 'barack-obama'); '' when nothing is left (e.g. a non-Latin script).

    With `transliterate` (new speakers' slugs), every script is transliterated (anyascii):
    'Путин' → 'putin', 'Łukaszenka' → 'lukaszenka'. Other slugs keep the older rule, so a
    re-imported file names the same sources as before."""
    if transliterate:
        ascii_name = anyascii(name)
    else:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:max_length].strip("-")


class QuoteNotInSource(ValueError):
    """The quote's text is not found verbatim in the source text."""


def _selector(source_text, start, end):
    return TextQuoteSelector(
        exact=source_text[start:end],
        prefix=source_text[max(0, start - SELECTOR_CONTEXT) : start],
        suffix=source_text[end : end + SELECTOR_CONTEXT],
        start=start,
        end=end,
    )


def selector_at(source_text: str, exact: str, start: int, end: int) -> TextQuoteSelector:
    """The selector of a quote said to stand at [start:end] of the source text, checked."""
    if not 0 <= start < end <= len(source_text) or source_text[start:end] != exact:
        raise QuoteNotInSource(f"the source text at [{start}:{end}] is not the quote's text")
    return _selector(source_text, start, end)


def locate_quote(source_text: str, exact: str, occurrence: int = 1) -> TextQuoteSelector:
    """The selector of the `occurrence`-th verbatim occurrence of `exact` in `source_text`."""
    if not exact:
        raise QuoteNotInSource("the quote text is empty")
    start = -1
    for _ in range(occurrence):
        start = source_text.find(exact, start + 1)
        if start < 0:
            found = source_text.count(exact)
            raise QuoteNotInSource(
                f"The quote is not found verbatim in the source text "
                f"(occurrence {occurrence} asked, {found} found)"
            )
    return _selector(source_text, start, start + len(exact))
