"""One batch of an import: validate each item, resolve its references, merge it by natural
key with what the database holds, then write with a few bulk statements.

Each record is checked completely (schema, references) before anything of it is written, so
a rejected record leaves nothing behind, not even the speaker it named. History rows are
written for every row created or updated, as the API's writes do. `Batch` only orchestrates
parts with one job each: References (references.py) resolves what records name, the
Recorder (recording.py, over rows.py and history.py) writes rows with their history, and
one writer per resource (resources.py, claims.py) checks and merges that resource's items.
"""

from collections import defaultdict

from .. import derived
from ..db import database
from ..formats.base import RecordError
from .claims import ClaimWriter
from .recording import Recorder
from .references import References
from .resources import QuoteWriter
from .resources import SourceWriter
from .resources import SpeakerWriter
from .resources import TopicWriter
from .run import Outcome

# The writers, in the order a batch writes (topics before the claims naming them).
WRITERS = {"topics": TopicWriter, "speakers": SpeakerWriter, "sources": SourceWriter,
           "quotes": QuoteWriter, "claims": ClaimWriter}
KINDS = tuple(WRITERS)


class Batch:
    """The items of one batch, written kind by kind through the parts."""

    def __init__(self, run, items):
        self.run = run
        self.items = items

    def write(self):
        """Write the batch's items (in the caller's transaction); their Outcome."""
        outcome = Outcome()
        by_kind = defaultdict(list)
        for item in self.items:
            if item.kind not in WRITERS:
                outcome.problems.append(RecordError(item.line, None,
                                                    f"unknown resource {item.kind!r}"))
            else:
                by_kind[item.kind].append(item)
        # The rows' search index and document bumps are derived once, at the end of the
        # batch (service/derived.py), not per row by their triggers.
        with derived.bulk(database.obj) as derived_rows:
            recorder = Recorder(self.run, outcome, derived_rows)
            refs = References(self.run, recorder)
            refs.prefetch(self.items)
            for kind, writer in WRITERS.items():
                if by_kind[kind]:
                    writer(self.run, refs, recorder).write(by_kind[kind])
            recorder.flush()
        return outcome
