"""Idempotency-Key on POST: a retry replays the first response instead of writing again."""

import datetime
import json
import uuid

import pytest

from service.db import database
from service.db import is_sqlite
from service.models import Claim
from service.models import IdempotentResponse


def post(editor, path, body, key, token=None):
    """POST with an Idempotency-Key. The same claim text is posted on purpose here, so the
    near-duplicate check (docs/matching.md) is turned off."""
    headers = editor.headers(token=token)
    if key is not None:
        headers["Idempotency-Key"] = key
    if path == "/claims":
        path += "?allow_duplicate=true"
    return editor.client.post(path, json=body, headers=headers)


def claims_saying(text):
    return Claim.select().where(Claim.text == text).count()


def test_a_retry_with_the_same_key_replays_the_first_response(editor):
    key, body = f'"{uuid.uuid4()}"', {"text": "Retried once, stored once.", "lang": "en"}
    first = post(editor, "/claims", body, key)
    retry = post(editor, "/claims", body, key)
    assert first.status_code == retry.status_code == 201
    assert retry.get_data() == first.get_data()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    for header in ("Location", "ETag", "Content-Type"):
        assert retry.headers[header] == first.headers[header]
    assert claims_saying(body["text"]) == 1


def test_without_a_key_a_retry_writes_again(editor):
    body = {"text": "Posted twice without a key."}
    assert post(editor, "/claims", body, None).status_code == 201
    assert post(editor, "/claims", body, None).status_code == 201
    assert claims_saying(body["text"]) == 2


def test_the_same_key_with_another_body_is_422(editor):
    key = str(uuid.uuid4())
    assert post(editor, "/claims", {"text": "First body."}, key).status_code == 201
    other = post(editor, "/claims", {"text": "Second body."}, key)
    assert other.status_code == 422
    assert other.mimetype == "application/problem+json"
    assert "different request" in other.get_json()["detail"]
    assert claims_saying("Second body.") == 0


def test_keys_are_scoped_per_token(editor, tokens):
    key, body = str(uuid.uuid4()), {"text": "Same key, two tokens."}
    assert post(editor, "/claims", body, key).status_code == 201
    assert post(editor, "/claims", body, key, token=tokens["admin"]).status_code == 201
    assert claims_saying(body["text"]) == 2


def test_a_failed_request_leaves_the_key_free(editor):
    key = str(uuid.uuid4())
    assert post(editor, "/claims", {"text": ""}, key).status_code == 422
    assert post(editor, "/claims", {"text": "Fixed body."}, key).status_code == 201


def test_keys_expire_after_24_hours(editor):
    key = str(uuid.uuid4())
    assert post(editor, "/claims", {"text": "Day one."}, key).status_code == 201
    long_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(
        hours=25)
    IdempotentResponse.update(created_at=long_ago).where(IdempotentResponse.key == key).execute()
    assert post(editor, "/claims", {"text": "Day two."}, key).status_code == 201
    assert IdempotentResponse.select().where(IdempotentResponse.key == key).count() == 1


@pytest.mark.parametrize("key", ["", "with space", "é", "x" * 256, '"unclosed'])
def test_a_malformed_key_is_400(editor, key):
    response = post(editor, "/claims", {"text": "Never written."}, key)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert claims_saying("Never written.") == 0


def test_an_import_retried_with_its_key_is_applied_once(editor):
    key = str(uuid.uuid4())
    line = json.dumps({"text": "Imported with a key."}).encode()

    def send():
        headers = {**editor.headers(), "Idempotency-Key": key}
        return editor.client.post("/imports?format=ndjson&resource=claims", data=line,
                                  content_type="application/x-ndjson", headers=headers)

    first, retry = send(), send()
    assert first.status_code == retry.status_code == 200
    assert first.get_json()["created"] == {"claims": 1}, first.get_json()
    assert retry.get_json() == first.get_json()
    assert claims_saying("Imported with a key.") == 1


def test_a_key_in_use_by_a_running_request_is_409(editor, write_app):
    """On PostgreSQL the first request holds its key (an advisory lock) until it commits;
    SQLite runs one write transaction at a time, so there a retry waits, then replays."""
    if is_sqlite(database.obj):
        pytest.skip("SQLite serialises write transactions: a retry cannot overlap the first")
    key = str(uuid.uuid4())
    token_name = "editor-token"
    other = type(database.obj)(database.obj.database, **database.obj.connect_params)
    with other.connection_context(), other.atomic():
        other.execute_sql("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                          (f"idempotency\x1f{token_name}\x1f{key}",))
        busy = post(editor, "/claims", {"text": "While in flight."}, key)
    assert busy.status_code == 409
    assert busy.mimetype == "application/problem+json"
    assert post(editor, "/claims", {"text": "While in flight."}, key).status_code == 201


def test_every_post_documents_the_key(client):
    """Every POST that writes (POST /claims/similar only reads, with a body for long texts)."""
    spec = client.get("/openapi.json").get_json()
    posts = {path: item["post"] for path, item in spec["paths"].items()
             if "post" in item and item["post"].get("security")}
    assert posts
    for path, operation in posts.items():
        names = [p.get("name") for p in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, path
        assert {"409", "422"} <= set(operation["responses"]), path
