"""The one import pipeline: adapter → validate → resolve → write in batches, in one transaction.

Every format (service/formats) yields Items in Claimbase's own shape (docs/import-pipeline.md).
Each item is validated by its resource schema, its references are resolved by natural keys
(speakers through their names and aliases), and the batch is written with a few bulk
statements. The whole file is one transaction: by default any bad record means nothing is
kept; with `skip_invalid` the good records are kept and the bad ones reported. A killed
process leaves the database as it was (the transaction never commits).

Natural keys make a second import of the same file change nothing; see the doc for the
keys and the merge rules (dates only move earlier; references never update what they find).
"""

import io
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from peewee import DataError
from peewee import IntegrityError
from peewee import OperationalError

from . import dberrors
from .db import database
from .db import refresh_statistics
from .db import write_transaction
from .formats import FORMATS
from .formats.base import FileError
from .formats.base import RecordError
from .ratings import unmapped_labels
from .write.batch import Batch
from .write.run import Outcome
from .write.run import Run

BATCH = 1000
ANALYZE_AFTER = 1_000  # records: an import this big refreshes the planner's statistics
MAX_LISTED_PROBLEMS = 10_000  # a report lists this many; the rest are counted in a note


class ImportFailed(Exception):
    """Nothing was imported: the report lists every bad record (line, field, reason)."""

    def __init__(self, report):
        self.report = report
        self.problems = report.problems
        super().__init__(f"{len(report.problems)} bad record(s); nothing was imported")


@dataclass
class ImportReport:
    format: str
    records: int = 0  # records read from the file, good and bad
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)  # seeds: rows edited since they were seeded
    rejected: int = 0
    problems: list = field(default_factory=list)  # RecordErrors, in file order
    changes: list = field(default_factory=list)  # per updated record: line, what, fields
    notes: list = field(default_factory=list)
    unmapped_ratings: Counter = field(default_factory=Counter)  # label -> reviews
    near_duplicates: list = field(default_factory=list)  # {line, duplicates: [{id, score}]}
    committed: bool = False
    rejected_lines: set = field(default_factory=set, repr=False)

    def reject(self, problem):
        """Note a bad record (the first MAX_LISTED_PROBLEMS are listed)."""
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)
        self.rejected_lines.add(problem.line)
        self.rejected = len(self.rejected_lines)

    def changed(self, changes):
        """Note the records an import updated, and their fields (the first
        MAX_LISTED_PROBLEMS are listed)."""
        room = MAX_LISTED_PROBLEMS - len(self.changes)
        self.changes.extend(changes[:max(room, 0)])

    def finish(self):
        self.problems.sort(key=lambda p: p.line)
        self.changes.sort(key=lambda c: c["line"])
        if sum(self.updated.values()) > len(self.changes) == MAX_LISTED_PROBLEMS:
            self.notes.append(f"only the first {MAX_LISTED_PROBLEMS} updated records are "
                              "listed in changes")
        if len(self.problems) == MAX_LISTED_PROBLEMS:
            self.notes.append(f"only the first {MAX_LISTED_PROBLEMS} problems are listed; "
                              f"{self.rejected} records were rejected in all")

    def as_dict(self):
        return {"format": self.format, "records": self.records, "created": dict(+self.created),
                "updated": dict(+self.updated), "unchanged": dict(+self.unchanged),
                "rejected": self.rejected, "committed": self.committed,
                "problems": [p.as_dict() for p in self.problems], "changes": self.changes,
                "notes": self.notes, "unmapped_ratings": dict(self.unmapped_ratings),
                "near_duplicates": self.near_duplicates}

    def summary(self):
        def counts(counter):
            return ", ".join(f"{n} {kind}" for kind, n in sorted((+counter).items())) or "nothing"

        kept = f"; kept: edited since seeded {counts(self.kept)}" if +self.kept else ""
        return (f"{self.records} records: created {counts(self.created)}; updated "
                f"{counts(self.updated)}; unchanged {counts(self.unchanged)}{kept}; "
                f"rejected {self.rejected}")


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(batch_items, run, report):
    """Write one batch in a savepoint. On a database conflict (a constraint the schemas cannot
    see), write its records one by one, each in its own savepoint, to name the culprits."""
    try:
        with database.atomic():
            outcome = Batch(run, batch_items).write()
    except RECORD_ERRORS as error:
        _raise_unless_a_records(error)
        run.forget()  # the caches may hold rows the savepoint took back
        outcome = Outcome()
        if len(batch_items) == 1:
            outcome.problems.append(_conflict(batch_items[0], error))
        else:
            for item in batch_items:
                try:
                    with database.atomic():
                        outcome.add(Batch(run, [item]).write())
                except RECORD_ERRORS as item_error:
                    _raise_unless_a_records(item_error)
                    run.forget()
                    outcome.problems.append(_conflict(item, item_error))
    report.created.update(outcome.created)
    report.updated.update(outcome.updated)
    report.unchanged.update(outcome.unchanged)
    report.kept.update(outcome.kept)
    report.changed(outcome.changes)
    report.near_duplicates.extend(outcome.near_duplicates)
    for problem in outcome.problems:
        report.reject(problem)


