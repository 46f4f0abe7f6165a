"""Tokens: stored only as hashes, required for every write, roles enforced, revocable."""

import json

import pytest

from service.auth import allows
from service.auth import hash_token
from service.auth import role_for
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


# Every write of the API and of imports, with the (resource, action) it is: the role each
# needs comes from one table (service/auth.py WRITE_ROLES).
API_WRITES = [
    ("topics", "create", "POST", "/topics"),
    ("topics", "update", "PATCH", "/topics/trade"),
    ("topics", "delete", "DELETE", "/topics/trade"),
    ("speakers", "create", "POST", "/speakers"),
    ("speakers", "update", "PATCH", "/speakers/elise-fauxnom"),
    ("speakers", "update", "POST", "/speakers/elise-fauxnom/aliases"),
    ("speakers", "delete", "DELETE", "/speakers/bob-example"),
    ("sources", "create", "POST", "/sources"),
    ("sources", "update", "PATCH", "/sources/2"),
    ("sources", "delete", "DELETE", "/sources/2"),
    ("quotes", "create", "POST", "/quotes"),
    ("quotes", "update", "PATCH", "/quotes/1"),
    ("claims", "create", "POST", "/claims"),
    ("claims", "update", "PATCH", "/claims/1"),
    ("claims", "update", "POST", "/claims/1/stances"),
    ("claims", "update", "PUT", "/claims/1/topics/trade"),
]
IMPORTS = {
    "topics": {"slug": "imported-topic", "name": "Imported topic"},
    "speakers": {"slug": "imported-speaker", "name": "Imported Speaker", "kind": "person"},
    "sources": {"slug": "imported-source", "kind": "article"},
    "claims": {"text": "An imported claim."},
}


@pytest.mark.parametrize(("resource", "action", "method", "path"), API_WRITES)
def test_the_api_asks_the_role_table(editor, resource, action, method, path):
    response = editor.client.open(path, method=method, json={"slug": "x", "name": "X"},
                                  headers=editor.headers('"v0"'))
    assert (response.status_code == 403) == (role_for(resource, action) == "admin"), \
        response.get_json()
    if response.status_code == 403:
        assert "admin" in response.get_json()["detail"]


@pytest.mark.parametrize("resource", sorted(IMPORTS))
@pytest.mark.parametrize("role", ["editor", "admin"])
def test_imports_ask_the_same_role_table(editor, tokens, resource, role):
    """An editor refused POST /topics is refused POST /imports?resource=topics alike."""
    body = json.dumps({**IMPORTS[resource], "slug": f"{IMPORTS[resource].get('slug')}-{role}"}
                      if "slug" in IMPORTS[resource] else IMPORTS[resource]).encode()
    response = editor.client.post(f"/imports?format=ndjson&resource={resource}", data=body,
                                  content_type="application/x-ndjson",
                                  headers=editor.headers(token=tokens[role]))
    allowed = all(allows(role, resource, action) for action in ("create", "update"))
    assert response.status_code == (200 if allowed else 403), response.get_json()


@pytest.mark.parametrize(("role", "status"), [("editor", 422), ("admin", 200)])
def test_an_import_creates_a_topic_only_for_who_may_create_topics(editor, tokens, role, status):
    record = {"text": f"A claim tagged by the {role}.", "topics": [{"slug": f"new-by-{role}"}]}
    response = editor.client.post("/imports?format=ndjson&resource=claims",
                                  data=json.dumps(record).encode(),
                                  content_type="application/x-ndjson",
                                  headers=editor.headers(token=tokens[role]))
    assert response.status_code == status, response.get_json()
    found = editor.get(f"/topics/new-by-{role}").status_code
    assert found == (200 if allows(role, "topics", "create") else 404)
    if status == 422:
        assert "creating topics needs the admin role" in str(response.get_json()["errors"])


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
