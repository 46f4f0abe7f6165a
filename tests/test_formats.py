"""Format adapters (LIAR2, CLEF-2018 CheckThat!, EUvsDisinfo): pure parse and translate.

No database: each adapter reads a text stream and yields Items or RecordErrors. The real
data tests read ../shared/data when it is there (see its SOURCE.md files for the figures).
"""

import io
from collections import Counter
from pathlib import Path

import pytest

from service.formats import clef
from service.formats import euvsdisinfo
from service.formats import liar2
from service.formats.base import Item
from service.formats.base import RecordError
from service.formats.base import slugify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"the shared test data ({SHARED_DATA}) is not there")

LIAR2_HEADER = ("id,label,statement,date,subject,speaker,speaker_description,state_info,"
                "true_counts,mostly_true_counts,half_true_counts,mostly_false_counts,"
                "false_counts,pants_on_fire_counts,context,justification\n")
EUVSDISINFO_HEADER = ("issue,date,outlet,language,origin,reported by,keywords,source,title,"
                      "summary,disproof\n")
POLITIFACT = {"slug": "politifact", "kind": "article", "publisher": "PolitiFact",
              "url": "https://www.politifact.com/"}
TEST_DEBATE = {"slug": "clef2018-test-debate", "kind": "broadcast", "title": "Test-Debate",
               "publisher": None, "url": None, "lang": "en"}


