"""Browser journey: a practitioner (the champion persona, linked as their
own account) self-assesses (after missing one area), their coach (a change
manager) records a reassessment, and the skills matrix shows the change.
axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from ..models import Assessment
from .factories import framework, make_practitioner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose(page: Any, levels: dict[str, str]) -> None:
    for name, label in levels.items():
        page.get_by_role("group", name=name).get_by_label(label, exact=True).check()


def test_self_assessment_then_coach_reassessment_shows_in_the_skills_matrix(page: Any, world: Any) -> None:
    names = list(framework().competencies.order_by("order").values_list("name", flat=True))
    alex = make_practitioner(world.staff_in, role_name="Change champion", user=world.users["champion"], coach=world.users["lead"],
                             programmes=[world.programme_a])

    sign_in(page, "champion", PASSWORD)
    visit(page, f"/capability/practitioners/{alex.pk}/")
    assert page.get_by_text("Not assessed yet.").is_visible()
    page.get_by_role("button", name="Assess yourself").click()
    page.wait_for_url(re.compile(r"/assess/\?kind=self$"))
    check_axe(page)
    _choose(page, {name: "1 - Aware" for name in names[1:]})  # the first area is missed
    page.get_by_role("button", name="Record the assessment").click()
    check_axe(page)  # the error summary and the group's error
    assert page.get_by_role("link", name=f"{names[0]}: Choose a level for {names[0]}").is_visible()
    assert page.get_by_role("group", name="Communications").get_by_label("1 - Aware", exact=True).is_checked()  # nothing lost
    _choose(page, {names[0]: "1 - Aware"})
    page.get_by_label("Date of the assessment").fill((timezone.localdate() - dt.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url(re.compile(rf"/capability/practitioners/{alex.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Assessment recorded.").is_visible()
    assert page.get_by_text("Short in 3 competencies").is_visible()

    page.context.clear_cookies()
    sign_in(page, "lead", PASSWORD)
    visit(page, f"/capability/skills/?programme={world.programme_a.pk}")
    row = page.get_by_role("row", name=re.compile("Alex Inscope"))
    assert row.get_by_role("cell", name="1 (self), needs 2: short by 1").first.is_visible()
    visit(page, f"/capability/practitioners/{alex.pk}/")
    page.get_by_role("button", name="Record a coach's assessment").click()
    page.wait_for_url(re.compile(r"/assess/\?kind=coach$"))
    check_axe(page)
    _choose(page, {name: "2 - Practising with help" for name in names} | {"Communications": "3 - Independent"})
    page.get_by_label("Note").fill("Ran the February briefing cascade on her own.")
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url(re.compile(rf"/capability/practitioners/{alex.pk}/$"))
    check_axe(page)
    assert page.get_by_text("Short in 0 competencies").is_visible()
    assert Assessment.objects.filter(practitioner=alex, kind="coach", assessor=world.users["lead"]).count() == 1

    visit(page, f"/capability/skills/?programme={world.programme_a.pk}")
    row = page.get_by_role("row", name=re.compile("Alex Inscope"))
    assert row.get_by_role("cell", name="3, needs 2", exact=True).is_visible()
    assert row.get_by_role("cell", name="2, needs 1", exact=True).first.is_visible()
    change = page.get_by_role("row", name=re.compile(r"^Communications 1\.0 3\.0"))
    assert change.is_visible()  # first level 1 (her own), now 3 (her coach's)


def test_framework_and_practitioner_pages_pass_axe_for_an_admin(page: Any, world: Any) -> None:
    current = framework()
    alex = make_practitioner(world.staff_in, role_name="Change champion", user=world.users["champion"], coach=world.users["lead"],
                             programmes=[world.programme_a])
    competency = current.competencies.get(code="coaching")
    role = current.roles.get(name="Change champion")
    sign_in(page, "admin", PASSWORD)
    visit(page, "/capability/framework/")
    assert page.get_by_role("table", name="What each level means in each competency").is_visible()
    for path in (f"/capability/frameworks/{current.pk}/edit/", f"/capability/frameworks/{current.pk}/competencies/add/",
                 f"/capability/competencies/{competency.pk}/edit/", f"/capability/frameworks/{current.pk}/roles/add/",
                 f"/capability/practitioner-roles/{role.pk}/edit/", "/capability/practitioners/", "/capability/practitioners/add/",
                 f"/capability/practitioners/{alex.pk}/edit/", f"/capability/practitioners/{alex.pk}/assess/?kind=coach", "/capability/skills/"):
        visit(page, path)
    page.goto("/capability/practitioners/add/")
    page.get_by_role("button", name="Add the practitioner").click()
    check_axe(page)  # the error summary and the fields' errors
    assert page.get_by_text("Enter the staff number of the person to add").first.is_visible()
