"""The OpenAPI 3.1 document and the offline docs page."""

import json
import re

import pytest

from service import create_app
from service.auth import create_token
from service.cli import prepare_database
from service.examples import EXAMPLE_TOKEN_NAME
from service.examples import REQUESTS
from service.examples import current_examples
from service.examples import example


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").get_json()


def responses(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
                yield path, method, status, response


def test_openapi_version_and_every_operation(spec):
    assert spec["openapi"] == "3.1.0"
    assert {"/speakers", "/speakers/{slug}", "/sources", "/sources/{source_id}", "/quotes",
            "/quotes/{quote_id}", "/claims", "/claims/{claim_id}", "/topics", "/topics/{slug}",
            "/changes"} <= set(spec["paths"])


def test_every_response_has_a_schema_and_an_example(spec):
    for path, method, status, response in responses(spec):
        if status == "204":
            assert "content" not in response
            continue
        expected = ({"application/json", "application/ld+json", "application/x-ndjson",
                     "text/csv"} if status < "300"
                    else {"application/problem+json"})
        assert set(response["content"]) <= expected, (path, status)
        for content in response["content"].values():
            assert "schema" in content, (path, status)
            assert content.get("example") or content.get("examples"), (path, method, status)


def test_every_operation_has_a_summary_and_description(spec):
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            if method != "parameters":
                assert operation["summary"] and operation.get("description")


def test_list_parameters_are_documented(spec):
    names = {p["name"] for p in spec["paths"]["/claims"]["get"]["parameters"]}
    assert names == {"limit", "cursor", "speaker", "exact", "position", "status", "topic",
                     "lang", "since", "until", "q", "rating", "publisher", "reviewed", "source",
                     "country", "reviewed_since", "reviewed_until", "facets"}


def masked(body):
    """The body with the times of day of recorded changes replaced (they differ per run)."""
    text = json.dumps(body, ensure_ascii=False)
    return json.loads(re.sub(r'"at": "[^"]+"', '"at": "…"', text))


def test_examples_are_what_the_api_answers_on_the_seeds(new_database_url):
    """The documented examples are real responses: regenerate with python -m service.examples."""
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url})
    prepare_database(app)
    with app.extensions["claimbase.db"].connection_context():
        token, _ = create_token(EXAMPLE_TOKEN_NAME, "editor")
    answers = current_examples(app.test_client(), token)
    assert set(answers) == set(REQUESTS)
    for name, body in answers.items():
        assert masked(example(name)) == masked(body), f"{name}: run python -m service.examples"


def test_docs_page_works_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/docs/assets/") for a in assets), assets
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
    assert "/openapi.json" in html


def test_unknown_doc_asset_is_a_problem(client):
    response = client.get("/docs/assets/nope.js")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


# POSTs that only read: a body for what a query string cannot hold (a long text).
READ_ONLY_POSTS = {("post", "/claims/similar")}
# Reads that need a token: an import job is shown to its submitter (and admins) only.
AUTHENTICATED_READS = {("get", "/imports/{job_id}")}


def test_writes_document_their_security_if_match_and_problems(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": "A token from `claimbase tokens create`."}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method, path) in AUTHENTICATED_READS:
                assert operation["security"] == [{"bearerAuth": []}], (method, path)
                assert {"401", "404"} <= set(operation["responses"]), (method, path)
                continue
            if method in ("parameters", "get") or (method, path) in READ_ONLY_POSTS:
                assert "security" not in operation
                continue
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert {"401", "403", "422"} <= set(operation["responses"]), (method, path)
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if method in ("patch", "delete", "put"):
                assert "If-Match" in headers, (method, path)
                assert {"412", "428"} <= set(operation["responses"]), (method, path)

