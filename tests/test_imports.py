"""The import pipeline: own formats round-trip, real data sets import completely and once,
bad records are reported by line and field, and nothing is half-written."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from service import create_app
from service.db import bind
from service.db import database
from service.db import migrate
from service.formats.own import RESOURCES
from service.importer import ImportFailed
from service.importer import import_stream
from service.importer import import_text
from service.models import Change
from service.models import Claim
from service.models import Quote
from service.models import Review
from service.models import Speaker
from service.models import Stance
from tests.conftest import FIXTURES

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LIAR2 = DATA / "liar2" / "valid.csv"
CLEF = DATA / "clef2018-checkthat"
EUVSDISINFO = DATA / "euvsdisinfo-kalkun" / "full_dataset_formatted.csv"


def needs(path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is absent (../shared/data)")


@pytest.fixture
def fresh(new_database_url):
    """A new, migrated, empty app; its connection is open for the test."""
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    db.connect()
    yield app
    db.close()


def exported(app, fmt):
    """{resource: the export's text} through HTTP, as a newsroom would fetch it. (A request
    binds the models to its app's database; the test's binding is restored after.)"""
    bound = database.obj
    client = app.test_client()
    texts = {r: client.get(f"/{r}.{fmt}").get_data(as_text=True) for r in RESOURCES}
    database.initialize(bound)
    return texts


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def as_data(texts):
    return {r: [without_ids(json.loads(line)) for line in text.splitlines()]
            for r, text in texts.items()}


def import_all(texts, fmt):
    return [import_text(texts[r], fmt, "test", resource=r) for r in RESOURCES]


def counts():
    return {m.__name__: m.select().count() for m in (Speaker, Quote, Claim, Stance, Review)}


# --- Claimbase's own formats --------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_export_then_import_into_an_empty_database_reproduces_the_data(app, fresh, fmt):
    original = exported(app, "ndjson")
    import_all(exported(app, fmt), fmt)
    copy = exported(fresh, "ndjson")
    assert as_data(copy) == as_data(original)
    assert sum(len(t.splitlines()) for t in copy.values()) > 100


def test_reimporting_an_export_changes_nothing(app, fresh):
    texts = exported(app, "ndjson")
    import_all(texts, "ndjson")
    history = Change.select().count()
    again = import_all(texts, "ndjson")
    assert all(r.created == {} and r.updated == {} for r in again)
    assert sum(sum(r.unchanged.values()) for r in again) > 100
    assert Change.select().count() == history


def test_a_changed_field_is_updated_and_recorded(app, fresh):
    speakers = exported(app, "ndjson")["speakers"]
    import_text(speakers, "ndjson", "test", resource="speakers")
    putin = Speaker.get(Speaker.slug == "vladimir-putin")
    edited = speakers.replace('"slug": "vladimir-putin", "name": "Vladimir Putin"',
                              '"slug": "vladimir-putin", "name": "Vladimir V. Putin"')
    assert edited != speakers
    report = import_text(edited, "ndjson", "editor", resource="speakers")
    assert (report.updated, report.created) == ({"speakers": 1}, {})
    renamed = Speaker.get(Speaker.slug == "vladimir-putin")
    assert (renamed.name, renamed.version) == ("Vladimir V. Putin", putin.version + 1)
    change = Change.select().where(Change.action == "update").get()
    assert (change.token_name, change.resource_id) == ("editor", putin.id)
    assert change.changed_fields["name"] == ["Vladimir Putin", "Vladimir V. Putin"]


BAD_CLAIMS = "\n".join([
    json.dumps({"text": "The harbour is open.", "lang": "en"}),
    "{not json",
    json.dumps({"text": "The bridge is closed.", "lang": "English"}),
    json.dumps({"text": "Taxes fell.", "lang": "en", "reviews": [{"url": "https://x.example/"}]}),
    json.dumps({"text": "Ports grew.", "lang": "en", "stances": {"asserts": [
        {"speaker": {"name": "Nobody Known"}}]}}),
])


def test_a_bad_record_means_nothing_is_imported_and_every_one_is_named(fresh):
    before = counts()
    with pytest.raises(ImportFailed) as failed:
        import_text(BAD_CLAIMS, "ndjson", "test")
    problems = [p.as_dict() for p in failed.value.problems]
    assert problems == [
        {"line": 2, "field": None, "reason": problems[0]["reason"]},
        {"line": 3, "field": "lang", "reason": "Not a valid BCP 47 language tag."},
        {"line": 4, "field": "reviews[0].publisher", "reason": "Missing data for required field."},
        {"line": 5, "field": "stances.asserts[0].speaker.kind",
         "reason": "no speaker named 'Nobody Known'; a kind is needed to create one"},
    ]
    assert problems[0]["reason"].startswith("not JSON")
    assert failed.value.report.rejected == 4 and not failed.value.report.committed
    assert counts() == before


def test_skip_invalid_imports_the_good_records_and_reports_the_others(fresh):
    report = import_text(BAD_CLAIMS, "ndjson", "test", skip_invalid=True)
    assert report.committed and (report.records, report.rejected) == (5, 4)
    assert report.created == {"claims": 1}
    assert [p.line for p in report.problems] == [2, 3, 4, 5]
    assert [c.text for c in Claim.select()] == ["The harbour is open."]


@pytest.mark.parametrize(("text", "fmt"), [('{"text": "x"}', "liar2"), ("[1]", "claimskg"),
                                           ("{oops", "claimreview"), ("", "euvsdisinfo")])
def test_a_file_in_another_format_is_refused_even_with_skip_invalid(fresh, text, fmt):
    with pytest.raises(ImportFailed) as failed:
        import_text(text, fmt, "test", skip_invalid=True)
    assert failed.value.problems[0].line == 1


def test_an_empty_file_imports_nothing_and_says_so(fresh):
    report = import_text("", "ndjson", "test", resource="topics")
    assert report.records == 0 and report.notes == ["the file holds no records"]


def test_a_rejected_record_leaves_nothing_behind_not_even_its_new_speaker(fresh):
    line = json.dumps({"text": "Ports grew.", "lang": "en",
                       "stances": {"asserts": [{"speaker": {"name": "Ann New", "kind": "person"}}]},
                       "reviews": [{"publisher": "X", "rating": "very true"}]})
    report = import_text(line, "ndjson", "test", skip_invalid=True)
    assert report.rejected == 1 and report.problems[0].field == "reviews[0].rating"
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_database_conflict_names_its_record_and_keeps_the_others(fresh):
    lines = "\n".join(json.dumps({"slug": slug, "name": name, "kind": "person",
                                  "wikidata_id": "Q7747"})
                      for slug, name in (("v-putin", "V. Putin"), ("putin-2", "Putin")))
    with pytest.raises(ImportFailed):
        import_text(lines, "ndjson", "test", resource="speakers")
    assert Speaker.select().count() == 0
    report = import_text(lines, "ndjson", "test", resource="speakers", skip_invalid=True)
    assert report.created == {"speakers": 1} and report.rejected == 1
    assert report.problems[0].line == 2
    assert report.problems[0].reason.startswith("conflicts with the database")


def test_a_quote_position_must_match_its_source_text(app, fresh):
    texts = exported(app, "ndjson")
    for resource in ("speakers", "sources"):
        import_text(texts[resource], "ndjson", "test", resource=resource)
    quote = json.loads(texts["quotes"].splitlines()[0])
    assert quote["text_position"]
    quote["text_position"]["start"] += 1
    with pytest.raises(ImportFailed) as failed:
        import_text(json.dumps(quote), "ndjson", "test", resource="quotes")
    assert failed.value.problems[0].field == "text"


def test_csv_rows_with_newlines_are_reported_at_the_line_they_start(fresh):
    text = 'slug,name\nharbour,"The\nharbour"\nbad slug,Bad\n'
    with pytest.raises(ImportFailed) as failed:
        import_text(text, "csv", "test", resource="topics")
    assert [(p.line, p.field) for p in failed.value.problems] == [(4, "slug")]


# --- the adapters' data sets, through the pipeline ---------------------------------------

def test_liar2_speakers_are_found_by_display_name_name_or_slug(fresh):
    report = import_text((FIXTURES / "liar2.csv").read_text(encoding="utf-8"), "liar2", "test")
    assert report.records == 6
    client = fresh.test_client()
    answers = [client.get("/claims", query_string={"speaker": name}).get_json()
               for name in ("jane placeholder", "Jane Placeholder", "jane-placeholder")]
    bind(fresh.extensions["claimbase.db"])
    ids = [[c["id"] for c in answer["data"]] for answer in answers]
    assert ids[0] and ids[0] == ids[1] == ids[2]


@needs(LIAR2)
def test_liar2_valid_imports_completely_and_once(fresh):
    with open(LIAR2, encoding="utf-8", newline="") as stream:
        report = import_stream(stream, "liar2", "test")
    assert (report.records, report.rejected) == (2297, 0)
    assert report.created["claims"] == 2297 and report.created["quotes"] == 2297
    assert report.created["reviews"] == 2297
    ratings = Counter(r.rating_label for r in Review.select(Review.rating_label))
    assert ratings == {"pants-fire": 303, "false": 661, "barely-true": 361, "half-true": 371,
                       "mostly-true": 343, "true": 258}
    assert Speaker.select().count() == report.created["speakers"] <= 939
    client = fresh.test_client()
    answers = [client.get("/claims", query_string={"speaker": name, "limit": 100}).get_json()
               for name in ("barack obama", "Barack Obama", "barack-obama")]
    ids = [sorted(c["id"] for c in answer["data"]) for answer in answers]
    assert len(ids[0]) == 64 and ids[0] == ids[1] == ids[2]
    with open(LIAR2, encoding="utf-8", newline="") as stream:
        again = import_stream(stream, "liar2", "test")
    assert again.created == {} and again.updated == {}


def clef_lines(path):
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))


@needs(CLEF)
@pytest.mark.parametrize("debate", ["1st-Presidential", "2nd-Presidential", "Vice-Presidential"])
def test_clef_debates_import_speakers_quotes_and_claims(fresh, debate):
    path = CLEF / "task2" / f"Task2-English-{debate}.tsv"
    rows = clef_lines(path)
    with open(path, encoding="utf-8", newline="") as stream:
        report = import_stream(stream, "clef", "test", name=path.name)
    spoken = Counter(row[1] for row in rows if row[1] not in ("SYSTEM", "QUESTION"))
    assert (report.records, report.rejected) == (spoken.total(), 0)  # the rest: in a note
    assert any(f"{len(rows) - spoken.total()} " in note or "SYSTEM" in note
               for note in report.notes)
    assert {s.name for s in Speaker.select()} == set(spoken)
    distinct = {(row[1], row[2]) for row in rows if row[1] in spoken}
    quotes = Counter(q.speaker.name for q in Quote.select(Quote, Speaker).join(
        Speaker, on=Quote.speaker == Speaker.id))
    assert quotes == Counter(speaker for speaker, _ in distinct)
    claims = {row[3]: row[5] for row in rows if row[3] != "N/A"}
    assert Claim.select().count() == len(claims) == {"1st-Presidential": 30,
                                                      "2nd-Presidential": 25,
                                                      "Vice-Presidential": 27}[debate]
    assert Review.select().count() == sum(1 for label in claims.values() if label != "-")


@needs(EUVSDISINFO)
def test_euvsdisinfo_imports_its_cases_and_collapses_duplicates(fresh):
    with open(EUVSDISINFO, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
        stream.seek(0)
        report = import_stream(stream, "euvsdisinfo", "test")
    assert (report.records, report.rejected) == (3071, 0)
    assert Claim.select().count() == len({r["title"].strip() for r in rows})
    assert Stance.select().count() == len({(r["title"].strip(), r["outlet"].strip())
                                           for r in rows})
    assert {s.kind for s in Speaker.select()} == {"media"}
    assert Review.select().where(Review.publisher != "EUvsDisinfo").count() == 0
    with open(EUVSDISINFO, encoding="utf-8", newline="") as stream:
        again = import_stream(stream, "euvsdisinfo", "test")
    assert again.created == {} and again.updated == {}


# --- interrupted imports ------------------------------------------------------------------

def write_big_import(directory, quotes):
    """speakers, sources and a long quotes file in Claimbase's NDJSON."""
    (directory / "speakers.ndjson").write_text(json.dumps(
        {"slug": "ann-example", "name": "Ann Example", "kind": "person"}) + "\n")
    (directory / "sources.ndjson").write_text(json.dumps(
        {"slug": "harbour-gazette", "kind": "article"}) + "\n")
    with open(directory / "quotes.ndjson", "w", encoding="utf-8") as out:
        for n in range(quotes):
            out.write(json.dumps({"text": f"The harbour’s crane number {n} works.",
                                  "kind": "direct", "speaker": {"slug": "ann-example"},
                                  "source": {"slug": "harbour-gazette"}}) + "\n")


