"""The API schema says which fields can be null (or blank), so a client
generated from it accepts every answer; oversized numbers are a 400."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from changeboard.core.tests.api_nullable import audit, schema


def test_every_field_that_can_be_null_is_nullable_in_the_schema() -> None:
    assert audit() == []


@pytest.mark.parametrize(("component", "field"), [
    ("Assessment", "approved_by"), ("CriterionStatus", "updated_by"), ("Instrument", "programme_code"),
    ("Pack", "requested_by"), ("Review", "decided_by"), ("Staff", "line_manager_staff_number"),
])
def test_the_fields_a_client_tripped_on_are_nullable(component: str, field: str) -> None:
    assert schema()["components"]["schemas"][component]["properties"][field].get("nullable") is True


def test_an_undecided_reviews_blank_decision_is_in_the_schema() -> None:
    prop = schema()["components"]["schemas"]["Review"]["properties"]["decision"]
    assert any(option.get("$ref", "").endswith("/BlankEnum") for option in prop.get("oneOf", [])), prop


@pytest.mark.parametrize("url", [
    "/api/v1/criterion-statuses/?unit=-9310117820695201792",
    "/api/v1/load/?programme=1815785603975696613376",
    "/api/v1/staff/?unit=99999999999999999999",
])
def test_a_number_too_large_for_the_database_is_a_bad_request(client: Any, world: Any, url: str) -> None:
    token = Token.objects.create(user=world.users["admin"])
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json")
    assert response.status_code in {400, 200}, (url, response.status_code)
