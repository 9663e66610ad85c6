"""The framework, practitioner, assessment and skills pages: what they show
and what their forms do (errors on the form, nothing lost)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from changeboard.conftest import make_staff

from ..models import Assessment, Competency, Practitioner, Requirement
from .capability_data import Data, build
from .factories import make_assessment


@pytest.fixture
def d(world: Any) -> Data:
    return build(world)


def _as(client: Any, d: Data, persona: str) -> Any:
    client.force_login(d.world.users[persona])
    return client


def test_framework_page_shows_descriptors_and_needs_with_edit_links_for_admins(client: Any, d: Data) -> None:
    page = _as(client, d, "admin").get(reverse("framework-detail-current")).content.decode()
    assert "Change practitioner framework" in page
    assert "Writes a whole programme&#x27;s impact assessment alone" in page
    assert reverse("competency-edit", args=[d.competency.pk]) in page and reverse("practitioner-role-edit", args=[d.role.pk]) in page
    client.logout()
    page = _as(client, d, "lead").get(reverse("framework-detail-current")).content.decode()
    assert "Coaching" in page and reverse("competency-edit", args=[d.competency.pk]) not in page


def test_role_form_sets_requirement_levels(client: Any, d: Data) -> None:
    c = _as(client, d, "admin")
    url = reverse("practitioner-role-edit", args=[d.role.pk])
    form = c.get(url).context["form"]
    assert form.initial[f"need_{d.competency.pk}"] == 1
    body = {"name": "Change champion", "description": "", **{f"need_{pk}": "" for pk in d.framework.competencies.values_list("pk", flat=True)}}
    body[f"need_{d.competency.pk}"] = "3"
    assert c.post(url, body).status_code == 302
    assert dict(Requirement.objects.filter(role=d.role).values_list("competency__code", "level")) == {"coaching": 3}
    response = c.post(reverse("competency-add", args=[d.framework.pk]), {"name": "Coaching"})
    assert response.status_code == 200 and "Another competency of this framework has this code" in response.content.decode()
    assert Competency.objects.filter(name="Coaching").count() == 1


def test_list_shows_role_coach_latest_and_gaps_and_filters_and_exports(client: Any, d: Data) -> None:
    c = _as(client, d, "lead")
    response = c.get(reverse("practitioner-list"))
    rows = {str(row.record): row for row in response.context["table"].rows}
    alex = rows["Alex Inscope"]
    assert alex.get_cell("role") == "Change champion" and alex.get_cell("coach") == "Lead Tester"
    assert alex.get_cell("latest") == "1 Feb 2026"
    assert alex.get_cell("gaps") == 3  # self-assessed 1 everywhere; a champion needs 2 in three areas
    assert rows["Blair Outscope"].get_cell("gaps") == 0  # coach's 3 everywhere
    filtered = c.get(reverse("practitioner-list"), {"programme": d.world.programme_a.pk})
    assert [str(r.record) for r in filtered.context["table"].rows] == ["Alex Inscope"]
    csv = b"".join(c.get(reverse("practitioner-list"), {"export": "csv"}).streaming_content).decode()
    assert "Competencies short" in csv and "Alex Inscope,100001,Change champion,Lead Tester,AAA,2026-02-01,3,yes" in csv


def test_add_by_staff_number_refuses_leavers_and_unknowns(client: Any, d: Data) -> None:
    make_staff("100091", d.world.team, first_name="Gone", last_name="Away", is_leaver=True)
    make_staff("100092", d.world.team, first_name="Jo", last_name="Newlead")
    c = _as(client, d, "lead")
    url = reverse("practitioner-add")
    assert "has left the force" in c.post(url, {"staff_number": "100091", "role": d.role.pk}).content.decode()
    assert "No one in the organisation has this staff number" in c.post(url, {"staff_number": "999", "role": d.role.pk}).content.decode()
    assert "already a practitioner" in c.post(url, {"staff_number": "100001", "role": d.role.pk}).content.decode()
    response = c.post(url, {"staff_number": "100092", "role": d.role.pk, "coach": d.world.users["lead"].pk,
                            "programmes": [d.world.programme_a.pk]})
    jo = Practitioner.objects.get(staff__staff_number="100092")
    assert response["Location"] == jo.get_absolute_url() and list(jo.programmes.all()) == [d.world.programme_a]


def test_edit_keeps_programmes_the_user_may_not_change(client: Any, d: Data) -> None:
    d.alex.programmes.add(d.world.programme_b)
    c = _as(client, d, "lead")
    c.post(reverse("practitioner-edit", args=[d.alex.pk]), {"role": d.role.pk, "coach": d.world.users["lead"].pk,
                                                           "user": d.world.users["champion"].pk, "active": "on"})
    assert set(Practitioner.objects.get(pk=d.alex.pk).programmes.all()) == {d.world.programme_b}  # A unticked, B kept


def test_detail_shows_levels_against_needs_history_chart_and_coaching_links(client: Any, d: Data) -> None:
    make_assessment(d.alex, "coach", level=2, levels={"coaching": 3}, assessor=d.world.users["lead"])
    c = _as(client, d, "champion")
    response = c.get(reverse("practitioner-detail", args=[d.alex.pk]))
    page = response.content.decode()
    context = response.context
    assert context["row"].gaps == 0 and context["can_self"] and not context["can_coach"]
    assert "Assess yourself" in page and "Record a coach's assessment" not in page
    assert context["chart"].headers[0] == "Assessed on" and len(context["chart"].rows) == 2
    assert f"{reverse('coaching-list')}?practitioner={d.alex.pk}" in page
    assert "Short in 0 competencies" in page
    client.logout()
    page = _as(client, d, "lead").get(reverse("practitioner-detail", args=[d.alex.pk])).content.decode()
    assert "Record a coach's assessment" in page and "Assess yourself" not in page
    assert f"{reverse('coaching-add')}?practitioner={d.alex.pk}" in page


def test_assessment_form_needs_every_competency_and_keeps_what_was_chosen(client: Any, d: Data) -> None:
    c = _as(client, d, "champion")
    url = reverse("assessment-add", args=[d.alex.pk]) + "?kind=self"
    page = c.get(url).content.decode()
    assert "<legend" in page and "Knows what coaching is" in page  # the level descriptors are the hints
    response = c.post(url, {f"c{d.competency.pk}": "4"})
    page = response.content.decode()
    assert response.status_code == 200 and "Choose a level for Communications" in page
    assert 'value="4" checked' in page
    assert Assessment.objects.filter(practitioner=d.alex).count() == 1
    body = {f"c{pk}": "2" for pk in d.framework.competencies.values_list("pk", flat=True)}
    response = c.post(url, body)
    assert response["Location"] == d.alex.get_absolute_url()
    assert Assessment.objects.filter(practitioner=d.alex, kind="self").count() == 2


def test_skills_matrix_page_and_exports(client: Any, d: Data) -> None:
    c = _as(client, d, "board")
    response = c.get(reverse("skills-matrix"))
    page = response.content.decode()
    assert "1 (self), needs 2: short by 1" in page and "cb-band-medium" in page
    assert "3, needs 3" in page  # Blair meets the lead's needs
    assert response.context["chart"] is not None and response.context["matrix"].short_total == 3
    only_a = c.get(reverse("skills-matrix"), {"programme": d.world.programme_a.pk}).context["matrix"]
    assert [str(r.practitioner) for r in only_a.rows] == ["Alex Inscope"]
    xlsx = c.get(reverse("skills-matrix"), {"format": "xlsx", "programme": d.world.programme_a.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Practitioner" and values[1][0] == "Alex Inscope" and values[1][-1] == 3
    assert c.get(reverse("skills-matrix"), {"programme": "²"}).status_code == 404
