"""Eight editors in parallel processes update the same claims on a real gunicorn server, each
with If-Match and retrying on 412: no update is lost, none is applied twice, and the
history accounts for every successful write."""

import json
import multiprocessing
import urllib.error
import urllib.request
from collections import Counter

import pytest

from service import create_app
from service.auth import create_token
from service.db import bind
from service.db import migrate
from tests.live import live_server

WRITERS = 8
ROUNDS = 3
CLAIMS = 2


def call(method, url, token=None, body=None, etag=None):
    """(status, headers, json body) of one HTTP request."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-Match"] = etag
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def editor_process(base, name, token, claim_ids):
    """Update each claim ROUNDS times; retry on 412 (and 503: busy). Returns what succeeded."""
    done, conflicts = [], 0
    for round_ in range(ROUNDS):
        for claim_id in claim_ids:
            text = f"Claim {claim_id}, edit {round_} by {name}."
            for _ in range(500):
                _, headers, _ = call("GET", f"{base}/claims/{claim_id}")
                status, _, body = call("PATCH", f"{base}/claims/{claim_id}", token,
                                       {"text": text}, headers["ETag"])
                if status == 200:
                    done.append((claim_id, text))
                    break
                if status not in (412, 503):
                    raise AssertionError(f"{status}: {body}")
                conflicts += 1
            else:
                raise AssertionError("no success after 500 tries")
    return name, done, conflicts


@pytest.fixture
def server(new_database_url, tmp_path):
    """A gunicorn server (4 workers) over a new database with WRITERS editor tokens."""
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        tokens = {f"writer-{i}": create_token(f"writer-{i}", "editor")[0] for i in range(WRITERS)}
    with live_server(new_database_url, tmp_path, workers=4) as base:
        yield base, tokens


def test_parallel_editors_lose_no_update(server):
    base, tokens = server
    claim_ids = []
    for i in range(CLAIMS):
        status, _, body = call("POST", f"{base}/claims", tokens["writer-0"],
                               {"text": f"Claim {i}, first version.", "lang": "en"})
        assert status == 201
        claim_ids.append(body["id"])

    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        results = pool.starmap(editor_process,
                               [(base, name, token, claim_ids) for name, token in tokens.items()])

    succeeded = {name: done for name, done, _ in results}
    print("412 retries:", sum(conflicts for _, _, conflicts in results))
    assert all(len(done) == ROUNDS * CLAIMS for done in succeeded.values())
    for claim_id in claim_ids:
        writes = [text for done in succeeded.values() for c, text in done if c == claim_id]
        _, headers, claim = call("GET", f"{base}/claims/{claim_id}")
        # each success bumped the version once
        assert headers["ETag"] == f'"claim-{claim_id}-v{1 + len(writes)}"'
        _, _, history = call("GET", f"{base}/claims/{claim_id}/history?limit=100")
        updates = [c for c in history["data"] if c["action"] == "update"]
        afters = [c["fields"]["text"][1] for c in updates]
        assert sorted(afters) == sorted(writes)  # every success recorded, none twice
        for earlier, later in zip(updates, updates[1:], strict=False):
            assert later["fields"]["text"][0] == earlier["fields"]["text"][1]  # nothing lost
        assert claim["text"] == afters[-1]
        authors = Counter(c["token"] for c in updates)
        assert authors == Counter({name: sum(1 for c, _ in done if c == claim_id)
                                   for name, done in succeeded.items()})
