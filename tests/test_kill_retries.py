"""Workers killed while clients create claims: clients retry each POST with its
Idempotency-Key until they get an answer, and no claim is ever created twice, whether a
worker died before its commit (the retry writes) or after it (the retry replays)."""

import http.client
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service import create_app
from service.auth import create_token
from service.db import bind
from service.db import migrate
from tests.live import live_server

CLIENTS = 4
CLAIMS_EACH = 12
MAX_CLAIMS_EACH = 400  # until the kills have cut requests short


def server_pids(port):
    """(master, workers) of the gunicorn serving this port, found through /proc."""
    pids = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if b"serve" in command and str(port).encode() in command:
            pids[int(entry.name)] = parent
    masters = [pid for pid, parent in pids.items() if parent not in pids]
    return masters, [pid for pid, parent in pids.items() if parent in pids]


def post_until_answered(base, token, body, key, log):
    """POST with the key until a 201, retrying on lost connections, 409 and 503."""
    data = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Idempotency-Key": key}
    for _ in range(200):
        # "Claim 1 of client 0" and "Claim 0 of client 1" are near-duplicates (docs/matching.md)
        request = urllib.request.Request(f"{base}/claims?allow_duplicate=true", data=data,
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                log.append(response.headers.get("Idempotent-Replayed") == "true")
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code not in (409, 503):
                raise AssertionError(f"{error.code}: {error.read()!r}") from None
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
            pass  # the worker died: retry with the same key
        log.append(None)
        time.sleep(0.05)
    raise AssertionError("no answer after 200 tries")


@pytest.fixture
def server(new_database_url, tmp_path):
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        token = create_token("killer-test", "editor")[0]
    with live_server(new_database_url, tmp_path, workers=2) as base:
        yield base, token


def test_retries_with_idempotency_keys_never_duplicate_under_kills(server):
    base, token = server
    port = int(base.rsplit(":", 1)[1])
    answers, logs, stop, kills = {}, [[] for _ in range(CLIENTS)], threading.Event(), []

    def under_fire():
        """Whether kills have cut requests short yet (the claims are written fast enough
        that CLAIMS_EACH alone could all land between two kills)."""
        return len(kills) >= 3 and any(o is None for log in logs for o in log)

    def client(number):
        n = 0
        while n < CLAIMS_EACH or (not under_fire() and n < MAX_CLAIMS_EACH):
            text = f"Claim {n} of client {number}, posted under fire."
            answers[text] = post_until_answered(base, token, {"text": text},
                                                f"client-{number}-claim-{n}", logs[number])
            n += 1

    def killer():
        while not stop.wait(random.uniform(0.05, 0.4)):
            _, workers = server_pids(port)
            if workers:
                victim = random.choice(workers)
                try:
                    os.kill(victim, signal.SIGKILL)
                    kills.append(victim)
                except ProcessLookupError:
                    pass

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    killing = threading.Thread(target=killer)
    killing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    killing.join()

    retries = sum(1 for log in logs for outcome in log if outcome is None)
    replays = sum(1 for log in logs for outcome in log if outcome is True)
    print(f"workers killed: {len(kills)}, retries: {retries}, replayed answers: {replays}")
    assert kills and retries  # the kills did cut requests short
    listed = []
    url = f"{base}/claims?limit=100"
    while url:
        with urllib.request.urlopen(url, timeout=30) as response:
            page = json.load(response)
        listed += page["data"]
        url = page["links"]["next"] and base + page["links"]["next"]
    texts = [c["text"] for c in listed]
    assert sorted(texts) == sorted(answers)  # every claim once: none lost, none twice
    assert {c["text"]: c["id"] for c in listed} == {t: a["id"] for t, a in answers.items()}
