"""The claimbase command: set-up that never wipes, seeds that load once, a real server."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from service import create_app
from service.cli import prepare_database
from service.db import bind
from service.models import Claim
from service.models import Quote
from tests.conftest import SEED


@pytest.fixture
def fresh_app(new_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url})
    bind(app.extensions["claimbase.db"])
    return app


def test_first_run_creates_migrates_and_seeds(fresh_app):
    assert prepare_database(fresh_app) is True
    with fresh_app.extensions["claimbase.db"].connection_context():
        assert Quote.select().count() == len(json.loads(SEED.read_text())["quotes"])


def test_an_existing_database_is_never_reseeded_or_wiped(fresh_app):
    prepare_database(fresh_app)
    db = fresh_app.extensions["claimbase.db"]
    with db.connection_context():
        Claim.delete().where(Claim.status == "unattributed").execute()
        remaining = Claim.select().count()
    assert prepare_database(fresh_app) is False
    with db.connection_context():
        assert Claim.select().count() == remaining
        assert not Claim.select().where(Claim.status == "unattributed").exists()


def test_seed_command_is_idempotent(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    quotes = len(json.loads(SEED.read_text())["quotes"])
    assert f"created 41 aliases, 22 claim topics, 18 claims, {quotes} quotes," in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "created nothing; updated nothing;" in second.output
    assert f" {quotes} quotes," in second.output.split("unchanged")[1]


def test_seed_command_reports_bad_files_without_traceback(fresh_app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "claimbase-dataset/1",
                               "speakers": [{"slug": "BAD", "name": "x", "kind": "alien"}]}))
    result = fresh_app.test_cli_runner().invoke(args=["seed", "--file", str(bad)])
    assert result.exit_code == 1
    assert "speakers[0].slug: Not a valid slug" in result.output
    assert "nothing was loaded" in result.output
    assert "Traceback" not in result.output


def test_init_db_and_migrate_commands(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert "0001_initial" in runner.invoke(args=["init-db"]).output
    assert "up to date" in runner.invoke(args=["migrate"]).output


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_over_http_with_gunicorn(new_database_url, tmp_path):
    """What README command (1) does: a real gunicorn server on a new database."""
    claimbase = Path(sys.executable).parent / "claimbase"
    assert claimbase.exists(), "install the package: pip install -e ."
    port = free_port()
    env = {**os.environ, "DATABASE_URL": new_database_url}
    server = subprocess.Popen([str(claimbase), "serve", "--port", str(port), "--workers", "1"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/claims?speaker=Poutine"
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.headers["Server"].startswith("gunicorn")
                    body = json.load(response)
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "the server did not answer"
        assert body["meta"]["speakers"][0]["speaker"]["slug"] == "vladimir-putin"
        assert len(body["data"]) >= 3
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "seed.json" in output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://host/db", "unsupported DATABASE_URL scheme 'mysql'"),
        ("sqlite:////no/such/folder/claimbase.db", "unable to open database file"),
    ],
)
def test_bad_database_urls_are_one_clear_line(tmp_path, url, message):
    claimbase = Path(sys.executable).parent / "claimbase"
    result = subprocess.run([str(claimbase), "seed"], env={**os.environ, "DATABASE_URL": url},
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
