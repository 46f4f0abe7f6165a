"""Idempotency-Key for POSTs (IETF draft-ietf-httpapi-idempotency-key-header).

A client that did not get the answer to a POST (a timeout, a dropped connection, a worker
that died after the commit) retries it with the same key and gets the first answer again,
instead of a second record. The first request's write and the record of its response are
one transaction: either both are in the database, and a retry replays the response, or
neither is, and a retry does the write. Keys are scoped per token and kept KEY_LIFETIME.

- the same key with the same request: the first response, replayed (status, headers, body)
- the same key with another request (method, target or body): IdempotencyKeyReused (422)
- the same key while its first request is still running: IdempotencyKeyInUse (409) on
  PostgreSQL; SQLite runs one write transaction at a time, so there the retry waits for the
  first request and then replays its response
- only successful responses are kept: a request that fails writes nothing, and its key
  stays free for the retry
"""

import datetime
import hashlib
import json
import re

from .db import database
from .db import is_sqlite
from .db import write_transaction
from .models import IdempotentResponse
from .models import utcnow

KEY_LIFETIME = datetime.timedelta(hours=24)
HEADER = "Idempotency-Key"
# The draft makes the key a Structured Field string ("…"); a bare token is accepted too.
KEY_CHARACTERS = r"[!#-\[\]-~]{1,255}"  # visible ASCII but for " and \
KEY_PATTERN = f'^(?:"{KEY_CHARACTERS}"|{KEY_CHARACTERS})$'
KEY = re.compile(KEY_PATTERN)
NOT_REPLAYED = {"content-length", "date", "server"}


class IdempotencyError(Exception):
    """A request whose Idempotency-Key cannot be honoured."""


class InvalidIdempotencyKey(IdempotencyError):
    def __init__(self):
        super().__init__(f"{HEADER} must be 1-255 visible ASCII characters (a UUID is "
                         "a good key), optionally in double quotes.")


class IdempotencyKeyReused(IdempotencyError):
    def __init__(self):
        super().__init__(f"This {HEADER} was used for a different request (method, "
                         "target or body) in the last 24 hours: use a new key.")


class IdempotencyKeyInUse(IdempotencyError):
    def __init__(self):
        super().__init__(f"A request with this {HEADER} is still being processed: "
                         "retry once it has finished.")


def parse_key(header):
    """The key a header carries, or InvalidIdempotencyKey."""
    key = header.strip()
    if not KEY.match(key):
        raise InvalidIdempotencyKey()
    return key.strip('"')


def fingerprint(method, target, body):
    """What makes two requests the same request: method, path with query, and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), target.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _lock(token_name, key):
    """Hold the key for this transaction; IdempotencyKeyInUse when another one holds it.
    (SQLite's write transactions already run one at a time.)"""
    if is_sqlite():
        return
    cursor = database.execute_sql("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                                  (f"idempotency\x1f{token_name}\x1f{key}",))
    if not cursor.fetchone()[0]:
        raise IdempotencyKeyInUse()


def run_once(token_name, key, request_fingerprint, respond):
    """(status, headers, body, replayed) of the first request made with this key by this
    token: `respond()` is called (and its answer kept) only when there is none yet."""
    with write_transaction():
        _lock(token_name, key)
        IdempotentResponse.delete().where(
            IdempotentResponse.created_at < utcnow() - KEY_LIFETIME).execute()
        stored = IdempotentResponse.get_or_none(
            (IdempotentResponse.token_name == token_name) & (IdempotentResponse.key == key))
        if stored is not None:
            if stored.fingerprint != request_fingerprint:
                raise IdempotencyKeyReused()
            return stored.status, json.loads(stored.headers), bytes(stored.body), True
        status, headers, body = respond()
        if status < 400:
            kept = [[name, value] for name, value in headers
                    if name.lower() not in NOT_REPLAYED]
            IdempotentResponse.create(token_name=token_name, key=key,
                                      fingerprint=request_fingerprint, status=status,
                                      headers=json.dumps(kept), body=body)
        return status, headers, body, False
