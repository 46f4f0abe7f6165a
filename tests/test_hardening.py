"""Hostile requests: security headers on every response, CORS open for reads only, and JSON
bodies that are too deep or not valid Unicode refused with a 400 problem."""

import pytest

from service.hardening import SECURITY_HEADERS
from tests.test_errors import ERROR_PATHS
from tests.test_errors import assert_problem

PAGES = ["/", "/docs", "/docs/assets/docs-init.js", "/openapi.json", "/claims", "/speakers",
         "/ui/static/style.css", "/ui/search?q=climate"]


def assert_secure(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp


@pytest.mark.parametrize("path", PAGES)
def test_pages_and_reads_carry_the_security_headers(client, path):
    with client.get(path) as response:
        assert response.status_code == 200, path
        assert_secure(response)


@pytest.mark.parametrize(("method", "path", "status", "field"), ERROR_PATHS)
def test_errors_carry_the_security_headers(client, method, path, status, field):
    assert_secure(client.open(path, method=method))


def test_pages_hold_no_inline_script_or_style(client):
    for path in ("/", "/docs", "/ui/search?q=climate"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, path
        assert " onload=" not in html and " onclick=" not in html, path


def test_any_origin_may_read(client):
    response = client.get("/claims", headers={"Origin": "https://reader.example"})
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://reader.example")


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_no_origin_may_write_unless_configured(client, method):
    preflight = client.options("/claims/1", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "Authorization"})
    assert method not in preflight.headers.get("Access-Control-Allow-Methods", "")


def test_configured_origins_may_write(app):
    app.config["CORS_WRITE_ORIGINS"] = ["https://desk.example"]
    try:
        from service import hardening

        with app.test_request_context("/claims/1", method="OPTIONS",
                                      headers={"Origin": "https://desk.example"}):
            allowed = hardening.write_origin_allowed()
        with app.test_request_context("/claims/1", method="OPTIONS",
                                      headers={"Origin": "https://evil.example"}):
            refused = hardening.write_origin_allowed()
    finally:
        app.config["CORS_WRITE_ORIGINS"] = []
    assert allowed and not refused


@pytest.mark.parametrize(("body", "says"), [
    ("[" * 1000 + "]" * 1000, "nested deeper"),
    ('{"name": ' * 40 + "1" + "}" * 40, "nested deeper"),
    ('{"name": "\\ud800"}', "invalid Unicode"),
    ('{"\\udfff": "x"}', "invalid Unicode"),
])
def test_hostile_json_is_a_400(editor, body, says):
    response = editor.client.post("/speakers", data=body, headers={
        **editor.headers(), "Content-Type": "application/json"})
    problem = assert_problem(response, 400)
    assert says in problem["detail"]


def test_json_within_the_limits_still_works(editor):
    response = editor.post("/speakers", json={"slug": "ada-deepnest", "name": "Ada Deepnest",
                                              "kind": "person"})
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/speakers", {"slug": "long-name", "name": "n" * 256, "kind": "person"}, "name"),
    ("/speakers", {"slug": "long-text", "name": "N", "kind": "person",
                   "description": "d" * 10_001}, "description"),
    ("/sources", {"slug": "long-title", "kind": "article", "title": "t" * 2049}, "title"),
    ("/claims", {"text": "c" * 10_001}, "text"),
    ("/claims", {"text": "c" * 3_000_000}, "text"),
])
def test_oversized_text_is_a_422_naming_the_field(editor, path, body, field):
    problem = assert_problem(editor.post(path, json=body), 422)
    assert field in problem["errors"], problem
    message = str(problem["errors"][field])
    assert "Longer than maximum length" in message or "Length must be between" in message


def test_every_text_a_client_sends_has_a_max_length_in_openapi(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    unbounded = []
    for name in ("Speaker", "Alias", "Source", "QuoteInput", "Claim", "Review", "Topic",
                 "StanceInput", "Appearance"):
        for field, prop in schemas[name]["properties"].items():
            types = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
            text = ("string" in types and not prop.get("readOnly") and "enum" not in prop
                    and prop.get("format") != "date")
            if text and "maxLength" not in prop:
                unbounded.append(f"{name}.{field}")
    assert unbounded == []
    assert schemas["Claim"]["properties"]["text"]["maxLength"] == 10_000