def read_file(adapter, path):
    """Everything an adapter yields for a file, opened as the importer opens it."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(adapter.read(stream))


def items(records, kind=None):
    """The Items among records (of one kind if given)."""
    return [r for r in records if isinstance(r, Item) and kind in (None, r.kind)]


def errors(records):
    """The RecordErrors among records, as (line, field, reason)."""
    return [(r.line, r.field, r.reason) for r in records if isinstance(r, RecordError)]


class LineTap:
    """A stream that counts the lines taken from it: adapters must not read ahead."""

    def __init__(self, text):
        self.lines = text.splitlines(keepends=True)
        self.taken = 0

    def __iter__(self):
        for line in self.lines:
            self.taken += 1
            yield line


# --- base helpers -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "slug"), [
    ("natural disasters ", "natural-disasters"),
    ("Nazi/Fascist", "nazi-fascist"),
    ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
    ("  --Health Care--  ", "health-care"),
    ("Путин", ""),
    ("a" * 119 + " b", "a" * 119),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


# --- LIAR2 ------------------------------------------------------------------------------

def test_liar2_fixture_yields_a_quote_then_a_claim_per_row_at_its_first_line():
    records = read_file(liar2, FIXTURES / "liar2.csv")
    assert errors(records) == []
    assert [(r.line, r.kind) for r in records] == [
        (line, kind) for line in (2, 3, 7, 9, 10, 11) for kind in ("quotes", "claims")]


def test_liar2_row_translates_to_quote_and_claim():
    quote, claim = read_file(liar2, FIXTURES / "liar2.csv")[:2]
    speaker = {"name": "jane placeholder", "kind": "person",
               "description": "Jane Placeholder is the governor of Testland."}
    statement = "Says Testland's unemployment rate fell to 4 percent last year."
    assert quote.data == {
        "text": statement, "lang": "en", "kind": "indirect", "said_on": "2015-03-03",
        "context": "a press conference", "speaker": speaker, "via": None,
        "source": POLITIFACT, "text_position": None}
    assert claim.data == {
        "text": statement, "lang": "en", "first_seen": None,
        "topics": [{"slug": "economy", "name": "economy"}, {"slug": "jobs", "name": "jobs"}],
        "stances": {"asserts": [{"speaker": speaker, "quote": {"text": statement},
                                 "source": POLITIFACT, "stated_on": "2015-03-03"}],
                    "denies": [], "questions": []},
        "reviews": [{"publisher": "PolitiFact", "url": None, "rating_label": "half-true",
                     "rating": None, "published_on": None, "lang": "en", "title": None,
                     "explanation": "The rate fell to 4.3 percent, not 4. "
                                    "Close, but rounding helps her."}],
        "appearances": []}
    assert quote.notes == []
    assert claim.notes == ["LIAR2 does not say what kind each speaker is; "
                           "new speakers are created as person"]


def test_liar2_says_the_speaker_kind_note_once():
    claims = items(read_file(liar2, FIXTURES / "liar2.csv"), "claims")
    assert [len(c.notes) for c in claims] == [1, 0, 0, 0, 0, 0]


def test_liar2_keeps_text_verbatim():
    claims = {c.line: c.data for c in items(read_file(liar2, FIXTURES / "liar2.csv"), "claims")}
    assert claims[3]["text"] == 'Says Sen. Bob Example "voted 37 times to raise the harbour tax."'
    assert claims[3]["reviews"][0]["explanation"] == (
        'The mailer said Example "voted 37 times." We counted four votes.\n'
        "Three of them were procedural.\n\nWe rate it False.")
    assert claims[7]["stances"]["asserts"][0]["speaker"]["description"] == (
        "John Fauxman is\na Testland port official.")
    assert claims[9]["text"] == "Says the state\u2019s budget grew by 40\u00a0percent in one year."
    # Only the whitespace around a whole field goes.
    assert claims[10]["text"] == "Says the new bridge cost more than the old harbour."
    assert claims[10]["stances"]["asserts"][0]["speaker"]["name"] == "josé ejemplo"


def test_liar2_topics_are_stripped_and_deduplicated():
    claims = {c.line: c.data for c in items(read_file(liar2, FIXTURES / "liar2.csv"), "claims")}
    assert claims[3]["topics"] == [{"slug": "taxes", "name": "taxes"},
                                   {"slug": "harbour", "name": "harbour"}]
    assert claims[9]["topics"] == [{"slug": "state-budget", "name": "state budget"},
                                   {"slug": "candidate-biography",
                                    "name": "candidate biography"}]
    assert claims[11]["topics"] == [{"slug": "crime", "name": "crime"}]


def test_liar2_labels_and_empty_fields():
    claims = {c.line: c.data for c in items(read_file(liar2, FIXTURES / "liar2.csv"), "claims")}
    assert {line: c["reviews"][0]["rating_label"] for line, c in claims.items()} == {
        2: "half-true", 3: "false", 7: "true", 9: "pants-fire", 10: "barely-true",
        11: "mostly-true"}
    quotes = {q.line: q.data for q in items(read_file(liar2, FIXTURES / "liar2.csv"), "quotes")}
    assert quotes[9]["context"] is None
    assert quotes[9]["speaker"]["description"] is None
    assert quotes[11]["said_on"] == "2016-02-29"


@pytest.mark.parametrize(("row", "field", "value"), [
    ('7,6,Says a thing.,"May 1, 2015",x,jane,,,,,,,,,,', "label", "'6'"),
    ('7,half-true,Says a thing.,"May 1, 2015",x,jane,,,,,,,,,,', "label", "'half-true'"),
    ("7,,Says a thing.,\"May 1, 2015\",x,jane,,,,,,,,,,", "label", "''"),
    ("7,3,Says a thing.,2015-05-01,x,jane,,,,,,,,,,", "date", "'2015-05-01'"),
    ('7,3,Says a thing.,"Mai 1, 2015",x,jane,,,,,,,,,,', "date", "'Mai 1, 2015'"),
    ('7,3,  ,"May 1, 2015",x,jane,,,,,,,,,,', "statement", "empty"),
    ('7,3,Says a thing.,"May 1, 2015",x, ,,,,,,,,,,', "speaker", "empty"),
])
def test_liar2_bad_row_is_an_error_and_the_next_row_still_reads(row, field, value):
    good = '8,5,Says another thing.,"May 2, 2015",x,john,,,,,,,,,,\n'
    records = list(liar2.read(io.StringIO(LIAR2_HEADER + row + "\n" + good)))
    assert [(e[0], e[1]) for e in errors(records)] == [(2, field)]
    assert value in errors(records)[0][2]
    assert [(r.line, r.kind) for r in items(records)] == [(3, "quotes"), (3, "claims")]
    # The note goes on the first claim actually yielded.
    assert items(records)[1].notes


def test_liar2_row_with_the_wrong_number_of_fields():
    records = list(liar2.read(io.StringIO(LIAR2_HEADER + '7,3,Says a thing.,"May 1, 2015"\n')))
    assert errors(records) == [(2, None, "expected 16 fields as in the header, found 4")]


def test_liar2_header_without_required_columns_stops_at_line_1():
    text = "id,label,claim,date,subject\n1,3,Says a thing.,\"May 1, 2015\",x\n"
    records = list(liar2.read(io.StringIO(text)))
    assert len(records) == 1
    assert errors(records)[0][:2] == (1, None)
    assert "statement, speaker" in errors(records)[0][2]


def test_liar2_empty_file_is_an_error():
    assert errors(liar2.read(io.StringIO(""))) == [
        (1, None, "the file is empty: expected a header row")]


def test_liar2_lone_carriage_return_is_not_a_line():
    # LIAR2 has "\r\r\n" inside justifications; grep and wc see one line break there.
    row = '7,3,Says a thing.,"May 1, 2015",x,jane,,,,,,,,,,"One.\r\r\nTwo."\r\n'
    text = LIAR2_HEADER + row + '8,3,Says more.,"May 1, 2015",x,jane,,,,,,,,,,\r\n'
    records = list(liar2.read(io.StringIO(text, newline="")))
    assert [r.line for r in items(records, "claims")] == [2, 4]
    assert items(records, "claims")[0].data["reviews"][0]["explanation"] == "One.\r\r\nTwo."


def test_liar2_streams():
    tap = LineTap((FIXTURES / "liar2.csv").read_text(encoding="utf-8"))
    records = liar2.read(tap)
    assert next(records).line == 2
    assert tap.taken < len(tap.lines)
    assert [r.line for r in records][-1] == 11


@needs_shared_data
def test_liar2_real_valid_split():
    records = read_file(liar2, SHARED_DATA / "liar2" / "valid.csv")
    assert errors(records) == []
    claims, quotes = items(records, "claims"), items(records, "quotes")
    assert len(claims) == len(quotes) == 2297
    labels = Counter(c.data["reviews"][0]["rating_label"] for c in claims)
    assert labels == {"pants-fire": 303, "false": 661, "barely-true": 361, "half-true": 371,
                      "mostly-true": 343, "true": 258}
    assert len({q.data["speaker"]["name"] for q in quotes}) == 939
    assert claims[-1].line == 2770  # SOURCE.md: 2,770 physical lines


# --- CLEF-2018 CheckThat! ---------------------------------------------------------------

def clef_quote(text, speaker):
    """A quote item's data as the CLEF adapter makes it, for the test debate."""
    return {"text": text, "lang": "en", "kind": "direct", "said_on": None, "context": None,
            "speaker": {"name": speaker, "kind": "person"}, "via": None,
            "source": TEST_DEBATE, "text_position": None}


