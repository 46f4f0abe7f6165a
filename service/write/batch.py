"""One batch of an import: validate each item, resolve its references, merge it by natural
key with what the database holds, then write with a few bulk statements.

Each record is checked completely (schema, references) before anything of it is written, so
a rejected record leaves nothing behind, not even the speaker it named. History rows are
written for every row created or updated, as the API's writes do. The parts, one job each:
validation (validation.py), references (references.py), rows and history (recording.py,
rows.py, history.py), the resources' writers (resources.py, claims.py).
"""

from collections import defaultdict

from ..formats.base import RecordError
from .claims import ClaimWriter
from .recording import Recorder
from .references import References
from .resources import ResourceWriter
from .run import Outcome

KINDS = ("topics", "speakers", "sources", "quotes", "claims")


class Batch(ClaimWriter, ResourceWriter):
    """The items of one batch, written kind by kind (topics before the claims naming them)."""

    def __init__(self, run, items):
        self.run = run
        self.items = items
        self.outcome = Outcome()
        self.recorder = Recorder(run, self.outcome)
        self.refs = References(run, self.recorder)

    def write(self):
        by_kind = defaultdict(list)
        for item in self.items:
            if item.kind not in KINDS:
                self.outcome.problems.append(RecordError(item.line, None,
                                                         f"unknown resource {item.kind!r}"))
            else:
                by_kind[item.kind].append(item)
        self.refs.prefetch(self.items)
        for kind in KINDS:
            if by_kind[kind]:
                getattr(self, f"write_{kind}")(by_kind[kind])
        self.recorder.flush()
        return self.outcome

    def each_valid(self, items, check):
        """(item, checked record) for the items that pass `check`; the others are reported."""
        for item in items:
            try:
                yield item, check(item)
            except RecordError as error:
                self.outcome.problems.append(error)
