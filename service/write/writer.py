"""What every resource's batch writer is given: the run, the batch's References (to resolve
what a record names) and its Recorder (to write rows with their history)."""

from ..formats.base import RecordError


class Writer:
    """A resource's writer for one batch; `write(items)` is its one public job."""

    def __init__(self, run, refs, recorder):
        self.run = run
        self.refs = refs
        self.recorder = recorder
        self.outcome = recorder.outcome

    def each_valid(self, items, check):
        """(item, checked record) for the items that pass `check`; the others are reported."""
        for item in items:
            try:
                yield item, check(item)
            except RecordError as error:
                self.outcome.problems.append(error)
