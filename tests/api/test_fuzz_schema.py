"""Schemathesis against the live test server, for every operation of the committed schema.

Generated requests for each operation, as a signed-in resident: no answer may be a 5xx, and every
answer must match the schema's description of it. One test (one database setup) draws a request
for every operation in each of YIWANG_FUZZ_EXAMPLES rounds (3 by default, so CI stays fast; run
more with YIWANG_FUZZ_EXAMPLES=50).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_resident

SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
ROUNDS = int(os.environ.get("YIWANG_FUZZ_EXAMPLES", "3"))


@pytest.mark.fuzz
@pytest.mark.django_db(transaction=True)
def test_no_server_error_and_every_answer_matches_the_schema(live_server, catalog, settings_media):
    from yiwang.accounts.services import issue_api_token

    headers = {"Authorization": f"Token {issue_api_token(user=make_resident())}"}
    calls = []

    @settings(max_examples=ROUNDS, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(data=st.data())
    def every_operation(data):
        for operation in OPERATIONS:
            case = data.draw(operation.as_strategy(), label=f"{operation.method.upper()} {operation.path}")
            response = case.call_and_validate(base_url=live_server.url, headers=headers,
                                              checks=[not_a_server_error, response_schema_conformance])
            calls.append(response.status_code)

    every_operation()
    # The probe's figures, for a long run's report (pytest -s).
    print(f"fuzz: {len(calls)} requests over {len(OPERATIONS)} operations; answers by status: "
          f"{dict(sorted(Counter(calls).items()))}")
    assert len(OPERATIONS) == 85
    assert len(calls) >= ROUNDS * len(OPERATIONS)  # hypothesis may add its own explicit examples
