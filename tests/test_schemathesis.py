"""Property tests against our own OpenAPI document: every operation, 200 generated cases each
of valid and of invalid input.

Any server error, response that breaks its documented schema, undocumented status code,
wrong content type, or invalid input accepted fails the test.
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

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]
CASES = 200
OPERATIONS = [
    ("GET", "/speakers"),
    ("GET", "/speakers/{slug}"),
    ("GET", "/sources"),
    ("GET", "/sources/{source_id}"),
    ("GET", "/quotes"),
    ("GET", "/quotes/{quote_id}"),
    ("GET", "/claims"),
    ("GET", "/claims/{claim_id}"),
    ("GET", "/topics"),
]


def test_every_documented_operation_is_fuzzed(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    documented = {(op.method.upper(), op.path) for op in
                  (result.ok() for result in schema.get_all_operations())}
    assert documented == set(OPERATIONS)


# A slug path parameter is any string: there is no invalid input to generate for it.
NO_INVALID_INPUT = {("GET", "/speakers/{slug}")}
FUZZ_CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not (mode is GenerationMode.NEGATIVE and (method, path) in NO_INVALID_INPUT)
]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "mode"), FUZZ_CASES)
def test_operation_conforms_to_its_openapi_document(app, method, path, mode):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=CASES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def conforms(case):
        case.call_and_validate(checks=CHECKS)

    conforms()
