"""Schemathesis against the live test server, for every operation of the committed schema.

A few generated requests per operation (valid and invalid), as a signed-in resident: no answer may
be a 5xx, and every answer must match the schema's description of it. Kept small so CI stays fast;
run more with YIWANG_FUZZ_EXAMPLES=50.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_resident

SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml")
EXAMPLES = int(os.environ.get("YIWANG_FUZZ_EXAMPLES", "3"))


@pytest.fixture
def resident_token(db):
    from yiwang.accounts.services import issue_api_token

    return issue_api_token(user=make_resident())


@pytest.mark.fuzz
@pytest.mark.django_db(transaction=True)
@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_server_error_and_every_answer_matches_the_schema(case, live_server, catalog, resident_token, settings_media):
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {resident_token}"},
                           checks=[not_a_server_error, response_schema_conformance])
