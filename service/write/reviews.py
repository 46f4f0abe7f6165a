"""A review's values as every writer stores them: the rating normalised from its label
(docs/ratings.md) when none is given, and the canonical publisher it names."""

from ..publishers import with_canonical_publisher
from ..ratings import normalise_rating


def review_values(data, publishers=None):
    """The values to store for a review. `publishers` is an import's cache of publisher
    alias key → id (service/publishers.py), None for one write."""
    if data.get("rating") is None:
        data = {**data, "rating": normalise_rating(data.get("rating_label"))}
    return with_canonical_publisher(data, publishers)
