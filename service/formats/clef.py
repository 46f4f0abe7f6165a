"""CLEF-2018 CheckThat! Lab: the 2016 US debates, one sentence a line, tab-separated.

No header, no quoting (a `"` is part of the text). Task1 lines are `line_number, speaker,
text, label` (check-worthiness); Task2 lines are `line_number, speaker, text, claim_number,
normalized_claim, label` (TRUE, HALF-TRUE, FALSE or `-`). The file name names the debate:
`Task2-English-1st-Presidential.tsv`.

Each sentence becomes a direct quote from the debate (a broadcast source); in Task2 files,
the lines sharing a claim_number become one claim, asserted by each speaker of those lines
and reviewed by the lab. Claims are yielded after the last line, since a claim's lines may
be far apart.
"""

import csv
import re
from collections import Counter
from pathlib import PurePath

from .base import FileError
from .base import Item
from .base import RecordError
from .base import readable_records
from .base import slugify

FILE_NAME = re.compile(r"Task[12]-(?P<lang>[A-Za-z]+)-(?P<debate>.+)\.(?:tsv|txt)")
NAMING = "the debate is named by the file name (Task1|Task2-<lang>-<debate>.tsv)"
TASK1_COLUMNS = 4
TASK2_COLUMNS = 6
NOT_A_CLAIM = "N/A"
NO_LABEL = "-"
LABELS = ("TRUE", "HALF-TRUE", "FALSE")
REVIEWER = "CLEF-2018 CheckThat! Lab"
# Not people: lines of these are skipped, and counted in a note.
NOT_SPEAKERS = {"SYSTEM": "audience reaction", "QUESTION": "anonymous questioner"}


def read(stream, name=None):
    """Quote Items as lines come, then claim Items, or RecordErrors, in file order.

    `name` is the file name when the stream has none (or another one, e.g. an upload's
    temporary file): it wins over `stream.name`."""
    file_name = name or getattr(stream, "name", None)
    debate, problem = debate_of(file_name)
    if problem:
        yield FileError(problem)
        return
    transcript = Transcript(debate)
    yield from with_closing_notes(transcript.read(stream), transcript.closing_notes)


def debate_of(file_name):
    """(debate, None) from a file name like Task2-English-1st-Presidential.tsv, or
    (None, the problem)."""
    if not isinstance(file_name, str) or not file_name:
        return None, NAMING
    match = FILE_NAME.fullmatch(PurePath(file_name).name)
    if not match:
        return None, f"{PurePath(file_name).name!r}: {NAMING}"
    if match["lang"] != "English":
        # The Arabic files are the lab's translation of an English debate: their quotes
        # would be neither direct nor in the source's language.
        return None, f"only the English files are read, not {match['lang']!r}"
    return match["debate"], None


def with_closing_notes(records, closing_notes):
    """The records as they come, but with closing_notes() added to the last Item.

    Counts are known only at the end, so the last Item (and any errors after it) is held
    back one step; order is kept."""
    held = []
    for record in records:
        if isinstance(record, Item):
            yield from held
            held = []
        held.append(record)
    items = [record for record in held if isinstance(record, Item)]
    if items:
        items[0].notes.extend(closing_notes())
    yield from held


