"""No 500 on a bad query parameter on the feedback pages and endpoints:
`core.tests.test_strict_params` walks every URL of the project; this runs
the same probe on ours alone, with real themes behind the ids (the
project-wide walk finds none, so it sees our detail pages only as 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.test import Client

from changeboard.core.tests.test_strict_params import BAD_VALUES, _get, _probe, _urls, objects  # noqa: F401  (`objects` is a fixture)

from .themes_data import Data

OURS = ("theme-", "api-champion-theme-")


def test_no_feedback_url_answers_500_to_a_bad_parameter(world: Any, objects: dict[str, Model]) -> None:  # noqa: F811
    Data(world)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    failures: dict[str, str] = {}
    seen = 0
    for name, path, parameters in _urls(world, objects):
        if not name.startswith(OURS):
            continue
        bare = _get(client, path, {})
        if bare >= 500:
            failures[f"{name} {path}"] = str(bare)
        if not parameters or bare >= 400:
            continue
        for bad in BAD_VALUES:
            seen += _probe(client, name, path, dict.fromkeys(parameters, bad), failures)
    assert seen > 20
    assert not failures, failures
