"""Configuration: defaults, overridden by the environment, overridden by test config."""

import os
from pathlib import Path

from . import costs

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

DEFAULT_DATABASE_URL = "sqlite:///claimbase.db"
DEFAULT_STATEMENT_TIMEOUT_MS = 5000  # per request, all its statements (service/costs.py)
DEFAULT_SEARCH_WAIT_MS = 2000  # how long a search waits for a slot (service/costs.py)
DEFAULT_IMPORT_JOB_BYTES = 1024 * 1024  # an HTTP import bigger than this runs as a job
DEFAULT_IMPORT_MAX_BYTES = 64 * 1024 * 1024  # the largest HTTP import (a job's body)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _words(value):
    """A comma- or space-separated setting as a list."""
    return [word for word in value.replace(",", " ").split() if word]


RATE_LIMITS = {  # requests per minute: (per address, per token)
    "READS": (600, 3000),
    "COSTLY": (60, 600),  # searches, imports, reads that find nothing
    "WRITES": (60, 600),
}


def rate_limit_settings():
    """RATELIMIT_* settings from CLAIMBASE_RATELIMIT_* variables (service/ratelimits.py)."""
    settings = {}
    for kind, defaults in RATE_LIMITS.items():
        for holder, default in zip(("ADDRESS", "TOKEN"), defaults, strict=True):
            name = f"RATELIMIT_{kind}_{holder}"
            settings[name] = int(os.environ.get(f"CLAIMBASE_{name}", default))
    if os.environ.get("CLAIMBASE_RATELIMIT_ENABLED"):
        settings["RATELIMIT_ENABLED"] = os.environ["CLAIMBASE_RATELIMIT_ENABLED"] not in (
            "0", "false", "no", "off")
    if os.environ.get("CLAIMBASE_RATELIMIT_STORAGE_URI"):
        settings["RATELIMIT_STORAGE_URI"] = os.environ["CLAIMBASE_RATELIMIT_STORAGE_URI"]
    return settings


def from_environment():
    """Settings read from the process environment, with their defaults."""
    return {
        **rate_limit_settings(),
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "SEEDS_DIR": Path(os.environ.get("CLAIMBASE_SEEDS", SEEDS_DIR)),
        "STATEMENT_TIMEOUT_MS": int(os.environ.get("CLAIMBASE_STATEMENT_TIMEOUT_MS",
                                                   DEFAULT_STATEMENT_TIMEOUT_MS)),
        # at most this many searches at once on the machine (0: no cap); default: half the
        # cores (service/costs.py)
        "SEARCH_SLOTS": int(os.environ.get("CLAIMBASE_SEARCH_SLOTS")
                            or costs.default_search_slots()),
        "SEARCH_WAIT_MS": int(os.environ.get("CLAIMBASE_SEARCH_WAIT_MS",
                                             DEFAULT_SEARCH_WAIT_MS)),
        "PROXY_HOPS": int(os.environ.get("CLAIMBASE_PROXY_HOPS", 0)),
        "CORS_WRITE_ORIGINS": _words(os.environ.get("CLAIMBASE_CORS_WRITE_ORIGINS", "")),
        "IMPORT_JOB_BYTES": int(os.environ.get("CLAIMBASE_IMPORT_JOB_BYTES",
                                               DEFAULT_IMPORT_JOB_BYTES)),
        "IMPORT_MAX_BYTES": int(os.environ.get("CLAIMBASE_IMPORT_MAX_BYTES",
                                               DEFAULT_IMPORT_MAX_BYTES)),
        "IMPORT_SPOOL": os.environ.get("CLAIMBASE_IMPORT_SPOOL") or None,  # service/jobs.py
        # seconds a gunicorn worker's main loop may stall before it is replaced (not a
        # request timeout: service/serving.py)
        "WORKER_TIMEOUT": int(os.environ.get("CLAIMBASE_WORKER_TIMEOUT", 30)),
    }


API_SETTINGS = {
    "API_TITLE": "Claimbase",
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # request bodies (imports): larger is a 413
    "API_VERSION": "0.1.0",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Swagger UI assets are served by the app itself (service/docs.py): /docs works offline.
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Quotes, speakers, sources and contested claims, for fact-checkers. "
                "Every error is RFC 9457 application/problem+json. Lists are keyset-paginated: "
                "follow `links.next` (or the `Link: rel=\"next\"` header)."
            ),
        },
    },
}