RECORD_ERRORS = (IntegrityError, DataError, OperationalError)


def _raise_unless_a_records(error):
    """Database errors that one record causes (a constraint, a text too long to index) are
    that record's problem; the others (busy, disk full…) stop the import."""
    if isinstance(error, OperationalError) and \
            dberrors.classify(error) != dberrors.TOO_LONG_FOR_INDEX:
        raise error


def _conflict(item, error):
    if dberrors.classify(error) == dberrors.TOO_LONG_FOR_INDEX:
        return RecordError(item.line, "text", dberrors.TOO_LONG_REASON)
    return RecordError(item.line, None,
                       f"conflicts with the database: {str(error).strip().splitlines()[0]}")


def import_stream(stream, format_name, actor, *, skip_invalid=False, progress=None,
                  batch_size=BATCH, role="admin", duplicates="report", **options):
    """Import a text stream in one of FORMATS. Returns the ImportReport; raises ImportFailed
    (nothing written) when a record is bad and `skip_invalid` is not set.

    `role` is the writer's (service/auth.py): a record needing a write it does not allow
    is rejected. `progress(records_done)` is called after each batch; `options` go to the adapter
    (e.g. `resource` for ndjson/csv, `name` for clef). `duplicates`: new claims that duplicate
    a claim of the database are listed in `near_duplicates`: those of equal normalised text
    (`report`), also those of similar terms (`similar`); `attach` also gives them to that
    claim instead of creating one; `ignore` does not look (schemas/imports.py)."""
    reader = FORMATS[format_name].items(stream, **options)
    return import_items(reader, format_name, actor, skip_invalid=skip_invalid,
                        progress=progress, batch_size=batch_size, role=role,
                        duplicates=duplicates)


def import_items(reader, format_name, actor, *, skip_invalid=False, progress=None,
                 batch_size=BATCH, keep_edits=False, role="admin", duplicates="report"):
    """The pipeline after the adapter: `reader` yields Items and RecordErrors (see
    import_stream). With `keep_edits` (seeds), a row that anyone other than `actor` has
    changed since `actor` wrote it is left as it is, and counted as kept."""
    report = ImportReport(format=format_name)
    run = Run(actor, keep_edits=keep_edits, role=role, duplicates=duplicates)
    with write_transaction() as transaction:
        for items in _batches(_counted(reader, report), batch_size):
            good = [item for item in items if not isinstance(item, RecordError)]
            for problem in items:
                if isinstance(problem, RecordError):
                    report.reject(problem)
            if good:
                _write(good, run, report)
            if progress:
                progress(report.records)
        if report.records == 0:
            report.notes.append("the file holds no records")
        report.finish()
        unreadable = any(isinstance(p, FileError) for p in report.problems)
        if report.problems and (unreadable or not skip_invalid):
            transaction.rollback()
            raise ImportFailed(report)
    report.committed = True
    if report.records >= ANALYZE_AFTER:
        try:
            with database.atomic():  # on failure, only this is rolled back
                refresh_statistics()
        except OperationalError as error:  # the rows are in: say so, and what failed after
            report.notes.append("the import is committed; refreshing the query planner's "
                                f"statistics afterwards failed ({dberrors.classify(error)})")
    return report


def _counted(reader, report):
    """The adapter's output, counting records (several items of one line are one record) and
    keeping the adapter's notes."""
    last_line = 0
    for item in reader:
        if item.line > last_line:  # items of one line, or trailing items of earlier lines
            report.records += 1
            last_line = item.line
        report.notes.extend(getattr(item, "notes", ()) or ())
        report.unmapped_ratings.update(unmapped_labels(item))
        yield item


def import_text(text, format_name, actor, **options):
    """Import a whole file held as text (see import_stream)."""
    return import_stream(io.StringIO(text, newline=""), format_name, actor, **options)