def test_clef_task2_quotes_skip_non_speakers_and_keep_quotes_verbatim():
    records = read_file(clef, FIXTURES / "Task2-English-Test-Debate.tsv")
    assert errors(records) == []
    quotes = items(records, "quotes")
    assert [q.line for q in quotes] == [1, 2, 4, 5, 6, 8, 9, 10, 12, 13]
    assert quotes[1].data == clef_quote('I\'m Dana Host, anchor of "Testland Tonight."', "HOST")
    # A leading " is text, not CSV quoting.
    assert quotes[4].data == clef_quote('"Doubled" is his favourite word, and it is wrong.',
                                        "JONES")


def test_clef_task2_claims_come_after_the_lines_at_their_first_line():
    records = read_file(clef, FIXTURES / "Task2-English-Test-Debate.tsv")
    assert [(r.line, r.kind) for r in records][-3:] == [(5, "claims"), (8, "claims"),
                                                        (10, "claims")]
    unemployment, harbour, schools = (c.data for c in items(records, "claims"))
    assert unemployment == {
        "text": "Unemployment in Testland doubled between 2012 and 2016.", "lang": "en",
        "first_seen": None, "topics": [],
        "stances": {"asserts": [{"speaker": {"name": "SMITH", "kind": "person"},
                                 "quote": {"text": "Unemployment in Testland doubled in "
                                                   "four years."},
                                 "source": TEST_DEBATE, "stated_on": None}],
                    "denies": [], "questions": []},
        "reviews": [{"publisher": "CLEF-2018 CheckThat! Lab", "url": None,
                     "rating_label": "FALSE", "rating": None, "published_on": None,
                     "lang": "en", "title": None, "explanation": None}],
        "appearances": []}
    assert [(s["speaker"]["name"], s["quote"]["text"]) for s in harbour["stances"]["asserts"]] \
        == [("JONES", "Our harbour handled ten million containers last year."),
            ("SMITH", "Ten million, yes, and half of them were empty.")]
    assert harbour["reviews"][0]["rating_label"] == "HALF-TRUE"
    assert schools["text"] == "Jones's government built 300 schools."
    assert schools["reviews"] == []  # its label is "-"


