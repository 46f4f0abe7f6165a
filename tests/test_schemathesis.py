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


def documented_operations(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return sorted((op.method.upper(), op.path) for op in
                  (result.ok() for result in schema.get_all_operations()))


OPERATIONS = documented_operations(create_app({"DATABASE_URL": "sqlite:///unused.db"}))
# A slug path parameter is any string: there is no invalid input to generate for it.
NO_INVALID_INPUT = {("GET", "/speakers/{slug}"), ("GET", "/topics/{slug}")}
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
