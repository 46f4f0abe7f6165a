"""Seeds and fixtures: `claimbase-dataset/1` files loaded through the one import pipeline.

The file is read by its import adapter (service/formats/dataset.py) and written by the same
pipeline as every import (service/importer.py), in one transaction, under the actor `seed`,
so every seeded row has its history. Loading again is idempotent on natural keys: nothing is
duplicated, and a row that anyone else changed since it was seeded (or deleted) is kept as
it is; the report counts it as "kept: edited since seeded".
"""

from pathlib import Path

from .formats.base import FileError
from .formats.dataset import FORMAT  # noqa: F401  (the format's name, for callers)
from .formats.dataset import Dataset
from .importer import ImportFailed
from .importer import import_items

SEED_ACTOR = "seed"


class DatasetError(Exception):
    """The dataset is invalid: `problems` lists (place, message) pairs; nothing was written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(
            f"{place}: {message}" for place, message in problems[:5]))


def load_dataset(path, actor=SEED_ACTOR):
    """Load a dataset file into the bound database, all or nothing; its ImportReport."""
    path = Path(path)
    try:
        stream = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        raise DatasetError([(str(path), f"cannot read: {error}")]) from None
    with stream:
        dataset = Dataset(stream, path.parent)
        try:
            return import_items(dataset.items(), "dataset", actor, keep_edits=True)
        except ImportFailed as error:
            raise DatasetError([
                (str(path), p.reason) if isinstance(p, FileError)
                else (dataset.place(p.line, p.field), p.reason)
                for p in error.report.problems]) from None
        except UnicodeDecodeError as error:
            raise DatasetError([(str(path), f"cannot read: {error}")]) from None