def test_clef_counts_go_on_the_last_item():
    records = read_file(clef, FIXTURES / "Task2-English-Test-Debate.tsv")
    assert [r.notes for r in records[:-1]] == [[]] * (len(records) - 1)
    assert records[-1].notes == [
        "2 SYSTEM lines (audience reaction) and 1 QUESTION lines (anonymous questioner) "
        "are not speakers; skipped",
        "1 of 10 quote lines repeat what the same speaker already said in this debate "
        "(e.g. SMITH: 'Thank you.'); quotes are keyed by source, speaker, text and start "
        "offset, so they collapse into 9 quotes"]


def test_clef_task1_has_quotes_and_no_claims():
    records = read_file(clef, FIXTURES / "Task1-English-Test-Debate.tsv")
    assert errors(records) == []
    assert [(r.line, r.kind) for r in records] == [
        (1, "quotes"), (3, "quotes"), (4, "quotes"), (5, "quotes"), (6, "quotes")]
    assert records[0].data == clef_quote(
        "Good evening from Example College in Testland City.", "HOST")
    assert records[-1].notes == [
        "1 SYSTEM lines (audience reaction) are not speakers; skipped",
        "the Task1 check-worthiness column (2 lines marked 1) is not imported"]


def test_clef_debate_comes_from_the_name_argument_or_the_file_name():
    text = "1\tSMITH\tHello.\t0\n"
    named = list(clef.read(io.StringIO(text), name="uploads/Task1-English-2nd-Presidential.tsv"))
    assert named[0].data["source"] == {
        "slug": "clef2018-2nd-presidential", "kind": "broadcast", "title": "2nd-Presidential",
        "publisher": None, "url": None, "lang": "en"}
    with open(FIXTURES / "Task1-English-Test-Debate.tsv", newline="", encoding="utf-8") as s:
        assert next(clef.read(s)).data["source"] == TEST_DEBATE


@pytest.mark.parametrize(("name", "reason"), [
    (None, "the debate is named by the file name (Task1|Task2-<lang>-<debate>.tsv)"),
    ("debate.tsv", "'debate.tsv': the debate is named by the file name "
                   "(Task1|Task2-<lang>-<debate>.tsv)"),
    ("Task2-Arabic-1st-Presidential.tsv", "only the English files are read, not 'Arabic'"),
])
def test_clef_without_a_debate_name_stops_at_line_1(name, reason):
    records = list(clef.read(io.StringIO("1\tSMITH\tHello.\t0\n"), name=name))
    assert errors(records) == [(1, None, reason)]
    assert len(records) == 1


def read_test_debate(text):
    """What the CLEF adapter yields for TSV text, as the test debate."""
    return list(clef.read(io.StringIO(text), name="Task2-English-Test-Debate.tsv"))


def test_clef_line_with_the_wrong_number_of_columns():
    records = read_test_debate("1\tSMITH\tHello.\n2\tSMITH\tBye.\tN/A\t-\t-\n")
    assert errors(records) == [
        (1, None, "expected 4 (task1) or 6 (task2) tab-separated columns, found 3")]
    assert [r.line for r in items(records)] == [2]


@pytest.mark.parametrize(("second", "field", "mentions"), [
    ("2\tJONES\tYes.\t1\tTaxes rose twice.\tFALSE", "normalized_claim", "'Taxes rose twice.'"),
    ("2\tJONES\tYes.\t1\tTaxes rose.\tTRUE", "label", "'TRUE'"),
    ("2\tJONES\tYes.\t1\tTaxes rose.\tMOSTLY-FALSE", "label", "'MOSTLY-FALSE'"),
    ("2\tJONES\tYes.\t1\t-\tFALSE", "normalized_claim", "claim 1"),
    ("2\t \tYes.\tN/A\t-\t-", "speaker", "empty"),
    ("2\tJONES\t\tN/A\t-\t-", "text", "empty"),
])
def test_clef_bad_line_is_an_error(second, field, mentions):
    records = read_test_debate(f"1\tSMITH\tTaxes rose.\t1\tTaxes rose.\tFALSE\n{second}\n")
    assert [(e[0], e[1]) for e in errors(records)] == [(2, field)]
    assert mentions in errors(records)[0][2]
    claims = items(records, "claims")
    assert [len(c.data["stances"]["asserts"]) for c in claims] == [1]


