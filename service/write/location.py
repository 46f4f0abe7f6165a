"""Quote location: where a quote stands in its source's text, as the four selector columns
(W3C TextQuoteSelector's prefix and suffix, TextPositionSelector's offsets). The API's
writes and the imports both ask here; each says the failure in its own terms."""

from ..text import locate_quote
from ..text import selector_at

SELECTOR_FIELDS = ("prefix", "suffix", "start_offset", "end_offset")


def selector_columns(source_text, exact, occurrence=1, position=None):
    """The selector columns of `exact` in `source_text` (all None when the source holds no
    text): its `occurrence`-th match, or the match at `position` ((start, end) code points).
    Raises text.QuoteNotInSource when the text does not hold the quote there."""
    if source_text is None:
        return dict.fromkeys(SELECTOR_FIELDS)
    if position is not None:
        found = selector_at(source_text, exact, *position)
    else:
        found = locate_quote(source_text, exact, occurrence)
    return {"prefix": found.prefix, "suffix": found.suffix,
            "start_offset": found.start, "end_offset": found.end}
