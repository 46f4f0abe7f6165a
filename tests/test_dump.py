"""dump → restore moves a whole database between SQLite and PostgreSQL: the same ids, the same
history, tokens that still write; a bad target, dump or interruption changes nothing."""

import gzip
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from service import create_app
from service.auth import create_token
from service.auth import revoke_token
from service.db import bind
from service.db import migrate
from service.dump import FORMAT
from service.dump import MIGRATION_ROWS
from service.dump import DumpError
from service.dump import restore
from service.dump import write_dump
from service.exports import RESOURCES as EXPORT_RESOURCES
from service.exports import ndjson_lines
from service.loader import load_dataset
from service.models import MODELS
from tests.conftest import SEED
from tests.conftest import WORLD
from tests.conftest import Editor
from tests.test_imports import import_in_transaction

CLAIMBASE = str(Path(sys.executable).parent / "claimbase")


def new_url(backend, tmp_path, request):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.db'}"
    return request.getfixturevalue("postgres_databases").create()


def open_app(url):
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    bind(app.extensions["claimbase.db"])
    return app


def build_source(url):
    """The seeds and the fixture world, then API writes: an edit, an alias, a deleted claim
    (a gap at the top of the ids), a revoked token. Returns (app, the editor's token)."""
    app = open_app(url)
    db = app.extensions["claimbase.db"]
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
        token, _ = create_token("desk", "editor")
        create_token("retired", "admin")
        revoke_token("retired")
    editor = Editor(app.test_client(), token)
    assert editor.patch("/claims/1", {"text": "Edited before the move."},
                        editor.etag("/claims/1")).status_code == 200
    assert editor.post("/speakers/testland/aliases",
                       {"name": "Testlandia", "lang": "it"}).status_code == 201
    gone = editor.post("/claims", {"text": "Deleted before the move.", "lang": "en"}).get_json()
    assert editor.delete(f"/claims/{gone['id']}", editor.etag(f"/claims/{gone['id']}")
                         ).status_code == 204
    return app, token


def dumped(app):
    """(the dump's bytes, its Summary)."""
    db = bind(app.extensions["claimbase.db"])
    buffer = io.BytesIO()
    with db.connection_context():
        summary = write_dump(db, buffer)
    return buffer.getvalue(), summary


def body(data):
    """A dump's lines after its header (which names the backend and the time), without the
    highest id issued: SQLite without AUTOINCREMENT knows only max(id), so a deleted last row's
    id is forgotten there (whatever the dump says)."""
    lines = gzip.decompress(data).decode("utf-8").splitlines()[1:]
    return [re.sub(r',"max_id":\d+', "", line) if line.startswith('{"end"') else line
            for line in lines]


def exports(app):
    """Every resource as the public NDJSON export (ids included), and every claim's and
    speaker's history through HTTP."""
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        out = {resource: "".join(ndjson_lines(resource)) for resource in EXPORT_RESOURCES}
    client = app.test_client()
    changes = client.get("/changes?limit=100").get_json()
    out["changes"] = changes["data"]
    out["claim 1 history"] = client.get("/claims/1/history").get_json()["data"]
    out["testland history"] = client.get("/speakers/testland/history").get_json()["data"]
    return out


def row_counts(app):
    """Rows per table, less those the migrations themselves create (known publishers)."""
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        return {model._meta.table_name: model.select().count() if model.table_exists() else 0
                for model in MODELS if model not in MIGRATION_ROWS}


@pytest.mark.parametrize("source_backend, target_backend",
                         [("sqlite", "sqlite"), ("sqlite", "postgres"), ("postgres", "sqlite")])
