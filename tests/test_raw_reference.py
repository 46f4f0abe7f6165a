"""bench/raw_reference.py answers GET /claims?speaker=… byte for byte as Claimbase does.

SQLite only (the reference is a raw sqlite3 app): over the seeds and fixture world, built as
conftest's `app` fixture builds its SQLite database, then over a generated data set of 3,000
quotes imported with `claimbase import`.
"""

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from bench import raw_reference
from service import create_app
from service.db import bind
from service.db import migrate
from service.loader import load_dataset

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "seed.json"
WORLD = ROOT / "fixtures" / "world.json"
GENERATED_QUOTES = 3000


def follow(client, path, pages=None):
    """The path and every links.next after it (at most `pages` paths in all)."""
    paths = []
    while path and (pages is None or len(paths) < pages):
        paths.append(path)
        response = client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        path = response.get_json()["links"]["next"]
    return paths


def assert_identical(db_path, claimbase_app, paths):
    differences = raw_reference.compare(db_path, claimbase_app, paths)
    assert differences == [], "\n\n".join(
        f"{path}: {what} differs\nClaimbase: {theirs!r}\nreference: {ours!r}"
        for path, what, theirs, ours in differences)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(SQLite path, Claimbase app) over the seeds and the fixture world."""
    path = tmp_path_factory.mktemp("raw-reference") / "claimbase.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
    yield path, app
    db.close()


@pytest.fixture
def world_client(world):
    bind(world[1].extensions["claimbase.db"])
    return world[1].test_client()


def speaker_row(db_path, condition, params=()):
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(f"SELECT id, slug FROM speaker WHERE {condition} ORDER BY id LIMIT 1",
                           params).fetchone()
    conn.close()
    return row


@pytest.mark.parametrize("value", [
    "vladimir-putin", " Vladimir-Putin ", "Poutine", "VLADIMIR POUTINE", "Путин", "États-Unis",
    "etats unis", "Kim Jong Un", "Poutine ",
])
def test_speaker_by_slug_name_or_alias(world, world_client, value):
    path = f"/claims?speaker={quote(value)}"
    body = world_client.get(path).get_json()
    assert body["meta"]["speakers"], f"{value!r} should match someone in the fixture world"
    assert_identical(world[0], world[1], [path])


def test_raw_non_ascii_query_string(world, world_client):
    """Unencoded UTF-8 in the query string: links.self keeps it as sent."""
    paths = ["/claims?speaker=Путин&limit=1", "/claims?speaker=États-Unis&limit=2"]
    assert world_client.get(paths[0]).get_json()["links"]["self"] == paths[0]
    assert_identical(world[0], world[1], paths)


def test_speaker_by_id(world, world_client):
    speaker_id, _ = speaker_row(world[0], "slug = ?", ("vladimir-putin",))
    paths = [f"/claims?speaker={speaker_id}", f"/claims?speaker=%20{speaker_id:03d}&limit=2"]
    assert world_client.get(paths[0]).get_json()["meta"]["speakers"][0]["matched_by"] == "id"
    assert_identical(world[0], world[1], paths)


@pytest.mark.parametrize("value", ["vladimir-putin", "Poutine", "Ким Чен Ын", "kim jong-un"])
def test_every_page_of_one_claim(world, world_client, value):
    paths = follow(world_client, f"/claims?speaker={quote(value)}&limit=1")
    assert len(paths) > 1, "the speaker should have several claims"
    assert_identical(world[0], world[1], paths)


def test_cursor_limit_and_slash_variants(world, world_client):
    """links keep the query string as given: repeated limits, a trailing slash, empty pairs."""
    paths = [
        *follow(world_client, "/claims/?limit=2&speaker=Poutine+&limit=5"),
        *follow(world_client, "/claims?speaker=vladimir-putin&&limit=3&"),
        "/claims?cursor=eyJhZnRlciI6M30&speaker=Poutine&limit=100",
        "/claims?speaker=Poutine&cursor=eyJhZnRlciI6M30=",
    ]
    assert_identical(world[0], world[1], paths)


def test_speaker_with_no_claims(world, world_client):
    found = speaker_row(world[0], "id NOT IN (SELECT speaker_id FROM stance)")
    assert found, "the fixture world should hold a speaker without stances"
    path = f"/claims?speaker={found[1]}"
    body = world_client.get(path).get_json()
    assert body["data"] == [] and body["meta"]["speakers"]
    assert_identical(world[0], world[1], [path])


def test_every_speaker_every_name(world, world_client):
    """Each speaker of the world by id, slug, name and each alias, two claims a page."""
    with sqlite3.connect(world[0]) as conn:
        values = [v for row in conn.execute("SELECT id, slug, name FROM speaker") for v in row]
        values += [name for (name,) in conn.execute("SELECT name FROM alias")]
    conn.close()
    paths = [p for v in values for p in follow(world_client, f"/claims?speaker={quote(str(v))}"
                                                              "&limit=2")]
    assert_identical(world[0], world[1], paths)


def test_out_of_scope_is_a_short_json_error(world):
    """What the reference does not replicate is refused, and `compare` reports it."""
    client = Client(
        raw_reference.RawReference(world[0]))
    for path in ["/claims", "/quotes?speaker=Poutine", "/claims?speaker=Poutine&q=x",
                 "/claims?speaker=Poutine&speaker=Kim", "/claims?speaker=nobody-at-all"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert set(json.loads(response.get_data())) == {"status", "detail"}
    for path in ["/claims?speaker=Poutine&limit=0", "/claims?speaker=Poutine&cursor=x",
                 "/claims?speaker=Poutine&cursor=eyJhZnRlciI6IngifQ", "/claims?speaker="]:
        assert client.get(path).status_code == 400, path
    client.application.close()
    differences = raw_reference.compare(world[0], world[1], ["/claims?speaker=nobody-at-all"])
    assert [(path, what) for path, what, _, _ in differences] == [
        ("/claims?speaker=nobody-at-all", "status")]


def test_six_statements_and_the_stance_index(world):
    """Resolution, the page, then stances, topics, reviews and appearances (and for a
    one-word value, the surname rule's lookup); the page reads the stance (speaker_id,
    claim_id) index."""
    reference = raw_reference.RawReference(world[0])
    statements = []
    reference.connection().set_trace_callback(statements.append)
    client = Client(reference)
    assert client.get("/claims?speaker=Vladimir%20Poutine&limit=100").status_code == 200
    assert len(statements) == 6, statements
    statements.clear()
    assert client.get("/claims?speaker=Poutine&limit=100").status_code == 200
    assert len(statements) == 7, statements
    plan = reference.connection().execute(
        "EXPLAIN QUERY PLAN " + raw_reference.sql_for(raw_reference.PAGE_SQL, 1),
        (1, 0, 21)).fetchall()
    assert any("stance_speaker_id_claim_id" in row[-1] for row in plan), plan
    reference.close()


# --- a generated data set ------------------------------------------------------------------

def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _claimbase_command():
    script = shutil.which("claimbase", path=str(Path(sys.executable).parent))
    if script:
        return [script]
    return [sys.executable, "-c", "from service.cli import main; main()"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(SQLite path, Claimbase app, the heavy speaker's Cyrillic alias) over 3,000 generated
    quotes imported by `claimbase import`."""
    out = tmp_path_factory.mktemp("generated")
    counts = _generator().generate(out, GENERATED_QUOTES, 1)
    path = out / "claimbase.db"
    files = [f"{name}.ndjson" for name in ("topics", "speakers", "sources", "quotes", "claims")]
    result = subprocess.run(
        [*_claimbase_command(), "import", "--format", "ndjson", *files], cwd=out,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.skip("`claimbase import` of the generated data set failed (outside "
                    f"bench/raw_reference.py): {(result.stderr or result.stdout)[-500:]}")
    with open(out / "speakers.ndjson", encoding="utf-8") as lines:
        heavy = json.loads(lines.readline())
    cyrillic = next(a["name"] for a in heavy["aliases"] if a["lang"] == "ru")
    assert heavy["slug"] == "speaker-heavy" and cyrillic == counts["heavy"]["alias"]
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    yield path, app, cyrillic
    app.extensions["claimbase.db"].close()


@pytest.mark.parametrize("query", [
    "speaker=speaker-heavy", "speaker=speaker-heavy&limit=7", "speaker=speaker-light",
    "speaker=SPEAKER-LIGHT&limit=2", "cyrillic", "cyrillic&limit=13",
])
def test_generated_pages(generated, query):
    path, app, cyrillic = generated
    if query.startswith("cyrillic"):
        query = f"speaker={quote(cyrillic)}" + query.removeprefix("cyrillic")
    bind(app.extensions["claimbase.db"])
    paths = follow(app.test_client(), f"/claims?{query}", pages=5)
    if "heavy" in query or "speaker=%" in query:
        assert len(paths) == 5, "the heavy speaker should fill at least five pages"
    assert_identical(path, app, paths)
