"""The project's own exceptions: what the query and write layers raise when a request
cannot be answered as asked. Nothing here knows HTTP; service/errors.py alone maps each
to a status and a problem+json body (and the CLI to a message)."""


class ClaimbaseError(Exception):
    """Base of the errors below."""


class InvalidParameters(ClaimbaseError, ValueError):
    """Parameters that cannot be read (a cursor for another list, a malformed query):
    `errors` maps each parameter at fault to its messages."""

    def __init__(self, errors, detail=None):
        super().__init__(detail or "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.detail = detail


class InvalidInput(ClaimbaseError, ValueError):
    """A body that is well-formed but cannot be applied (unknown reference, quote not in
    its source text…): `errors` maps each field at fault to its messages."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFoundError(ClaimbaseError, LookupError):
    """No row of this kind with this key."""

    def __init__(self, what, key):
        super().__init__(f"No {what} {key!r}.")
        self.what = what
        self.key = key


class StaleVersion(ClaimbaseError):
    """A write named a version that is no longer current; `current` is the row as it now
    is (None when it is gone)."""

    def __init__(self, current):
        super().__init__("The resource has changed since you read it: reload it and apply "
                         "your change again.")
        self.current = current


class DuplicateClaim(ClaimbaseError):
    """A new claim that is a near-duplicate of existing claims (docs/matching.md)."""

    def __init__(self, duplicates):
        super().__init__("This claim is a near-duplicate of an existing claim: add your "
                         "review or stance to that one, or send the claim again with "
                         "allow_duplicate=true.")
        self.duplicates = duplicates


class MergedSlug(ClaimbaseError):
    """A merged speaker's old slug: the resource lives on under the slug it became."""

    def __init__(self, old_slug, new_slug):
        super().__init__(f"{old_slug!r} was merged into {new_slug!r}.")
        self.old_slug = old_slug
        self.new_slug = new_slug
