"""Impact assessments: the workflow services, versions and what changed,
the pages (through the test client), scoping and the XLSX export.

This module also serves as the URL configuration of the impacts tests
(`urlpatterns` below): the project's urls plus the assessment pages and API
until the project includes them itself."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from openpyxl import load_workbook
from rest_framework.routers import SimpleRouter

from changeboard import urls as project_urls
from changeboard.accounts.models import Role
from changeboard.conftest import make_staff, make_user
from changeboard.impacts import services
from changeboard.impacts.api.assessments import AssessmentViewSet, ImpactLineViewSet
from changeboard.impacts.forms import split_roles
from changeboard.impacts.models import ImpactAssessment, ImpactLine

# --------------------------------------------------------------------------
# URL configuration for these tests


def _test_urlpatterns() -> list[URLPattern | URLResolver]:
    names = get_resolver(project_urls.__name__).reverse_dict
    patterns: list[URLPattern | URLResolver] = list(cast(list[URLPattern | URLResolver], project_urls.urlpatterns))
    if "api-assessment-list" not in names:
        router = SimpleRouter()
        router.register("assessments", AssessmentViewSet, basename="api-assessment")
        router.register("impact-lines", ImpactLineViewSet, basename="api-impact-line")
        patterns.insert(0, path("api/v1/", include(router.urls)))
    if "assessment-list" not in names:
        patterns.insert(0, path("", include("changeboard.impacts.urls")))
    return patterns


urlpatterns = _test_urlpatterns()
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
URLS = __name__
pytestmark = pytest.mark.urls(URLS)

# --------------------------------------------------------------------------
# Shared set-up (used by the other impacts test modules too)

JAN4 = dt.date(2027, 1, 4)


class Impacts:
    """AAA: an approved assessment (one line) and a draft (one line)."""

    def __init__(self, world: Any) -> None:
        self.world = world
        make_staff("100002", world.team, role="Response officer")
        make_staff("100003", world.team, role="Detective", rank_grade=_rank("DC"))
        make_staff("200002", world.camden, role="Response officer")
        lead = world.users["lead"]
        self.approved = services.assessment_create(programme=world.programme_a, title="Shared services impacts", actor=lead)
        self.approved_line = add_line(self.approved, lead, world.central_west, title="New finance system", severity=3)
        services.assessment_submit(assessment=self.approved, actor=world.users["admin"])  # nobody approves their own
        services.assessment_approve(assessment=self.approved, actor=lead)
        self.draft = services.assessment_create(programme=world.programme_a, title="Shared services, phase 2", actor=lead)
        self.draft_line = add_line(self.draft, lead, world.team, title="Self-service HR", severity=2)


def _rank(code: str) -> Any:
    from changeboard.organisation.models import RankGrade

    return RankGrade.objects.get(code=code)


def add_line(assessment: ImpactAssessment, actor: Any, unit: Any, **fields: Any) -> ImpactLine:
    values: dict[str, Any] = {"title": "A change", "severity": 3, "start_date": JAN4, "end_date": dt.date(2027, 1, 17),
                              "hours_per_person": Decimal("4"), "dimensions": {"technology": {"current": "Paper", "future": "Online", "gap": "Training"}}}
    values.update(fields)
    return services.line_save(assessment=assessment, actor=actor, units=[unit], **values)


@pytest.fixture
def impacts(world: Any) -> Impacts:
    return Impacts(world)


def _login(client: Any, world: Any, persona: str) -> Any:
    client.force_login(world.users[persona])
    return client


# --------------------------------------------------------------------------
# Services: workflow and versions


def test_workflow_draft_submitted_approved(world: Any) -> None:
    lead = world.users["lead"]
    a = services.assessment_create(programme=world.programme_a, title="Impacts", actor=lead)
    assert a.status == ImpactAssessment.Status.DRAFT and a.version == 1
    with pytest.raises(ValidationError, match="at least one impact line"):
        services.assessment_submit(assessment=a, actor=lead)
    add_line(a, lead, world.team)
    colleague = world.users["admin"]
    services.assessment_submit(assessment=a, actor=colleague)
    assert a.status == ImpactAssessment.Status.SUBMITTED and a.submitted_at and a.submitted_by == colleague
    services.assessment_approve(assessment=a, actor=lead)
    a.refresh_from_db()
    assert a.status == ImpactAssessment.Status.APPROVED and a.approved_by == lead and a.approved_at


def test_return_sends_a_submitted_assessment_back_to_draft(world: Any) -> None:
    lead = world.users["lead"]
    a = services.assessment_create(programme=world.programme_a, title="Impacts", actor=lead)
    add_line(a, lead, world.team)
    with pytest.raises(ValidationError):
        services.assessment_return(assessment=a, actor=lead)
    services.assessment_submit(assessment=a, actor=lead)
    services.assessment_return(assessment=a, actor=lead)
    a.refresh_from_db()
    assert a.status == ImpactAssessment.Status.DRAFT and a.submitted_at is None
    add_line(a, lead, world.camden, title="Second")  # editable again
    assert a.lines.count() == 2


def test_only_drafts_are_editable(impacts: Impacts) -> None:
    w, lead = impacts.world, impacts.world.users["lead"]
    with pytest.raises(ValidationError, match="Only a draft"):
        add_line(impacts.approved, lead, w.team)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.line_save(assessment=impacts.approved, line=impacts.approved_line, actor=lead, units=[w.team], title="Changed",
                           severity=1, start_date=JAN4, end_date=JAN4)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.line_delete(line=impacts.approved_line, actor=lead)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.assessment_update(assessment=impacts.approved, title="Renamed", actor=lead)
    services.assessment_submit(assessment=impacts.draft, actor=lead)
    with pytest.raises(ValidationError, match="Only a draft"):
        add_line(impacts.draft, lead, w.team)


def test_approval_only_by_the_change_lead_or_an_admin(world: Any) -> None:
    lead = world.users["lead"]
    colleague = make_user("colleague", Role.CHANGE_MANAGER, programmes=[world.programme_a])
    a = services.assessment_create(programme=world.programme_a, title="Impacts", actor=colleague)
    add_line(a, colleague, world.team)
    services.assessment_submit(assessment=a, actor=colleague)
    for someone in (colleague, world.users["lead2"], world.users["board"]):
        assert not services.can_approve(a, someone)
        with pytest.raises(PermissionDenied):
            services.assessment_approve(assessment=a, actor=someone)
    assert services.can_approve(a, lead) and services.can_approve(a, world.users["admin"])
    services.assessment_approve(assessment=a, actor=world.users["admin"])
    assert a.status == ImpactAssessment.Status.APPROVED


def test_new_version_copies_lines_and_supersedes_on_approval(impacts: Impacts) -> None:
    w, lead = impacts.world, impacts.world.users["lead"]
    v1 = impacts.approved
    v2 = services.assessment_new_version(assessment=v1, actor=lead)
    assert (v2.version, v2.lineage, v2.previous_id, v2.status) == (2, v1.lineage, v1.pk, ImpactAssessment.Status.DRAFT)
    copied = v2.lines.get()
    assert copied.pk != impacts.approved_line.pk and copied.title == "New finance system"
    assert list(copied.units.all()) == [w.central_west]
    assert {d.dimension: d.gap for d in copied.dimensions.all()} == {"technology": "Training"}
    assert services.line_headcount(copied) == services.line_headcount(impacts.approved_line) == 3
    with pytest.raises(ValidationError, match="newer draft"):
        services.assessment_new_version(assessment=v1, actor=lead)
    v1.refresh_from_db()
    assert v1.status == ImpactAssessment.Status.APPROVED  # in force until v2 is approved
    services.assessment_submit(assessment=v2, actor=w.users["admin"])  # nobody approves their own
    services.assessment_approve(assessment=v2, actor=lead)
    v1.refresh_from_db()
    assert v1.status == ImpactAssessment.Status.SUPERSEDED
    with pytest.raises(ValidationError):
        services.assessment_new_version(assessment=impacts.draft, actor=lead)


def test_changes_between_versions(impacts: Impacts) -> None:
    w, lead = impacts.world, impacts.world.users["lead"]
    add_line(impacts.draft, lead, w.camden, title="Second change", severity=1)
    services.assessment_submit(assessment=impacts.draft, actor=impacts.world.users["admin"])  # nobody approves their own
    services.assessment_approve(assessment=impacts.draft, actor=lead)
    v2 = services.assessment_new_version(assessment=impacts.draft, actor=lead)
    kept, dropped = v2.lines.order_by("id")
    services.line_save(assessment=v2, line=kept, actor=lead, units=[w.team, w.camden], title="Self-service HR", severity=4,
                       start_date=JAN4, end_date=dt.date(2027, 1, 17), hours_per_person=Decimal("4"),
                       dimensions={"technology": {"current": "Paper", "future": "Online", "gap": "Training and coaching"}})
    services.line_delete(line=dropped, actor=lead)
    add_line(v2, lead, w.westminster, title="Brand new line")
    changes = services.assessment_changes(impacts.draft, v2)
    assert [line.title for line in changes["added"]] == ["Brand new line"]
    assert [line.title for line in changes["removed"]] == ["Second change"]
    (change,) = changes["changed"]
    fields = {name: (before, after) for name, before, after in change["fields"]}
    assert fields["Severity"][0].startswith("2 – Minor") and fields["Severity"][1].startswith("4 – Major")
    assert fields["Technology: gap"] == ("Training", "Training and coaching")
    assert "Camden" in fields["Units"][1] and "Camden" not in fields["Units"][0]
    assert "Title" not in fields and "Period" not in fields


# --------------------------------------------------------------------------
# Pages


def _line_post(world: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "New duty system", "units": [world.westminster.pk], "roles": "Response officer", "rank_grades": [],
        "severity": "3", "wave": "", "weeks_before_go_live": "4", "weeks_after_go_live": "4", "start_date": "2027-01-04",
        "end_date": "2027-01-31", "hours_per_person": "3.5", "mitigations": "Floor-walkers", "owner": "Change lead",
        "dim_process": "on", "process_current": "Paper rota", "process_future": "Online rota", "process_gap": "Training",
    }
    data.update(extra)
    return data


def test_lead_builds_submits_and_approves_through_the_pages(client: Any, world: Any) -> None:
    make_staff("100002", world.team, role="Detective")
    c = _login(client, world, "lead")
    assert c.get(reverse("assessment-create")).status_code == 200
    response = c.post(reverse("assessment-create"), {"programme": world.programme_a.pk, "title": "Go-live impacts"})
    a = ImpactAssessment.objects.get(title="Go-live impacts")
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()
    page = c.get(reverse("line-add", args=[a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<legend" in html and "Process" in html and "1 – Minimal: absorbed in under an hour" in html
    response = c.post(reverse("line-add", args=[a.pk]), _line_post(world))
    line = a.lines.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#line-{line.pk}")
    assert line.roles == ["Response officer"] and line.hours_per_person == Decimal("3.5")
    assert {d.dimension: (d.current_state, d.future_state, d.gap) for d in line.dimensions.all()} == {"process": ("Paper rota", "Online rota", "Training")}
    detail = c.get(a.get_absolute_url()).content.decode()
    assert f'id="line-{line.pk}"' in detail
    assert "3 – Moderate: one to two weeks" in detail
    assert "4 Jan 2027 to 31 Jan 2027" in detail
    assert "Paper rota" in detail and "Online rota" in detail
    assert "People impacted now</dt><dd class=\"govuk-summary-list__value\">1" in detail  # one response officer in Westminster
    assert "Approve</button>" not in detail and "Submit for approval" in detail
    assert c.post(reverse("assessment-action", args=[a.pk, "submit"])).status_code == 302
    # Issue 18: the lead submitted it, so the lead may not approve it.
    detail = c.get(a.get_absolute_url()).content.decode()
    assert "Approve</button>" not in detail and "someone else must approve it" in detail
    refused = c.post(reverse("assessment-action", args=[a.pk, "approve"]), follow=True).content.decode()
    assert "someone else must approve it" in refused
    a.refresh_from_db()
    assert a.status == ImpactAssessment.Status.SUBMITTED
    # Sent back and submitted by a colleague, the lead approves it.
    services.assessment_return(assessment=a, actor=world.users["lead"])
    services.assessment_submit(assessment=a, actor=world.users["admin"])
    detail = c.get(a.get_absolute_url()).content.decode()
    assert "Approve</button>" in detail and "Add an impact line" not in detail
    assert c.post(reverse("assessment-action", args=[a.pk, "approve"])).status_code == 302
    a.refresh_from_db()
    assert a.status == ImpactAssessment.Status.APPROVED and a.approved_by == world.users["lead"]
    detail = c.get(a.get_absolute_url()).content.decode()
    assert "by Lead Tester" in detail and "Start a new version" in detail
    response = c.post(reverse("assessment-action", args=[a.pk, "new-version"]))
    v2 = ImpactAssessment.objects.get(lineage=a.lineage, version=2)
    assert response["Location"] == v2.get_absolute_url()
    history = c.get(v2.get_absolute_url()).content.decode()
    assert "Version 2 (this page)" in history and a.get_absolute_url() in history


def test_line_form_errors(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    c = _login(client, w, "lead")
    url = reverse("line-add", args=[impacts.draft.pk])
    html = c.post(url, _line_post(w, roles="Response officer, Astronaut")).content.decode()
    assert "govuk-error-summary" in html and "Unknown role: Astronaut" in html
    html = c.post(url, _line_post(w, start_date="", end_date="")).content.decode()
    assert "Enter a start date, or choose a rollout wave" in html
    html = c.post(url, _line_post(w, start_date="2027-02-01", end_date="2027-01-01")).content.decode()
    assert "The end date must be on or after the start date" in html
    html = c.post(url, _line_post(w, dim_process="")).content.decode()
    assert "Tick process to keep what you wrote about it" in html
    html = c.post(url, _line_post(w, units=[], severity="", hours_per_person="-1")).content.decode()
    assert "Choose at least one impacted unit" in html and "Choose a severity" in html and "Hours cannot be negative" in html
    assert impacts.draft.lines.count() == 1


def test_line_tied_to_a_wave_shows_its_period_in_words(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    c = _login(client, w, "lead")
    data = _line_post(w, wave=w.wave_a.pk, weeks_before_go_live="2", weeks_after_go_live="1", start_date="", end_date="")
    assert c.post(reverse("line-add", args=[impacts.draft.pk]), data).status_code == 302
    line = impacts.draft.lines.get(title="New duty system")
    assert line.wave == w.wave_a and line.start_date is None
    html = c.get(impacts.draft.get_absolute_url()).content.decode()
    assert "Wave 1: 2 weeks before to 1 week after go-live on 1 Mar 2027, i.e. 15 Feb 2027 to 7 Mar 2027" in html
    # A wave of another programme cannot be chosen.
    html = c.post(reverse("line-add", args=[impacts.draft.pk]), _line_post(w, wave=w.wave_b.pk)).content.decode()
    assert "Select a valid choice" in html


def test_edit_and_delete_a_line(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    c = _login(client, w, "lead")
    line = impacts.draft_line
    form = c.get(reverse("line-edit", args=[impacts.draft.pk, line.pk])).content.decode()
    assert 'value="Self-service HR"' in form and "Paper</textarea>" in form
    data = _line_post(w, title="Self-service HR (revised)", dim_process="", process_current="", process_future="", process_gap="",
                      dim_people="on", people_gap="Coaching")
    assert c.post(reverse("line-edit", args=[impacts.draft.pk, line.pk]), data).status_code == 302
    line.refresh_from_db()
    assert line.title == "Self-service HR (revised)" and [d.dimension for d in line.dimensions.all()] == ["people"]
    assert c.get(reverse("line-delete", args=[impacts.draft.pk, line.pk])).status_code == 200
    assert c.post(reverse("line-delete", args=[impacts.draft.pk, line.pk])).status_code == 302
    assert not impacts.draft.lines.exists()


def test_approved_versions_cannot_be_changed_on_the_pages(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    c = _login(client, w, "lead")
    a = impacts.approved
    for url in (reverse("assessment-edit", args=[a.pk]), reverse("line-add", args=[a.pk]),
                reverse("line-edit", args=[a.pk, impacts.approved_line.pk]), reverse("impact-import", args=[a.pk])):
        response = c.get(url, follow=True)
        assert response.redirect_chain[0][0] == a.get_absolute_url()
        assert "Only a draft can be changed" in response.content.decode()
    response = c.post(reverse("line-delete", args=[a.pk, impacts.approved_line.pk]), follow=True)
    assert "Only a draft can be changed" in response.content.decode()
    assert a.lines.count() == 1
    response = c.post(reverse("assessment-action", args=[a.pk, "submit"]), follow=True)
    assert "Only a draft can be changed" in response.content.decode()


def test_approving_someone_elses_programme(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    services.assessment_submit(assessment=impacts.draft, actor=w.users["lead"])
    url = reverse("assessment-action", args=[impacts.draft.pk, "approve"])
    assert _login(client, w, "lead2").post(url).status_code == 404
    assert _login(client, w, "board").post(url).status_code == 403
    colleague = make_user("colleague", Role.CHANGE_MANAGER, programmes=[w.programme_a])
    client.force_login(colleague)
    assert "Approve</button>" not in client.get(impacts.draft.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 403
    impacts.draft.refresh_from_db()
    assert impacts.draft.status == ImpactAssessment.Status.SUBMITTED
    assert client.post(reverse("assessment-action", args=[impacts.draft.pk, "return"])).status_code == 302
    assert client.get(reverse("assessment-action", args=[impacts.draft.pk, "submit"])).status_code == 405
    assert client.post(reverse("assessment-action", args=[impacts.draft.pk, "explode"])).status_code == 404


def test_lead2_cannot_see_aaas_draft(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead2")
    assert c.get(impacts.draft.get_absolute_url()).status_code == 404
    assert c.get(reverse("line-staff", args=[impacts.draft.pk, impacts.draft_line.pk])).status_code == 404
    listing = c.get(reverse("assessment-list")).content.decode()
    assert "Shared services, phase 2" not in listing
    assert c.get(reverse("assessment-create") + f"?programme={impacts.world.programme_a.pk}").status_code == 404
    response = c.post(reverse("assessment-create"), {"programme": impacts.world.programme_a.pk, "title": "Sneaky"})
    assert response.status_code == 200 and "Choose one of your programmes" in response.content.decode()


def test_lead2_sees_aaas_assessment_once_approved(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead2")
    assert c.get(impacts.approved.get_absolute_url()).status_code == 200


def test_board_sees_approved_only(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "board")
    assert c.get(impacts.draft.get_absolute_url()).status_code == 404
    page = c.get(impacts.approved.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Approve</button>" not in html and "Add an impact line" not in html and "Start a new version" not in html
    listing = c.get(reverse("assessment-list")).content.decode()
    assert "Shared services impacts" in listing and "Shared services, phase 2" not in listing
    services.assessment_submit(assessment=impacts.draft, actor=impacts.world.users["admin"])  # nobody approves their own
    assert c.get(impacts.draft.get_absolute_url()).status_code == 404
    services.assessment_approve(assessment=impacts.draft, actor=impacts.world.users["lead"])
    assert c.get(impacts.draft.get_absolute_url()).status_code == 200


def test_list_filters_and_exports_csv(client: Any, impacts: Impacts) -> None:
    c = _login(client, impacts.world, "lead")
    html = c.get(reverse("assessment-list") + "?status=draft").content.decode()
    assert "Shared services, phase 2" in html and "Shared services impacts" not in html
    html = c.get(reverse("assessment-list") + f"?programme={impacts.world.programme_a.pk}").content.decode()
    assert "Shared services, phase 2" in html and "Shared services impacts" in html and "Start an impact assessment" in html
    response = c.get(reverse("assessment-list") + "?status=approved&export=csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].lstrip("\ufeff") == "programme,title,version,status,lines,created_at,submitted_at,approved_by,approved_at"
    assert "AAA,Shared services impacts,1,approved,1," in body and "phase 2" not in body


def test_versions_diff_page(client: Any, impacts: Impacts) -> None:
    w, lead = impacts.world, impacts.world.users["lead"]
    c = _login(client, w, "lead")
    assert "nothing to compare" in c.get(reverse("assessment-changes", args=[impacts.approved.pk])).content.decode()
    v2 = services.assessment_new_version(assessment=impacts.approved, actor=lead)
    line = v2.lines.get()
    services.line_save(assessment=v2, line=line, actor=lead, units=[w.central_west], title="New finance system", severity=5,
                       start_date=JAN4, end_date=dt.date(2027, 1, 17), hours_per_person=Decimal("8"),
                       dimensions={"technology": {"current": "Paper", "future": "Online", "gap": "Training"}})
    add_line(v2, lead, w.camden, title="Camden pilot")
    html = c.get(reverse("assessment-changes", args=[v2.pk])).content.decode()
    assert "Compared with" in html and "version 1" in html
    assert "Lines added" in html and "Camden pilot" in html
    assert "Lines removed" not in html
    assert "Lines changed" in html and "Severity" in html and "3 – Moderate" in html and "5 – Transformational" in html
    assert "Hours per person" in html and "4.0" in html and "8" in html
    assert "1 line added" in html and "0 lines removed" in html and "1 line changed" in html
    assert "What changed since the previous version" in c.get(v2.get_absolute_url()).content.decode()


def test_export_xlsx_has_every_field_and_guards_formulas(client: Any, impacts: Impacts) -> None:
    w, lead = impacts.world, impacts.world.users["lead"]
    add_line(impacts.draft, lead, w.camden, title="=HYPERLINK(\"http://evil\",\"x\")", severity=4, roles=["Response officer"],
             mitigations="+cmd|' /C calc'!A0", owner="@owner", start_date=None, end_date=None, wave=w.wave_a,
             weeks_before_go_live=2, weeks_after_go_live=1, dimensions={"people": {"current": "-1", "future": "Skilled", "gap": "Course"}})
    response = _login(client, w, "lead").get(reverse("assessment-export", args=[impacts.draft.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="impact-assessment-aaa-shared-services-phase-2-v1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Impact lines"]
    assert book.active is not None
    rows: list[tuple[Any, ...]] = list(book.active.values)
    header = list(rows[0])
    assert header[:19] == ["title", "unit_codes", "unit_paths", "roles", "ranks_or_grades", "dimensions", "severity", "severity_label",
                           "start_date", "end_date", "wave", "weeks_before_go_live", "weeks_after_go_live", "period_start", "period_end",
                           "hours_per_person", "headcount", "mitigations", "owner"]
    assert "process_current" in header and "culture_gap" in header
    first = dict(zip(header, rows[1], strict=True))
    assert first["title"] == "Self-service HR" and first["unit_codes"] == w.team.code and first["headcount"] == 3
    assert first["severity"] == 2 and first["severity_label"].startswith("2 – Minor")
    assert first["start_date"].date() == JAN4 and first["technology_gap"] == "Training" and first["process_gap"] is None
    evil = dict(zip(header, rows[2], strict=True))
    assert evil["title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert evil["mitigations"] == "'+cmd|' /C calc'!A0" and evil["owner"] == "'@owner" and evil["people_current"] == "'-1"
    assert evil["wave"] == "Wave 1" and evil["weeks_before_go_live"] == 2 and evil["start_date"] is None
    assert evil["period_start"].date() == dt.date(2027, 2, 15) and evil["headcount"] == 2
    for row in rows[1:]:
        for value in row:
            assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@")))


def test_line_staff_lists_the_people_in_scope(client: Any, impacts: Impacts) -> None:
    w = impacts.world
    url = reverse("line-staff", args=[impacts.approved.pk, impacts.approved_line.pk])
    html = _login(client, w, "lead").get(url).content.decode()
    assert "Inscope" in html and "Person100002" in html and "Person100003" in html and "Outscope" not in html
    client.force_login(w.users["champion"])
    assert client.get(url).status_code == 200
    assert _login(client, w, "auditor").get(url).status_code == 403
    # Another assessment's line through this assessment's URL is not found.
    assert _login(client, w, "lead").get(reverse("line-staff", args=[impacts.approved.pk, impacts.draft_line.pk])).status_code == 404
    # Role narrowing follows the line.
    line = add_line(impacts.draft, w.users["lead"], w.frontline, title="Detectives only", roles=["Detective"])
    html = client.get(reverse("line-staff", args=[impacts.draft.pk, line.pk])).content.decode()
    assert "Person100003" in html and "Inscope" not in html


def test_split_roles_accepts_lines_and_commas() -> None:
    known = {"response officer": "Response officer", "detective": "Detective", "officer, custody": "Officer, custody"}
    assert split_roles("response officer, Detective\nOfficer, custody\n\n", known) == (["Response officer", "Detective", "Officer, custody"], [])
    assert split_roles("Detective, Pilot", known) == (["Detective"], ["Pilot"])


def test_detail_page_query_count_is_flat(client: Any, impacts: Impacts, django_assert_max_num_queries: Any) -> None:
    w = impacts.world
    for i in range(10):
        add_line(impacts.draft, w.users["lead"], w.team, title=f"Line {i}")
    c = _login(client, w, "lead")
    with django_assert_max_num_queries(30):
        assert c.get(impacts.draft.get_absolute_url()).status_code == 200


def test_nobody_approves_their_own_submission(world: Any) -> None:
    """Issue 18: the submitter cannot approve, change lead and portfolio admin alike."""
    lead, admin = world.users["lead"], world.users["admin"]
    for submitter, other in ((lead, admin), (admin, lead)):
        a = services.assessment_create(programme=world.programme_a, title=f"Impacts by {submitter}", actor=lead)
        add_line(a, lead, world.team)
        services.assessment_submit(assessment=a, actor=submitter)
        assert not services.can_approve(a, submitter) and services.can_approve(a, other)
        with pytest.raises(PermissionDenied, match="someone else must approve it"):
            services.assessment_approve(assessment=a, actor=submitter)
        a.refresh_from_db()
        assert a.status == ImpactAssessment.Status.SUBMITTED and a.submitted_by == submitter
        services.assessment_approve(assessment=a, actor=other)
        assert a.status == ImpactAssessment.Status.APPROVED and a.approved_by == other