def test_clef_claim_of_a_skipped_line_is_skipped_too():
    records = read_test_debate("1\tSYSTEM\t(APPLAUSE)\t1\tCrowds cheered.\tTRUE\n"
                               "2\tSMITH\tHello.\tN/A\t-\t-\n")
    assert [(r.line, r.kind) for r in records] == [(2, "quotes")]


def test_clef_streams_quotes_as_lines_come():
    tap = LineTap((FIXTURES / "Task2-English-Test-Debate.tsv").read_text(encoding="utf-8"))
    records = clef.read(tap, name="Task2-English-Test-Debate.tsv")
    assert next(records).line == 1
    assert tap.taken < len(tap.lines)


CLEF_DEBATES = {
    # debate: (speaker lines, skipped lines, distinct claims, labelled lines, check-worthy)
    "1st-Presidential": ({"TRUMP": 747, "CLINTON": 432, "HOLT": 198}, {"SYSTEM": 26},
                         30, {"TRUE": 11, "HALF-TRUE": 10, "FALSE": 16}, 37),
    "2nd-Presidential": ({"TRUMP": 656, "CLINTON": 358, "COOPER": 127, "RADDATZ": 125},
                         {"SYSTEM": 14, "QUESTION": 23},
                         25, {"TRUE": 4, "HALF-TRUE": 8, "FALSE": 17}, 29),
    "Vice-Presidential": ({"KAINE": 600, "PENCE": 524, "QUIJANO": 199}, {"SYSTEM": 35},
                          27, {"TRUE": 7, "HALF-TRUE": 6, "FALSE": 15}, 28),
}
CLEF_REPEATS = {"1st-Presidential": 32, "2nd-Presidential": 39, "Vice-Presidential": 46}


def labelled_lines(path):
    """{line: verdict} of the Task2 lines with a verdict, straight from the file."""
    with open(path, encoding="utf-8") as stream:
        rows = [line.rstrip("\n").split("\t") for line in stream]
    return {number: row[5] for number, row in enumerate(rows, 1)
            if row[3] != "N/A" and row[5] != "-"}


@needs_shared_data
@pytest.mark.parametrize("task", ["Task1", "Task2"])
@pytest.mark.parametrize("debate", sorted(CLEF_DEBATES))
def test_clef_real_debates(task, debate):
    speakers, skipped, claim_count, labelled, check_worthy = CLEF_DEBATES[debate]
    path = SHARED_DATA / "clef2018-checkthat" / task.lower() / f"{task}-English-{debate}.tsv"
    records = read_file(clef, path)
    assert errors(records) == []
    quotes, claims = items(records, "quotes"), items(records, "claims")
    assert Counter(q.data["speaker"]["name"] for q in quotes) == speakers
    assert {q.data["source"]["slug"] for q in quotes} == {"clef2018-" + debate.lower()}
    notes = records[-1].notes
    assert notes[0] == " and ".join(f"{n} {speaker} lines ({clef.NOT_SPEAKERS[speaker]})"
                                    for speaker, n in skipped.items()) + \
        " are not speakers; skipped"
    assert notes[1].startswith(f"{CLEF_REPEATS[debate]} of {len(quotes)} quote lines repeat")
    if task == "Task1":
        assert claims == []
        assert notes[2] == (f"the Task1 check-worthiness column ({check_worthy} lines "
                            f"marked 1) is not imported")
        return
    assert len(claims) == claim_count
    verdicts = labelled_lines(path)
    assert Counter(verdicts.values()) == labelled
    assert set(verdicts) <= {q.line for q in quotes}
    said = {(q.data["speaker"]["name"], q.data["text"]) for q in quotes}
    for claim in claims:
        assert claim.data["reviews"][0]["rating_label"] == verdicts[claim.line]
        for stance in claim.data["stances"]["asserts"]:
            assert (stance["speaker"]["name"], stance["quote"]["text"]) in said


# --- EUvsDisinfo ------------------------------------------------------------------------

def test_euvsdisinfo_fixture_yields_a_claim_per_row_with_duplicates_kept():
    records = read_file(euvsdisinfo, FIXTURES / "euvsdisinfo.csv")
    assert errors(records) == []
    assert [(r.line, r.kind) for r in records] == [
        (2, "claims"), (3, "claims"), (6, "claims"), (7, "claims"), (8, "claims"),
        (9, "claims")]
    assert records[0].data == records[3].data  # the exact duplicate row