class Transcript:
    """The state of one debate's file while it is read: counts and claims so far."""

    def __init__(self, debate):
        self.debate = debate
        self.source = {"slug": "clef2018-" + slugify(debate), "kind": "broadcast",
                       "title": debate, "publisher": None, "url": None, "lang": "en"}
        self.skipped = Counter()  # lines of NOT_SPEAKERS, by speaker
        self.said = set()  # (speaker, text) of the quotes yielded
        self.quote_lines = 0
        self.first_repeat = None  # a text said twice by one speaker, for the note
        self.check_worthy = None  # Task1 lines labelled 1; None until a Task1 line is read
        self.claims = {}  # claim_number → Claim, in order of first line

    def read(self, stream):
        """Items and errors of every line, then the claims."""
        for record in readable_records(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
            if isinstance(record, RecordError):
                yield record
                break
            line, row = record
            if row:  # a blank line (at the end, say) is no record
                yield from self.line(line, row)
        for claim in self.claims.values():
            yield claim.item(self.source)

    def line(self, line, row):
        """The quote Item of one line (none for a non-speaker) or a RecordError."""
        if len(row) not in (TASK1_COLUMNS, TASK2_COLUMNS):
            yield RecordError(line, None, f"expected {TASK1_COLUMNS} (task1) or "
                                          f"{TASK2_COLUMNS} (task2) tab-separated columns, "
                                          f"found {len(row)}")
            return
        speaker, text = row[1].strip(), row[2].strip()
        if not speaker or not text:
            yield RecordError(line, "speaker" if not speaker else "text",
                              f"the {'speaker' if not speaker else 'text'} is empty")
            return
        if len(row) == TASK1_COLUMNS:
            self.check_worthy = (self.check_worthy or 0) + (row[3].strip() == "1")
        if speaker in NOT_SPEAKERS:
            self.skipped[speaker] += 1
            return
        if len(row) == TASK2_COLUMNS and row[3].strip() != NOT_A_CLAIM:
            problem = self.add_to_claim(line, row, speaker, text)
            if problem:
                yield problem
                return
        self.quote_lines += 1
        if (speaker, text) in self.said:
            self.first_repeat = self.first_repeat or f"{speaker}: {text!r}"
        self.said.add((speaker, text))
        yield Item(line, "quotes", self.quote(speaker, text))

    def quote(self, speaker, text):
        """A sentence of the debate as a quote."""
        return {"text": text, "lang": "en", "kind": "direct", "said_on": None, "context": None,
                "speaker": {"name": speaker, "kind": "person"}, "via": None,
                "source": dict(self.source), "text_position": None}

    def add_to_claim(self, line, row, speaker, text):
        """Adds a Task2 line to its claim; a RecordError when the line cannot be added."""
        number, claim_text, label = (value.strip() for value in row[3:6])
        if not claim_text or claim_text == NO_LABEL:
            return RecordError(line, "normalized_claim", f"claim {number} has no normalized text")
        if label not in LABELS and label != NO_LABEL:
            return RecordError(line, "label", f"{label!r} is not a verdict "
                                              f"({', '.join(LABELS)} or {NO_LABEL})")
        claim = self.claims.get(number)
        if claim is None:
            self.claims[number] = claim = Claim(line, claim_text, label)
        problem = claim.disagreement(line, claim_text, label)
        if problem:
            return problem
        claim.speakers.setdefault(speaker, text)
        return None

    def closing_notes(self):
        """What only the end of the file tells: skipped lines and collapsed repeats."""
        notes = []
        if self.skipped:
            counts = [f"{self.skipped[speaker]} {speaker} lines ({why})"
                      for speaker, why in NOT_SPEAKERS.items() if self.skipped[speaker]]
            notes.append(f"{' and '.join(counts)} are not speakers; skipped")
        repeats = self.quote_lines - len(self.said)
        if repeats:
            notes.append(f"{repeats} of {self.quote_lines} quote lines repeat what the same "
                         f"speaker already said in this debate (e.g. {self.first_repeat}); "
                         f"quotes are keyed by source, speaker, text and start offset, so "
                         f"they collapse into {len(self.said)} quotes")
        if self.check_worthy is not None:
            notes.append(f"the Task1 check-worthiness column ({self.check_worthy} lines "
                         f"marked 1) is not imported")
        return notes


class Claim:
    """A Task2 normalised claim: its first line, text, verdict, and each speaker's first
    sentence of it."""

    def __init__(self, line, text, label):
        self.line = line
        self.text = text
        self.label = label
        self.speakers = {}  # speaker → text of their first line of the claim

    def disagreement(self, line, text, label):
        """A RecordError when a later line of the claim says otherwise, else None."""
        if text != self.text:
            return RecordError(line, "normalized_claim",
                               f"{text!r} differs from {self.text!r} on line {self.line}")
        if label != self.label:
            return RecordError(line, "label",
                               f"{label!r} differs from {self.label!r} on line {self.line}")
        return None

    def item(self, source):
        """The claims Item, asserted by each of its speakers."""
        asserts = [{"speaker": {"name": speaker, "kind": "person"}, "quote": {"text": text},
                    "source": dict(source), "stated_on": None}
                   for speaker, text in self.speakers.items()]
        reviews = [] if self.label == NO_LABEL else [{
            "publisher": REVIEWER, "url": None, "rating_label": self.label, "rating": None,
            "published_on": None, "lang": "en", "title": None, "explanation": None}]
        return Item(self.line, "claims", {
            "text": self.text, "lang": "en", "first_seen": None, "topics": [],
            "stances": {"asserts": asserts, "denies": [], "questions": []},
            "reviews": reviews, "appearances": []})
