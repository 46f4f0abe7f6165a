"""Tokens: stored only as hashes, required for every write, roles enforced, revocable."""

import pytest

from service.auth import hash_token
from service.db import bind
from service.models import ApiToken

WRITES = [
    ("POST", "/speakers"),
    ("PATCH", "/speakers/elise-fauxnom"),
    ("DELETE", "/speakers/bob-example"),
    ("POST", "/speakers/elise-fauxnom/aliases"),
    ("POST", "/sources"),
    ("POST", "/quotes"),
    ("POST", "/claims"),
    ("PATCH", "/claims/1"),
    ("POST", "/claims/1/stances"),
    ("PUT", "/claims/1/topics/trade"),
    ("POST", "/topics"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_without_a_token_are_401_with_a_challenge(editor, method, path):
    response = editor.client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="claimbase"'


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", "token"])
def test_wrong_tokens_are_401(editor, header):
    response = editor.client.post("/claims", json={"text": "x"},
                                  headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="claimbase"')


def test_a_revoked_token_is_refused(editor, tokens):
    response = editor.post("/claims", {"text": "A claim.", "lang": "en"}, token=tokens["revoked"])
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/speakers/bob-example"), ("DELETE", "/sources/2"), ("POST", "/topics"),
     ("PATCH", "/topics/trade"), ("DELETE", "/topics/trade")],
)
def test_admin_operations_are_403_for_editors(editor, method, path):
    response = editor.client.open(path, method=method, json={"slug": "x", "name": "X"},
                                  headers=editor.headers('"v1"'))
    assert response.status_code == 403
    assert "admin" in response.get_json()["detail"]


def test_tokens_are_stored_only_as_hashes(write_app, tokens):
    bind(write_app.extensions["claimbase.db"])
    with write_app.extensions["claimbase.db"].connection_context():
        rows = list(ApiToken.select().dicts())
    stored = " ".join(str(value) for row in rows for value in row.values())
    for token in tokens.values():
        assert token not in stored
        assert hash_token(token) in stored


def test_tokens_never_appear_in_responses(editor, tokens):
    response = editor.post("/claims", {"text": "Said once.", "lang": "en"})
    assert tokens["editor"] not in response.get_data(as_text=True)
    changes = editor.get("/changes?limit=100").get_data(as_text=True)
    assert tokens["editor"] not in changes
    assert "editor-token" in changes


def test_tokens_cli_creates_lists_and_revokes(write_app):
    runner = write_app.test_cli_runner()
    created = runner.invoke(args=["tokens", "create", "--name", "cli-user", "--role", "editor"])
    assert created.exit_code == 0
    token = created.stdout.strip()
    assert token.startswith("cb_") and len(token) > 40
    listed = runner.invoke(args=["tokens", "list"]).output
    assert "cli-user\teditor" in listed and token not in listed
    assert runner.invoke(args=["tokens", "create", "--name", "cli-user"]).exit_code == 1
    assert runner.invoke(args=["tokens", "revoke", "cli-user"]).exit_code == 0
    assert runner.invoke(args=["tokens", "revoke", "cli-user"]).exit_code == 1
    client = write_app.test_client()
    response = client.post("/claims", json={"text": "x"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
