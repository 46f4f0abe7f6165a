"""Database errors classified by what a retry can do: 503 only when it can succeed; a full
disk and a text too long for the search index say so; a committed import says it is."""

import json
import sqlite3

import psycopg
import pytest
from peewee import OperationalError

from service import create_app
from service import db as service_db
from service import importer
from service.cli import main
from service.db import bind
from service.db import is_sqlite
from service.db import migrate
from service.importer import ImportFailed
from service.importer import import_text
from service.models import Claim


def chained(first, then):
    """`then`, raised while handling `first` (as peewee's failed rollback after SQLITE_FULL)."""
    try:
        try:
            raise first
        except Exception:
            raise then  # noqa: B904 (chained implicitly, as it happens in peewee)
    except Exception as error:
        return error


def sqlite_error(name, message):
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name
    return OperationalError(error)


def postgres_error(cls, message):
    return OperationalError(cls(message))


CASES = {
    "sqlite busy": (OperationalError("database is locked"), 503),
    "sqlite full": (sqlite_error("SQLITE_FULL", "database or disk is full"), 507),
    "full, hidden by the failed rollback": (chained(
        OperationalError("database or disk is full"),
        OperationalError("cannot rollback - no transaction is active")), 507),
    "postgres disk full": (postgres_error(psycopg.errors.DiskFull, "could not extend file"),
                           507),
    "postgres connection lost": (postgres_error(psycopg.OperationalError,
                                                "server closed the connection"), 503),
    "postgres deadlock": (postgres_error(psycopg.errors.DeadlockDetected, "deadlock"), 503),
    "postgres tsvector": (postgres_error(psycopg.errors.ProgramLimitExceeded,
                                         "string is too long for tsvector (1500000 bytes, "
                                         "max 1048575 bytes)"), 422),
    "schema not migrated": (OperationalError("no such table: claim"), 500),
}


@pytest.fixture
def raising_app(tmp_path):
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})

    @app.route("/fails/<case>")
    def fails(case):
        raise CASES[case][0]

    return app


@pytest.mark.parametrize("case", sorted(CASES))
def test_database_errors_are_classified_by_what_a_retry_can_do(raising_app, case):
    response = raising_app.test_client().get(f"/fails/{case}")
    status = CASES[case][1]
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert ("Retry-After" in response.headers) == (status == 503)
    if status == 507:
        assert "disk is full" in response.get_json()["detail"]
    if status == 422:
        assert "search index" in response.get_json()["errors"]["text"][0]


# PostgreSQL's tsvector holds at most 1 MB of lexemes: 160,000 distinct 8-letter words. Only
# a source's full text may be that long (claims and quotes have shorter limits: schemas).
HUGE = " ".join(f"w{n:07d}" for n in range(160_000))


def test_a_text_too_long_for_the_search_index_is_a_422(editor):
    response = editor.post("/sources", {"slug": "huge-text", "kind": "article", "text": HUGE})
    if is_sqlite():  # FTS5 has no such limit: the source is written and found
        assert response.status_code == 201, response.get_json()
        return
    assert response.status_code == 422
    assert "search index" in response.get_json()["errors"]["text"][0]


def test_an_import_names_the_record_too_long_for_the_search_index(editor):
    lines = "\n".join(json.dumps({"slug": f"imported-{n}", "kind": "article", "text": text})
                      for n, text in enumerate(("Short one.", "Imported: " + HUGE, "Short two.")))
    if is_sqlite():
        assert import_text(lines, "ndjson", "test", resource="sources").created == {"sources": 3}
        return
    with pytest.raises(ImportFailed) as failed:
        import_text(lines, "ndjson", "test", resource="sources")
    (problem,) = failed.value.problems
    assert (problem.line, problem.field) == (2, "text")
    assert "search index" in problem.reason
    report = import_text(lines.replace("imported-", "skipped-"), "ndjson", "test",
                         skip_invalid=True, resource="sources")
    assert report.created == {"sources": 2} and report.committed


def test_a_committed_import_is_reported_committed_when_a_later_step_fails(
        editor, monkeypatch):
    def full_disk(db=None):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(importer, "ANALYZE_AFTER", 1)
    monkeypatch.setattr(importer, "refresh_statistics", full_disk)
    report = import_text(json.dumps({"text": "Committed before the disk filled."}), "ndjson",
                         "test")
    assert report.committed and report.created == {"claims": 1}
    assert any("committed" in note and "disk full" in note for note in report.notes)
    assert Claim.select().where(Claim.text == "Committed before the disk filled.").exists()


def test_the_cli_says_disk_full(tmp_path, monkeypatch, capsys):
    """A real SQLITE_FULL: the database may not grow past a few pages (max_page_count)."""
    url = f"sqlite:///{tmp_path / 'small.db'}"
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": url})
    database = bind(app.extensions["claimbase.db"])
    with database.connection_context():
        migrate(database)
        (pages,) = database.execute_sql("PRAGMA page_count").fetchone()
    monkeypatch.setitem(service_db.SQLITE_PRAGMAS, "max_page_count", pages + 2)
    monkeypatch.setenv("DATABASE_URL", url)
    big = tmp_path / "claims.ndjson"
    big.write_text("\n".join(json.dumps({"text": f"Claim {n} " + "x" * 500})
                             for n in range(200)))
    monkeypatch.setattr("sys.argv", ["claimbase", "import", "--format", "ndjson", str(big)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: disk full"), err
    assert "check DATABASE_URL" not in err and "cannot rollback" not in err