def test_euvsdisinfo_row_translates_to_a_claim():
    claim = read_file(euvsdisinfo, FIXTURES / "euvsdisinfo.csv")[1]
    assert claim.data == {
        "text": "Testland\u2019s election was\u00a0rigged by foreign agents", "lang": None,
        "first_seen": "2017-09-26",
        "topics": [{"slug": "elections", "name": "Elections"},
                   {"slug": "democracy", "name": "Democracy"}],
        "stances": {"asserts": [{"speaker": {"name": "Evening show @Example TV, 21:55",
                                             "kind": "media"},
                                 "quote": None, "source": None, "stated_on": "2017-09-26"}],
                    "denies": [], "questions": []},
        "reviews": [{"publisher": "EUvsDisinfo", "url": None,
                     "rating_label": "Disinformation", "rating": None, "published_on": None,
                     "lang": None, "title": None,
                     "explanation": "Observers found no fraud.\nThe claim repeats a story "
                                    "debunked in 2016:\nhttps://debunk.example.org/2016/rigged"}],
        "appearances": [{"url": "http://tv.example.net/show/1548844/",
                         "published_on": "2017-09-26", "first": False}]}
    assert claim.notes == []


def test_euvsdisinfo_keywords_sources_and_empty_fields():
    claims = {c.line: c for c in items(read_file(euvsdisinfo, FIXTURES / "euvsdisinfo.csv"))}
    assert claims[6].data["first_seen"] == "2015-02-11"
    assert claims[8].data["topics"] == [{"slug": "nato", "name": "NATO"},
                                        {"slug": "migration-crisis",
                                         "name": "Migration crisis"}]
    assert claims[8].data["appearances"] == []
    assert claims[8].notes == ["source 'Example Radio, morning show' is not an http(s) URL; "
                               "no appearance recorded"]
    assert claims[9].data["topics"] == []
    assert claims[9].data["appearances"] == []
    assert claims[9].data["reviews"][0]["explanation"] is None
    assert claims[9].notes == []


@pytest.mark.parametrize(("row", "field", "mentions"), [
    ('82,13/45/17,"TV","English","","","","","A claim","",""', "date", "'13/45/17'"),
    ('82,2017-10-03,"TV","English","","","","","A claim","",""', "date", "'2017-10-03'"),
    ('82,10/03/17,"TV","English","","","",""," ","",""', "title", "empty"),
    ('82,10/03/17,"","English","","","","","A claim","",""', "outlet", "empty"),
])
def test_euvsdisinfo_bad_row_is_an_error(row, field, mentions):
    good = '83,10/04/17,"TV","English","","","","","Another claim","",""\n'
    records = list(euvsdisinfo.read(io.StringIO(EUVSDISINFO_HEADER + row + "\n" + good)))
    assert [(e[0], e[1]) for e in errors(records)] == [(2, field)]
    assert mentions in errors(records)[0][2]
    assert [r.line for r in items(records)] == [3]


def test_euvsdisinfo_header_without_required_columns_stops_at_line_1():
    text = "issue,date,outlet,title\n82,10/03/17,TV,A claim\n"
    records = list(euvsdisinfo.read(io.StringIO(text)))
    assert len(records) == 1
    assert errors(records)[0][:2] == (1, None)
    assert "disproof, source, keywords" in errors(records)[0][2]


def test_euvsdisinfo_streams():
    tap = LineTap((FIXTURES / "euvsdisinfo.csv").read_text(encoding="utf-8"))
    records = euvsdisinfo.read(tap)
    assert next(records).line == 2
    assert tap.taken < len(tap.lines)


@needs_shared_data
def test_euvsdisinfo_real_dataset():
    records = read_file(euvsdisinfo, SHARED_DATA / "euvsdisinfo-kalkun" /
                        "full_dataset_formatted.csv")
    assert errors(records) == []
    assert len(items(records, "claims")) == 3071
    # 2,772 distinct rows, but three pairs differ only in `language`, which is not read.
    distinct = {repr(sorted(r.data.items())) for r in records}
    assert len(distinct) == 2769
    assert records[-1].line == 3451  # SOURCE.md: 3,451 physical lines, the last one a record
