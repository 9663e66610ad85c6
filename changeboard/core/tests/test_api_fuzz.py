"""A bounded schemathesis run: every GET operation of the API, called as the
admin persona with a token, answers without a server error and as its
OpenAPI schema (drf-spectacular's) says."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402
from drf_spectacular.renderers import OpenApiJsonRenderer  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))


def _raw_schema() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(schema)))


schema = schemathesis.openapi.from_dict(_raw_schema()).include(method="GET")
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI app called directly sends request_started/finished, whose
    `close_old_connections` would close the test's own connection (on
    PostgreSQL, inside its transaction); Django's test client disconnects
    it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(world: Any) -> str:
    return str(Token.objects.create(user=world.users["admin"]).key)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_as_its_schema_says(case: Any, admin_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}", "Accept": "application/json"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
