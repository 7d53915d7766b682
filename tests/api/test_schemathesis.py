"""Schemathesis against the in-process app: every operation of the OpenAPI schema, as a
federation admin and as a cadre, with valid and invalid inputs. No 5xx, and every response
inside what the schema declares (status code, content type, body schema).

Requests go through Django's WSGI handler on the test database (the ``world`` data), inside
the test's transaction: the audit table refuses the flush a transactional test would need.
Bounded and derandomized so the suite stays fast and repeatable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from gonghui.api.services import token_create
from gonghui.api.v1 import api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
BOUNDED = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_app(world: Any) -> Iterator[WSGIHandler]:
    # Like Django's test client: a request must not close the test's connection (and with it
    # the transaction that holds the test data).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_schema_tested_is_the_one_served(client: Any) -> None:
    served = client.get("/api/v1/openapi.json").json()
    assert served == SCHEMA.raw_schema


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
@pytest.mark.parametrize("role", ["fed_admin", "cadre"])
def test_api_conforms_to_its_schema(operation: Any, role: str, world: Any, wsgi_app: WSGIHandler) -> None:
    _, plaintext = token_create(actor=None, user=world.users[role], name="schemathesis")
    headers = {"Authorization": f"Bearer {plaintext}"}
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @BOUNDED
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, app=wsgi_app)

    check()
