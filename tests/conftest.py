"""Test worlds: the seeds plus fixtures/world.json, on SQLite and (when configured) PostgreSQL.

Every test that uses `app`, `client` or `db` runs once per backend. PostgreSQL tests need
CLAIMBASE_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); each test
session creates its own database there and drops it at the end.
"""

import os
import uuid
from pathlib import Path
from urllib.parse import urlparse
from urllib.parse import urlunparse

import psycopg
import pytest
from hypothesis import settings

from service import create_app
from service.auth import create_token
from service.auth import revoke_token
from service.config import SEEDS_DIR
from service.db import bind
from service.db import migrate
from service.loader import load_dataset

# Property tests explore the same examples on every run: CI must not pass or fail by luck.
# (Run with --hypothesis-profile=explore to draw new examples while developing.)
settings.register_profile("claimbase", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("claimbase")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
WORLD = FIXTURES / "world.json"
SEED = SEEDS_DIR / "seed.json"
POSTGRES_ENV = "CLAIMBASE_TEST_POSTGRES_URL"


def pytest_report_header(config):
    url = os.environ.get(POSTGRES_ENV)
    return f"PostgreSQL: {url}" if url else f"PostgreSQL: SKIPPED ({POSTGRES_ENV} is unset)"


class PostgresDatabases:
    """Creates throw-away databases on the server named by CLAIMBASE_TEST_POSTGRES_URL."""

    def __init__(self, admin_url):
        self.admin_url = admin_url
        self.created = []

    def create(self):
        name = f"claimbase_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return urlunparse(urlparse(self.admin_url)._replace(path=f"/{name}"))

    def drop_all(self):
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_databases():
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is unset: PostgreSQL variant skipped")
    databases = PostgresDatabases(url)
    yield databases
    databases.drop_all()


def empty_database_url(backend, directory, request):
    """A URL for a new, empty database of this backend."""
    if backend == "sqlite":
        return f"sqlite:///{directory / 'claimbase.db'}"
    return request.getfixturevalue("postgres_databases").create()


@pytest.fixture
def new_database_url(backend, tmp_path, request):
    """A URL for an empty database of the current backend (for tests that build their own)."""
    return empty_database_url(backend, tmp_path, request)


class Editor:
    """A test client that writes with a token: .post/.patch/.put/.delete(path, json, etag)."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def headers(self, etag=None, token=None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if etag:
            headers["If-Match"] = etag
        return headers

    def get(self, path):
        return self.client.get(path)

    def etag(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, response.get_json()
        return response.headers["ETag"]

    def post(self, path, json=None, etag=None, token=None):
        return self.client.post(path, json=json, headers=self.headers(etag, token))

    def patch(self, path, json=None, etag=None, token=None):
        return self.client.patch(path, json=json, headers=self.headers(etag, token))

    def put(self, path, etag=None, token=None):
        return self.client.put(path, headers=self.headers(etag, token))

    def delete(self, path, etag=None, token=None):
        return self.client.delete(path, headers=self.headers(etag, token))


@pytest.fixture(scope="module")
def write_app(backend, tmp_path_factory, request):
    """An app over its own database (the fixture world) for tests that write through HTTP,
    with tokens: `editor`, `admin` and a revoked one."""
    url = empty_database_url(backend, tmp_path_factory.mktemp("writes"), request)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        load_dataset(WORLD)
        app.config["TOKENS"] = {role: create_token(f"{role}-token", role)[0]
                                for role in ("editor", "admin")}
        app.config["TOKENS"]["revoked"] = create_token("revoked-token", "admin")[0]
        revoke_token("revoked-token")
    yield app
    db.close()


@pytest.fixture
def editor(write_app):
    bind(write_app.extensions["claimbase.db"])
    return Editor(write_app.test_client(), write_app.config["TOKENS"]["editor"])


@pytest.fixture
def tokens(write_app):
    return write_app.config["TOKENS"]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory, request):
    """The app over a migrated database holding the seeds and the fixture world."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'claimbase.db'}"
    else:
        url = request.getfixturevalue("postgres_databases").create()
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    db = app.extensions["claimbase.db"]
    bind(db)
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
    yield app
    db.close()


@pytest.fixture(autouse=True)
def _bind_models(request):
    """Point the models at the current test's database (both backends share one process)."""
    if "app" in request.fixturenames:
        bind(request.getfixturevalue("app").extensions["claimbase.db"])


@pytest.fixture
def db(app):
    """A connection for tests that query without HTTP; every change is rolled back."""
    connection = app.extensions["claimbase.db"]
    connection.connect(reuse_if_open=True)
    with connection.atomic() as transaction:
        yield connection
        transaction.rollback()
    connection.close()


@pytest.fixture
def get_json(client):
    """GET a path, assert 200 JSON, return the body."""

    def get(path, **kwargs):
        response = client.get(path, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        return response.get_json()

    return get