def test_dump_restore_keeps_ids_history_and_tokens(source_backend, target_backend, tmp_path,
                                                   request):
    source, token = build_source(new_url(source_backend, tmp_path, request))
    data, summary = dumped(source)
    assert summary.tables["change"].rows >= 4 and summary.tables["api_token"].rows == 2
    target = open_app(new_url(target_backend, tmp_path, request))
    db = target.extensions["claimbase.db"]
    with db.connection_context():
        restored = restore(db, io.BytesIO(data))
    assert restored.sha256 == summary.sha256 and restored.rows == summary.rows

    before, after = exports(source), exports(target)
    assert after == before
    assert after["claim 1 history"][-1]["fields"]["text"][1] == "Edited before the move."
    assert any(c["resource"] == "alias" for c in after["testland history"])
    # The target dumps to the same rows as the source: every id, every history row, every
    # token hash, byte for byte.
    assert body(dumped(target)[0]) == body(data)

    # A token created before the dump writes after the restore; the new claim's id is past
    # every id the source ever issued (the deleted claim's included).
    editor = Editor(target.test_client(), token)
    created = editor.post("/claims", {"text": "Written after the move.", "lang": "en"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["id"] > summary.tables["claim"].max_id or target_backend == "sqlite"
    assert created.get_json()["id"] > max(json.loads(line)[0] for line in claim_rows(data))
    retired = editor.post("/claims", {"text": "Refused.", "lang": "en"}, token="cb_nothing")
    assert retired.status_code == 401


def claim_rows(data):
    lines = body(data)
    start = lines.index(next(line for line in lines if line.startswith('{"table":"claim"')))
    end = lines.index(next(line for line in lines if line.startswith('{"end":"claim"')))
    return lines[start + 1:end]


def test_postgres_ids_continue_past_deleted_ones(tmp_path, request):
    """PostgreSQL's sequence had issued an id whose row was deleted: the restored sequence
    continues after it (an id cited in a fact-check is never handed to another claim)."""
    source, token = build_source(new_url("postgres", tmp_path, request))
    data, summary = dumped(source)
    highest = max(json.loads(line)[0] for line in claim_rows(data))
    assert summary.tables["claim"].max_id == highest + 1  # the deleted claim's id
    target = open_app(new_url("postgres", tmp_path, request))
    with target.extensions["claimbase.db"].connection_context():
        restore(target.extensions["claimbase.db"], io.BytesIO(data))
    created = Editor(target.test_client(), token).post("/claims", {"text": "Next.", "lang": "en"})
    assert created.get_json()["id"] == highest + 2


def test_restored_search_index_finds_restored_rows(backend, tmp_path, request):
    source, _ = build_source(new_url(backend, tmp_path, request))
    data, _ = dumped(source)
    target = open_app(new_url("sqlite" if backend == "postgres" else "postgres", tmp_path,
                              request))
    with target.extensions["claimbase.db"].connection_context():
        restore(target.extensions["claimbase.db"], io.BytesIO(data))
    client = target.test_client()
    for path in ("/claims?q=edited", "/quotes?q=harbour"):
        before = [row["id"] for row in source.test_client().get(path).get_json()["data"]]
        after = [row["id"] for row in client.get(path).get_json()["data"]]
        assert before and after == before, path


DERIVED_QUERIES = {
    "claim_facet": "SELECT claim_id, facet, value FROM claim_facet ORDER BY 1, 2, 3",
    "facet_pair": "SELECT filter_facet, filter_value, facet, value, claims FROM facet_pair "
                  "ORDER BY 1, 2, 3, 4",
    "status": "SELECT id, status FROM claim ORDER BY id",
    "row_count": "SELECT name, SUM(n) FROM row_count GROUP BY name ORDER BY name",
}
SQLITE_DERIVED = {
    "trigrams": "SELECT rowid FROM speaker_name_key_trigram WHERE "
                "speaker_name_key_trigram MATCH 'land' ORDER BY rowid",
    "stems": "SELECT rowid FROM quote_fts WHERE quote_fts MATCH 'stems:harbour' ORDER BY rowid",
}
TRIGGERS = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    "postgres": "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal "
                "ORDER BY tgname",
}


def derived(app, backend):
    """The rows the database derives from the tables (facet counts, statuses, SQLite's
    trigram and stems indexes) and its triggers, as they are defined and enabled."""
    db = bind(app.extensions["claimbase.db"])
    queries = {**DERIVED_QUERIES, **(SQLITE_DERIVED if backend == "sqlite" else {}),
               "triggers": TRIGGERS[backend]}
    with db.connection_context():
        return {name: [tuple(row) for row in db.execute_sql(sql).fetchall()]
                for name, sql in queries.items()}


def test_a_restore_rebuilds_derived_rows_and_keeps_its_triggers(backend, tmp_path, request):
    """A restore loads with the derived-row triggers suspended (service/dump.py DERIVED): it
    ends with the same derived rows as the source, the same triggers, and they fire again."""
    source, token = build_source(new_url(backend, tmp_path, request))
    data, _ = dumped(source)
    target = open_app(new_url(backend, tmp_path, request))
    with target.extensions["claimbase.db"].connection_context():
        restore(target.extensions["claimbase.db"], io.BytesIO(data))
    before, after = derived(source, backend), derived(target, backend)
    assert before["facet_pair"] and before["triggers"]
    assert backend == "postgres" or (before["trigrams"] and before["stems"])
    assert after == before
    editor = Editor(target.test_client(), token)
    claim = editor.post("/claims", {"text": "Restored triggers fire.", "lang": "en"}).get_json()
    assert claim["status"] == "unattributed"
    assert editor.post(f"/claims/{claim['id']}/stances", {"speaker": "testland",
                                                           "position": "denies"}
                       ).status_code == 201
    assert editor.get(f"/claims/{claim['id']}").get_json()["status"] == "denied"


def test_a_restored_postgres_database_has_planner_statistics(tmp_path, request, small_dump):
    target = open_app(new_url("postgres", tmp_path, request))
    db = target.extensions["claimbase.db"]
    with db.connection_context():
        restore(db, io.BytesIO(small_dump))
        analysed = db.execute_sql("SELECT relname FROM pg_stat_user_tables "
                                  "WHERE last_analyze IS NOT NULL").fetchall()
    assert {"claim", "stance", "review"} <= {name for (name,) in analysed}


@pytest.fixture
def small_dump(tmp_path):
    source, _ = build_source(f"sqlite:///{tmp_path / 'small.db'}")
    return dumped(source)[0]


def empty_target(backend, tmp_path, request):
    app = open_app(new_url(backend, tmp_path, request))
    return app, app.extensions["claimbase.db"]


def test_a_non_empty_target_is_refused_and_left_alone(backend, tmp_path, request, small_dump):
    app, db = empty_target(backend, tmp_path, request)
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
    before = row_counts(app)
    with db.connection_context(), pytest.raises(DumpError, match="not empty"):
        restore(db, io.BytesIO(small_dump))
    assert row_counts(app) == before


def rewrite(data, change):
    """The dump with its lines passed through change(list of dicts/lists)."""
    items = [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines()]
    items = change(items)
    text = "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for item in items)
    return gzip.compress(text.encode("utf-8"))


def newer(items):
    items[0]["schema"].append("0099_from_the_future")
    return items


def altered_row(items):
    row = next(item for item in items if isinstance(item, list) and len(item) == 6)
    row[2] = row[2] + " (altered)"
    return items


def truncated(items):
    return items[:len(items) // 2]


def no_closing_line(items):
    return items[:-1]


@pytest.mark.parametrize("change, message", [
    (newer, "newer schema .*0099_from_the_future"),
    (altered_row, "do not match the dump's count or checksum"),
    (truncated, "incomplete"),
    (no_closing_line, "incomplete"),
])
def test_a_bad_dump_restores_nothing(backend, tmp_path, request, small_dump, change, message):
    app, db = empty_target(backend, tmp_path, request)
    with db.connection_context(), pytest.raises(DumpError, match=message):
        restore(db, io.BytesIO(rewrite(small_dump, change)))
    assert set(row_counts(app).values()) <= {0}


def test_not_a_dump_is_one_line(backend, tmp_path, request):
    app, db = empty_target(backend, tmp_path, request)
    with db.connection_context(), pytest.raises(DumpError, match="not a readable gzip dump"):
        restore(db, io.BytesIO(b"speakers.ndjson is not a dump"))


def run(args, url):
    return subprocess.run([CLAIMBASE, *args], env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True)


def test_cli_dump_and_restore(backend, tmp_path, request):
    source_url = new_url(backend, tmp_path, request)
    build_source(source_url)
    dump_file = tmp_path / "claimbase.dump.gz"
    done = run(["dump", str(dump_file)], source_url)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("dumped ") and "api_token 2, change " in done.stderr
    with gzip.open(dump_file, "rt", encoding="utf-8") as stream:
        header = json.loads(next(stream))
    assert header["format"] == FORMAT and "0001_initial" in header["schema"]

    target_url = new_url("sqlite" if backend == "postgres" else "postgres", tmp_path, request)
    done = run(["restore", str(dump_file)], target_url)
    assert done.returncode == 0, done.stderr
    assert "counts and checksums verified" in done.stdout
    assert hashlib.sha256(dump_file.read_bytes()).hexdigest()  # the file is kept as it was

    again = run(["restore", str(dump_file)], target_url)
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0
    assert again.stderr.startswith("error: the target database is not empty")


def write_big_dump(path, quotes):
    """A valid dump of one speaker, one source and many quotes (made with the dump's own
    line format and checksums), slow enough to restore that it can be killed midway."""
    source_app = open_app(f"sqlite:///{path.parent / 'tiny.db'}")
    db = source_app.extensions["claimbase.db"]
    with db.connection_context():
        migrate(db)
    data, _ = dumped(source_app)
    items = [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines()]
    rows = {
        "speaker": [[1, 1, "ann-example", "Ann Example", "ann example", "person", None, None,
                     None]],
        "source": [[1, 1, "harbour-gazette", "article", None, None, None, None, None, None]],
        "quote": ([n, 1, f"The harbour’s crane number {n} works.", "en", 1, 1, None, None,
                   "direct", None, None, None, None, None] for n in range(1, quotes + 1)),
    }
    total = hashlib.sha256()
    count = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        def put(item):
            out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")

        put(items[0])
        for table in items[0]["tables"]:
            put({"table": table, "columns": items[0]["tables"][table]})
            digest, n = hashlib.sha256(), 0
            for row in rows.get(table, []):
                line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
                digest.update(line.encode("utf-8"))
                out.write(line)
                n += 1
            put({"end": table, "rows": n, "sha256": digest.hexdigest(), "max_id": n})
            total.update(f"{table}:{n}:{digest.hexdigest()}\n".encode())
            count += n
        put({"end": FORMAT, "tables": len(items[0]["tables"]), "rows": count,
             "sha256": total.hexdigest()})


def test_a_killed_restore_leaves_the_target_empty(backend, tmp_path, request):
    big = tmp_path / "big.dump.gz"
    write_big_dump(big, 300_000)
    url = new_url(backend, tmp_path, request)
    process = subprocess.Popen([CLAIMBASE, "restore", str(big)],
                               env={**os.environ, "DATABASE_URL": url},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not import_in_transaction(url) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    assert process.poll() is None, "the restore ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL

    app = open_app(url)
    db = app.extensions["claimbase.db"]
    assert set(row_counts(app).values()) == {0}
    with db.connection_context():
        if backend == "sqlite":
            assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
        # Still a valid target: a restore now succeeds.
    small = tmp_path / "small.dump.gz"
    small_app, _ = build_source(new_url("sqlite", tmp_path, request))
    small.write_bytes(dumped(small_app)[0])
    done = run(["restore", str(small)], url)
    assert done.returncode == 0, done.stderr
    assert row_counts(app)["claim"] > 0