def import_in_transaction(url):
    """Whether the import's connection is inside its (uncommitted) transaction by now."""
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 100_000
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND xact_start < now() - interval '1 second' "
                            "AND pid <> pg_backend_pid()").fetchone()[0] > 0


def test_a_killed_import_leaves_the_database_as_it_was(fresh, new_database_url, tmp_path):
    write_big_import(tmp_path, 300_000)
    env = {**os.environ, "DATABASE_URL": new_database_url}
    claimbase = [str(Path(sys.executable).parent / "claimbase")]
    subprocess.run([*claimbase, "import", "--format", "ndjson", str(tmp_path / "speakers.ndjson"),
                    str(tmp_path / "sources.ndjson")], env=env, check=True, capture_output=True)
    before = Quote.select().count(), Change.select().count()
    process = subprocess.Popen([*claimbase, "import", "--format", "ndjson",
                                str(tmp_path / "quotes.ndjson")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not import_in_transaction(new_database_url) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    assert process.poll() is None, "the import ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    db = fresh.extensions["claimbase.db"]
    db.close()
    with db.connection_context():
        assert (Quote.select().count(), Change.select().count()) == before
        if new_database_url.startswith("sqlite"):
            assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
        assert import_text(json.dumps({"text": "Still writable.", "kind": "direct",
                                       "speaker": {"slug": "ann-example"},
                                       "source": {"slug": "harbour-gazette"}}),
                           "ndjson", "test", resource="quotes").created == {"quotes": 1}


def test_a_big_import_refreshes_the_planner_statistics(fresh, new_database_url, tmp_path):
    write_big_import(tmp_path, 1200)
    for name in ("speakers", "sources", "quotes"):
        import_text((tmp_path / f"{name}.ndjson").read_text(encoding="utf-8"), "ndjson",
                    "test", resource=name)
    db = fresh.extensions["claimbase.db"]
    if new_database_url.startswith("sqlite"):
        analyzed = db.execute_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'quote'")
    else:
        analyzed = db.execute_sql("SELECT count(*) FROM pg_stat_user_tables WHERE relname = "
                                  "'quote' AND last_analyze IS NOT NULL")
    assert analyzed.fetchone()[0] >= 1


# --- over HTTP ----------------------------------------------------------------------------

def test_imports_over_http_take_every_format(editor, tokens):
    speakers = io.StringIO()
    speakers.write(json.dumps({"slug": "ann-http", "name": "Ann Http", "kind": "person"}))
    response = editor.client.post("/imports?format=ndjson&resource=speakers",
                                  data=speakers.getvalue().encode(), headers=editor.headers(),
                                  content_type="application/x-ndjson")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == {"speakers": 1}
    liar2 = (FIXTURES / "liar2.csv").read_bytes()
    # LIAR2's subjects become new topics, which only an admin may create (service/auth.py)
    refused = editor.client.post("/imports?format=liar2", data=liar2,
                                 headers=editor.headers(), content_type="text/csv")
    assert refused.status_code == 422
    assert "creating topics needs the admin role" in str(refused.get_json()["errors"])
    response = editor.client.post("/imports?format=liar2", data=liar2, content_type="text/csv",
                                  headers=editor.headers(token=tokens["admin"]))
    assert response.status_code == 200 and response.get_json()["records"] == 6
    debate = (FIXTURES / "Task2-English-Test-Debate.tsv").read_bytes()
    response = editor.client.post("/imports?format=clef&name=Task2-English-Test-Debate.tsv",
                                  data=debate, headers=editor.headers(),
                                  content_type="text/tab-separated-values")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"]["claims"] >= 1


def test_http_imports_report_bad_lines_or_skip_them(editor):
    body = BAD_CLAIMS.replace("The harbour is open.", "The harbour over HTTP is open.").encode()
    refused = editor.client.post("/imports?format=ndjson", data=body, headers=editor.headers(),
                                 content_type="application/x-ndjson")
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["records"][1] == (
        "line 3: lang: Not a valid BCP 47 language tag.")
    skipped = editor.client.post("/imports?format=ndjson&skip_invalid=true", data=body,
                                 headers=editor.headers(), content_type="application/x-ndjson")
    report = skipped.get_json()
    assert skipped.status_code == 200 and report["committed"] is True
    assert report["rejected"] == 4 and report["created"] == {"claims": 1}
    assert report["problems"][1] == {"line": 3, "field": "lang",
                                     "reason": "Not a valid BCP 47 language tag."}
    not_utf8 = editor.client.post("/imports?format=csv", data=b"slug,name\n\xff,x\n",
                                  headers=editor.headers(), content_type="text/csv")
    assert not_utf8.status_code == 422 and "UTF-8" in json.dumps(not_utf8.get_json())


# --- the command line ---------------------------------------------------------------------

def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["import", *map(str, args)])


def test_cli_import_names_each_bad_record_and_writes_nothing(fresh, tmp_path):
    path = tmp_path / "claims.ndjson"
    path.write_text(BAD_CLAIMS, encoding="utf-8")
    result = invoke(fresh, "--format", "ndjson", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "claims.ndjson: line 3: lang: Not a valid BCP 47 language tag." in result.output
    assert "nothing was imported (4 bad record(s) of 5" in result.output
    assert Claim.select().count() == 0
    kept = invoke(fresh, "--format", "ndjson", "--skip-invalid", path)
    assert kept.exit_code == 0, kept.output
    assert "5 records: created 1 claims; updated nothing; unchanged nothing; rejected 4" in (
        kept.output)
    assert "rows/s" not in kept.output  # no progress bar when not on a terminal


@pytest.mark.parametrize(("content", "args", "message"), [
    (b'{"text": "x"}\n', ["--format", "liar2"], "the header lacks the column(s) id, label"),
    (b"slug,name\n\xff\xfe,x\n", ["--format", "csv", "--resource", "topics"], "not UTF-8"),
    (b"text\nx\n", ["--format", "csv", "--resource", "planets"], "Invalid value for"),
])
def test_cli_import_errors_are_one_line_without_traceback(fresh, tmp_path, content, args,
                                                          message):
    path = tmp_path / "file.txt"
    path.write_bytes(content)
    result = invoke(fresh, *args, path)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_cli_import_of_a_missing_file_says_so(fresh, tmp_path):
    result = invoke(fresh, "--format", "ndjson", tmp_path / "nowhere.ndjson")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_cli_import_shows_progress_on_a_terminal(new_database_url, tmp_path):
    import pty

    write_big_import(tmp_path, 3000)
    env = {**os.environ, "DATABASE_URL": new_database_url, "COLUMNS": "160"}
    claimbase = str(Path(sys.executable).parent / "claimbase")
    primary, secondary = pty.openpty()
    shown = []

    def drain():  # read as it comes: a full terminal buffer would block the command
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    result = subprocess.run([claimbase, "import", "--format", "ndjson",
                             *(str(tmp_path / f"{r}.ndjson") for r in
                               ("speakers", "sources", "quotes"))],
                            env=env, stdout=subprocess.PIPE, stderr=secondary, timeout=120)
    os.close(secondary)
    reader.join(timeout=10)
    os.close(primary)
    shown = b"".join(shown)
    assert result.returncode == 0
    assert b"rows/s" in shown and b"quotes.ndjson" in shown
    assert b"3000 records: created 3000 quotes" in result.stdout
