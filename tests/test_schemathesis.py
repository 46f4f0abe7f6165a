"""Property tests against our own OpenAPI document: every operation — reads, and writes with
an admin token — with 200 generated valid requests and 50 invalid ones each.

Any server error, response that breaks its documented schema, undocumented status code,
wrong content type, or invalid input accepted fails the test. The fuzzer writes at random,
so it works on a database of its own.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from service import create_app
from service.auth import create_token
from service.db import bind
from service.db import migrate
from service.loader import load_dataset
from tests.conftest import SEED
from tests.conftest import WORLD
from tests.conftest import empty_database_url

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]
CASES = {GenerationMode.POSITIVE: 200, GenerationMode.NEGATIVE: 50}


def openapi_document():
    """The app's OpenAPI document, read without a request (no database is opened)."""
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": "sqlite:///never-opened.db"})
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


def operations(spec):
    return sorted((method.upper(), path) for path, operations in spec["paths"].items()
                  for method in operations if method != "parameters")


def operations_without_invalid_input(spec):
    """Operations whose every input is any string (a slug in the path) or that take none:
    there is no invalid request to generate for them."""
    found = set()
    for path, operations_ in spec["paths"].items():
        for method, operation in operations_.items():
            if method == "parameters":
                continue
            parameters = operations_.get("parameters", []) + operation.get("parameters", [])
            constrained = [p for p in parameters
                           if p["in"] != "path" or p["schema"].get("type") != "string"]
            if not constrained and "requestBody" not in operation:
                found.add((method.upper(), path))
    return found


SPEC = openapi_document()
OPERATIONS = operations(SPEC)
NO_INVALID_INPUT = operations_without_invalid_input(SPEC)
FUZZ_CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in CASES
    if not (mode is GenerationMode.NEGATIVE and (method, path) in NO_INVALID_INPUT)
]


@pytest.fixture(scope="module")
def fuzz_app(backend, tmp_path_factory, request):
    """An app over a database of its own (seeds and fixture world), with an admin token."""
    url = empty_database_url(backend, tmp_path_factory.mktemp("fuzz"), request)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
        app.config["ADMIN_TOKEN"] = create_token("fuzzer", "admin")[0]
    yield app
    db.close()


def test_reads_and_writes_are_all_fuzzed():
    methods = {method for method, _ in OPERATIONS}
    assert methods == {"GET", "POST", "PATCH", "PUT", "DELETE"}
    assert len(OPERATIONS) >= 35


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "mode"), FUZZ_CASES)
def test_operation_conforms_to_its_openapi_document(fuzz_app, method, path, mode):
    bind(fuzz_app.extensions["claimbase.db"])
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {fuzz_app.config['ADMIN_TOKEN']}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=CASES[mode], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def conforms(case):
        case.call_and_validate(checks=CHECKS, headers=headers)

    conforms()
