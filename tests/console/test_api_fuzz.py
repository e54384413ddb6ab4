"""Property-based fuzzing of the console's OpenAPI spec (schemathesis): no 5xx, every
status documented, every JSON response matching its schema. Bounded to stay quick.

Driven with Hypothesis directly (one ``@given`` per operation) rather than through
schemathesis' pytest plugin, which this pytest version does not load.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civicam.console.app import create_app
from tests.console.conftest import Site

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_openapi_fuzz(fresh_site: Site) -> None:
    app = create_app(fresh_site.cfg, fresh_site.db)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app).include(path_regex="^/api/")
    headers = {"Authorization": f"Bearer {fresh_site.tokens['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
