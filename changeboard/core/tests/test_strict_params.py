"""No 500 on a bad query parameter or path segment, on any page or endpoint.

Walks every URL pattern in the project (`get_resolver()`), fills its path ids
with real objects and requests it, signed in as a portfolio admin (who
reaches every page), with the values that used to break `str.isdigit()`
parsing: a superscript two, an Arabic-Indic one, a negative number, a
30-digit number and a null byte. Each goes in as each common id, page and
date parameter and as every filter its filterset declares; `<str:...>` path
segments get the same values.

The rule (issue 10, item 6): a bad parameter gives 400 (or 404 for an id that
names nothing), or a page that ignored it or showed it as a form error;
never 500. `core.params` is the one parser behind it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import quote

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from changeboard.conftest import World
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.core.params import IdChoiceField, IdMultipleChoiceField, parse_date, parse_id, parse_int, parse_page
from changeboard.impacts.models import ImpactAssessment, ImpactLine, WaveMoveProposal
from changeboard.portfolio.models import Programme
from changeboard.readiness.models import Action, Criterion, CriterionStatus, Evidence, Review
from changeboard.reports.models import BoardPack
from changeboard.surveys.models import Instrument, Question, SurveyWave

BAD_VALUES = ["²", "١", "-1", "9" * 30, "\x00"]
# The id, page and date parameters the pages and endpoints read, plus
# whatever each page's filterset declares (added per page below).
COMMON_NAMES = ["page", "per_page", "unit", "programme", "wave", "as_of", "within", "whatif", "criterion", "review", "source",
                "survey_wave", "rollout_wave", "week", "start", "weeks", "business_group", "limit", "offset"]
SKIP = {"logout", "api-schema", "api-docs"}  # no parameters; the schema alone takes seconds


def _walk(patterns: list[Any], params: tuple[tuple[str, str], ...] = ()) -> Iterator[tuple[URLPattern, dict[str, str]]]:
    for entry in patterns:
        names = dict(params)
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            names.update({name: type(conv).__name__ for name, conv in pattern.converters.items()})
        elif isinstance(pattern, RegexPattern):
            names.update({name: "regex" for name in pattern.regex.groupindex})
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, tuple(names.items()))
        else:
            yield entry, names


def _view_class(pattern: URLPattern) -> Any:
    return getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)


def _model(view: Any) -> type[Model] | None:
    model = getattr(view, "scoped_model", None) or getattr(view, "model", None)
    return model if isinstance(model, type) and issubclass(model, Model) else None


def _filter_names(view: Any) -> list[str]:
    filterset = getattr(view, "filterset_class", None)
    return list(cast(Any, filterset).base_filters) if isinstance(filterset, type) else []


@pytest.fixture
def objects(world: World) -> dict[str, Model]:
    """One of each thing a detail page shows, in the admin's reach."""
    admin = world.users["admin"]
    today = dt.date(2027, 1, 4)
    assessment = ImpactAssessment.objects.create(programme=world.programme_a, title="Shared services", created_by=admin)
    line = ImpactLine.objects.create(assessment=assessment, title="New duty system", severity=3, start_date=today, end_date=today + dt.timedelta(weeks=4))
    line.units.set([world.westminster])
    instrument = Instrument.objects.create(name="Readiness")
    question = Question.objects.create(text="I know why", element="awareness") if hasattr(Question, "element") else Question.objects.create(text="I know why")  # type: ignore[misc]  # element only where Question has one (the hasattr guard)
    survey = SurveyWave.objects.create(programme=world.programme_a, instrument=instrument, title="Pulse 1", opens_on=today, closes_on=today + dt.timedelta(days=14))
    criterion = Criterion.objects.create(programme=world.programme_a, title="Staff trained")
    status = CriterionStatus.objects.create(criterion=criterion, unit=world.westminster)
    evidence = Evidence.objects.create(criterion=criterion, title="Plan", url="https://example.org/plan")
    review = Review.objects.create(programme=world.programme_a, rollout_wave=world.wave_a, checkpoint="t6", scheduled_on=today)
    action = Action.objects.create(programme=world.programme_a, unit=world.westminster, title="Brief the team", due_date=today)
    pack = BoardPack.objects.create(as_of=today, title="January pack")
    proposal = WaveMoveProposal.objects.create(wave=world.wave_a, proposed_date=today, original_date=world.wave_a.go_live_date, proposed_by=admin)
    outbox = OutboxMessage.objects.create(key="k1", kind="test", to_address="a@example.org", subject="s", body="b", next_attempt_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    audit = AuditEntry.objects.order_by("pk").first() or AuditEntry.objects.create(action="test", object_type="test", object_id="1", object_repr="test")
    return {"assessment": assessment, "line": line, "instrument": instrument, "question": question, "survey": survey, "criterion": criterion,
            "status": status, "evidence": evidence, "review": review, "action": action, "pack": pack, "proposal": proposal, "outbox": outbox,
            "audit": audit}


def _path_value(name: str, model: type[Model] | None, world: World, objects: dict[str, Model]) -> str:
    named = {"programme_pk": world.programme_a, "unit": world.westminster, "line_pk": objects["line"], "question_pk": objects["question"]}
    if name in named:
        return str(named[name].pk)
    if name == "pk" and model is not None:
        found = model._default_manager.order_by("pk").first()
        return str(found.pk) if found else "1"
    return {"token": str(uuid.uuid4()), "week": "2027-01-04", "fmt": "pdf", "action": "submit"}.get(name, "1")


def _urls(world: World, objects: dict[str, Model]) -> Iterator[tuple[str, str, list[str]]]:
    """(name, path, parameter names to try) for every pattern; also the
    path with each `<str:...>` segment replaced by each bad value."""
    for pattern, names in _walk(get_resolver().url_patterns):
        if pattern.name is None or pattern.name in SKIP or "format" in names:
            continue
        view = _view_class(pattern)
        model = _model(view)
        kwargs = {name: _path_value(name, model, world, objects) for name in names}
        path = reverse(pattern.name, kwargs=kwargs)
        yield pattern.name, path, COMMON_NAMES + _filter_names(view) + [f"move_{world.wave_a.pk}"]
        for name, converter in names.items():
            if converter in {"StringConverter", "regex"}:
                for bad in BAD_VALUES:
                    try:
                        yield pattern.name, reverse(pattern.name, kwargs={**kwargs, name: bad}), []
                    except Exception:  # noqa: BLE001,S112  (the pattern refuses the value: nothing to request)
                        continue


def _get(client: Client, path: str, params: dict[str, str]) -> int:
    query = "&".join(f"{quote(name)}={quote(value)}" for name, value in params.items())
    accept = "application/json" if path.startswith("/api/") else "text/html"
    return client.get(f"{path}?{query}" if query else path, HTTP_ACCEPT=accept).status_code


def _probe(client: Client, name: str, path: str, params: dict[str, str], failures: dict[str, str]) -> int:
    """Requests the page with these parameters; when it refuses them (4xx),
    halves the set and tries again, so that an early refusal of one
    parameter hides no 500 from another. Answers the number of requests."""
    status = _get(client, path, params)
    if status >= 500:
        failures.setdefault(f"{name} {sorted(params)}", f"{next(iter(params.values()))!r} -> {status}")
    if 400 <= status < 500 and len(params) > 1:
        items = list(params.items())
        half = len(items) // 2
        return 1 + _probe(client, name, path, dict(items[:half]), failures) + _probe(client, name, path, dict(items[half:]), failures)
    return 1


@pytest.mark.timeout(900)
def test_no_url_answers_500_to_a_bad_parameter(world: World, objects: dict[str, Model]) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    failures: dict[str, str] = {}
    seen = 0
    for name, path, parameters in _urls(world, objects):
        seen += 1
        bare = _get(client, path, {})
        if bare >= 500:
            failures.setdefault(f"{name} {path}", f"{bare}")
        if not parameters or bare >= 400:
            continue  # refused whatever the query (405, 404, 403): nothing reads it
        for bad in BAD_VALUES:
            seen += _probe(client, name, path, dict.fromkeys(parameters, bad), failures)
    assert seen > 500
    assert not failures, f"{len(failures)} pages and parameters answered 500:\n" + "\n".join(f"{k}: {v}" for k, v in failures.items())


# ---------------------------------------------------------------------------
# The parsers themselves


@pytest.mark.parametrize("value", ["²", "١", "-1", "+1", " 1", "1 ", "1.0", "0x1", "", None, "9" * 30, "\x00", "1\x00", True])
def test_parse_id_refuses_anything_but_ascii_digits_in_range(value: Any) -> None:
    assert parse_id(value) is None


def test_parsers_accept_plain_values() -> None:
    assert parse_id("42") == 42 and parse_id(42) == 42 and parse_id("0") is None
    assert parse_int("0") == 0 and parse_int("7", max=5) is None
    assert parse_page("3") == 3 and parse_page("100001") is None
    assert parse_date("2027-01-04") == dt.date(2027, 1, 4)
    assert parse_date("2027-02-30") is None and parse_date("２０２７-01-04") is None and parse_date("2027-01-04\x00") is None


def test_id_fields_refuse_a_malformed_id_as_a_form_error(world: World) -> None:
    from django import forms

    class PickForm(forms.Form):
        programme = IdChoiceField(queryset=Programme.objects.all())
        programmes = IdMultipleChoiceField(queryset=Programme.objects.all())

    for bad in BAD_VALUES:
        form = PickForm({"programme": bad, "programmes": [bad]})
        assert not form.is_valid() and set(form.errors) == {"programme", "programmes"}
    good = PickForm({"programme": str(world.programme_a.pk), "programmes": [str(world.programme_b.pk)]})
    assert good.is_valid() and good.cleaned_data["programme"] == world.programme_a


def test_saving_proposed_moves_ignores_malformed_waves_and_dates(client: Client, world: World) -> None:
    client.force_login(world.users["admin"])
    data = {"move_²": "2027-05-03", f"move_{'9' * 30}": "2027-05-03", f"move_{world.wave_a.pk}": "2027-05-0\x00", "note": "x"}
    response = client.post(reverse("proposal-list"), data)
    assert response.status_code == 302
    assert not WaveMoveProposal.objects.exists()
