"""One error shape: every error path answers RFC 9457 application/problem+json."""

import pytest
from peewee import OperationalError

from service import create_app

ERROR_PATHS = [
    # (method, path, status, field named in errors or None)
    ("GET", "/no/such/route", 404, None),
    ("GET", "/speakers/nobody", 404, None),
    ("GET", "/speakers/nul%00byte", 404, None),
    ("GET", "/claims/424242", 404, None),
    ("GET", "/claims/1000000000000000000000000", 404, None),
    ("GET", "/quotes/424242", 404, None),
    ("GET", "/sources/424242", 404, None),
    ("PUT", "/claims", 405, None),
    ("POST", "/claims/1", 405, None),
    ("POST", "/claims", 401, None),
    ("DELETE", "/speakers/vladimir-putin", 401, None),
    ("GET", "/speakers/nobody/history", 404, None),
    ("GET", "/changes?resource=planet", 400, "resource"),
    ("GET", "/changes?since=yesterday", 400, "since"),
    ("GET", "/claims?colour=red", 400, "colour"),
    ("GET", "/claims?limit=0", 400, "limit"),
    ("GET", "/claims?limit=10000", 400, "limit"),
    ("GET", "/claims?limit=ten", 400, "limit"),
    ("GET", "/claims?since=2023-13-45", 400, "since"),
    ("GET", "/claims?since=2024-01-01&until=2023-01-01", 400, "until"),
    ("GET", "/claims?status=maybe", 400, "status"),
    ("GET", "/claims?position=sort-of", 400, "position"),
    ("GET", "/claims?cursor=not-a-cursor", 400, "cursor"),
    ("GET", "/claims?cursor=e30", 400, "cursor"),
    ("GET", "/claims?speaker=", 400, "speaker"),
    ("GET", "/quotes?speaker=a%00b", 400, "speaker"),
    ("GET", "/quotes?source=abc", 400, "source"),
    ("GET", "/quotes?claim=99999999999", 400, "claim"),
    ("GET", "/quotes?kind=quoted", 400, "kind"),
    ("GET", "/quotes?lang=not a language", 400, "lang"),
    ("GET", "/speakers?country=RUS", 400, "country"),
    ("GET", "/speakers?kind=robot", 400, "kind"),
    ("GET", "/topics?cursor=%%%", 400, "cursor"),
    ("GET", "/quotes?" + "&".join(f"speaker=s{i}" for i in range(21)), 400, "speaker"),
]


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize(("method", "path", "status", "field"), ERROR_PATHS)
def test_every_error_is_a_problem(client, method, path, status, field):
    body = assert_problem(client.open(path, method=method), status)
    if field:
        assert field in body["errors"], body
        assert all(isinstance(m, (list, dict)) for m in body["errors"].values())
        assert field in body["detail"]


def test_405_says_which_methods_are_allowed(client):
    response = client.put("/claims")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


@pytest.fixture
def production_app(tmp_path):
    """An app as served: exceptions become problems instead of propagating to the test."""
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.route("/db-down")
    def db_down():
        raise OperationalError("database is locked")

    return app


def test_unexpected_exceptions_are_500_problems_without_details(production_app):
    response = production_app.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"


def test_database_errors_are_503_problems(production_app):
    response = production_app.test_client().get("/db-down")
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "1"


def test_reads_are_open_to_browsers_on_any_origin(client):
    response = client.get("/claims?limit=1", headers={"Origin": "https://newsroom.example"})
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://newsroom.example")
    assert "Link" in response.headers["Access-Control-Expose-Headers"]



def test_too_large_bodies_are_413_problems(tmp_path):
    from service.api import TOO_LARGE_EXAMPLE
    from service.auth import create_token
    from service.db import bind
    from service.db import migrate

    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "MAX_CONTENT_LENGTH": 10, "IMPORT_MAX_BYTES": 10})  # imports: their own
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        token, _ = create_token("big", "editor")
    response = app.test_client().post("/imports?format=claimskg", data=b"x" * 100,
                                      headers={"Authorization": f"Bearer {token}"},
                                      content_type="text/csv")
    assert assert_problem(response, 413) == TOO_LARGE_EXAMPLE
