"""Bearer tokens: created by the CLI, stored as SHA-256 only, checked on every write."""

import functools
import hashlib
import hmac
import secrets

from flask import g
from flask import request
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import Unauthorized

from .models import ApiToken
from .models import utcnow

ROLE_RANK = {"editor": 1, "admin": 2}
REALM = 'Bearer realm="claimbase"'
WRITE_ACTIONS = ("create", "update", "delete")
# Who may write what: the role each action on each resource needs. The API's write endpoints
# and imports both ask this table (an import creates and updates its records), so an editor
# cannot do through an import what the API keeps for admins. A change to one of a record's
# parts (an alias, a stance, a review, a topic tag) is an update of that record.
WRITE_ROLES = {
    "topics": {"create": "admin", "update": "admin", "delete": "admin"},
    "speakers": {"create": "editor", "update": "editor", "delete": "admin"},
    "sources": {"create": "editor", "update": "editor", "delete": "admin"},
    "quotes": {"create": "editor", "update": "editor", "delete": "editor"},
    "claims": {"create": "editor", "update": "editor", "delete": "editor"},
}


def role_for(resource, action):
    """The role a write (create, update, delete) of a resource needs."""
    return WRITE_ROLES[resource][action]


def allows(role, resource, action):
    """Whether a token of `role` may do `action` on `resource`."""
    return ROLE_RANK[role] >= ROLE_RANK[role_for(resource, action)]


def import_role(resource):
    """The role an import of a resource's records needs: it may create and update them."""
    return max((role_for(resource, action) for action in ("create", "update")),
               key=ROLE_RANK.__getitem__)


def hash_token(token):
    """The stored form of a token. Tokens are 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(name, role):
    """(the token, shown once; its row). The token itself is never stored."""
    token = "cb_" + secrets.token_urlsafe(32)
    row = ApiToken.create(name=name, role=role, token_hash=hash_token(token))
    return token, row


def revoke_token(name):
    """Revoke a token by name; False when no active token has that name."""
    query = ApiToken.update(revoked_at=utcnow()).where(
        (ApiToken.name == name) & ApiToken.revoked_at.is_null()
    )
    return query.execute() > 0


def _unauthorized(description, error=None):
    challenge = REALM + (f', error="{error}"' if error else "")
    exception = Unauthorized(description=description)
    exception.data = {"headers": {"WWW-Authenticate": challenge}}
    return exception


def authenticate():
    """The active ApiToken of the request's `Authorization: Bearer`, or a 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("This operation needs an `Authorization: Bearer <token>` header.")
    digest = hash_token(token.strip())
    row = ApiToken.get_or_none(ApiToken.token_hash == digest)
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        raise _unauthorized("The token is unknown or revoked.", error="invalid_token")
    return row


def check_role(token, role):
    """A 403 unless the token's role is at least `role` (editor < admin)."""
    if ROLE_RANK[token.role] < ROLE_RANK[role]:
        raise Forbidden(description=f"This operation needs the {role} role.")


def require(role):
    """View decorator: a valid token whose role is at least `role` (editor < admin)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = authenticate()
            check_role(token, role)
            g.token = token
            return view(*args, **kwargs)

        return wrapper

    return decorator
