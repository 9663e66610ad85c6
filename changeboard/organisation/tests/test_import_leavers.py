"""A full import that would mark many people as leavers: the count (people
in post only), the confirmation it needs, the add and update only mode, on
the service, the pages and the `import_staff` command."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from changeboard.conftest import make_staff
from changeboard.core.models import AuditEntry, PendingUpload
from changeboard.organisation import importing
from changeboard.organisation.models import Staff

from .test_import import person, to_csv, world_rows, write
from .test_import_views import preview_url, upload

IN_POST_EXTRA = 12  # besides the world's two people


@pytest.fixture
def many(world: Any) -> list[Staff]:
    """Twelve more people in the team, two already leavers and one whose
    leave date has passed: 14 in post (the world's two and these twelve)."""
    people = [make_staff(f"5000{i:02d}", world.team) for i in range(IN_POST_EXTRA)]
    make_staff("590001", world.team, is_leaver=True, leave_date=dt.date(2025, 1, 31))
    make_staff("590002", world.team, is_leaver=True)
    make_staff("590003", world.team, leave_date=dt.date(2025, 6, 30))
    return people


def world_and_new() -> bytes:
    """The world's two people and one new person: the other twelve in post are missing."""
    return to_csv([*world_rows(), person("300001")])


def leavers() -> set[str]:
    return set(Staff.objects.filter(is_leaver=True).values_list("staff_number", flat=True))


# --------------------------------------------------------------------------
# The threshold


@pytest.mark.parametrize(("would_leave", "in_post", "needed"), [
    (51, 100_000, True),   # more than 50 people, however large the force
    (50, 1_000, False),    # 5% exactly is not more than 5%
    (51, 1_000, True),
    (10, 199, True),       # more than 5%, and at least 10
    (10, 200, False),
    (9, 10, False),        # a handful: ordinary churn
    (0, 0, False),
])
def test_the_threshold(would_leave: int, in_post: int, needed: bool) -> None:
    assert importing.leavers_need_confirmation(would_leave, in_post) is needed


# --------------------------------------------------------------------------
# The service


def test_the_preview_counts_only_people_in_post(many: list[Staff]) -> None:
    report = importing.preview(world_and_new())
    assert (report.would_leave, report.in_post) == (IN_POST_EXTRA, 14)
    assert report.confirmation_needed
    # The one whose leave date has passed is still marked (as before), but not counted as leaving.
    assert report.leavers == IN_POST_EXTRA + 1


def test_a_full_import_marking_many_needs_that_number_confirmed(many: list[Staff]) -> None:
    before = leavers()
    for confirm in (None, IN_POST_EXTRA - 1, IN_POST_EXTRA + 1):
        with pytest.raises(importing.LeaversNotConfirmed) as refused:
            importing.commit(world_and_new(), actor=None, confirm_leavers=confirm)
        assert refused.value.report.would_leave == IN_POST_EXTRA
        assert f"would mark {IN_POST_EXTRA} people as leavers" in str(refused.value)
        # Nothing was written: nobody added, nobody marked.
        assert leavers() == before and not Staff.objects.filter(staff_number="300001").exists()
        assert not AuditEntry.objects.filter(action="import").exists()
    report = importing.commit(world_and_new(), actor=None, confirm_leavers=IN_POST_EXTRA)
    assert report.committed and report.created == 1
    assert leavers() == before | {p.staff_number for p in many} | {"590003"}


def test_any_number_confirms_whatever_the_count(many: list[Staff]) -> None:
    report = importing.commit(world_and_new(), actor=None, confirm_leavers=importing.ANY_NUMBER)
    assert report.leavers == IN_POST_EXTRA + 1


def test_add_update_only_marks_nobody_and_needs_no_confirmation(many: list[Staff], world: Any) -> None:
    before = leavers()
    rows = world_rows()
    rows[0]["location"] = "Belgravia"
    report = importing.commit(to_csv([*rows, person("300001")]), actor=None, add_update_only=True)
    assert (report.created, report.updated, report.leavers) == (1, 1, 0)
    assert report.would_leave == IN_POST_EXTRA and not report.confirmation_needed
    assert "nobody is marked as a leaver" in report.summary()
    assert leavers() == before
    assert Staff.objects.get(staff_number="100001").location == "Belgravia"
    after = AuditEntry.objects.get(object_type="organisation.staffimport").after
    assert after is not None and after["add_update_only"] is True


def test_a_few_leavers_need_no_confirmation(world: Any) -> None:
    report = importing.commit(to_csv([person("300001")]), actor=None)
    assert report.leavers == 2 and not report.confirmation_needed


def test_already_leavers_do_not_count_towards_the_threshold(world: Any) -> None:
    """Forty people already gone and one more missing: one would leave, not 41."""
    for i in range(40):
        make_staff(f"6000{i:02d}", world.team, is_leaver=True)
    report = importing.preview(to_csv([world_rows()[0]]))
    assert (report.would_leave, report.in_post, report.confirmation_needed) == (1, 2, False)
    assert importing.commit(to_csv([world_rows()[0]]), actor=None).leavers == 1


# --------------------------------------------------------------------------
# The pages


@pytest.fixture
def admin(client: Any, world: Any) -> Any:
    client.force_login(world.users["admin"])
    return client


def test_the_preview_shows_the_count_and_the_commit_needs_it_typed(admin: Any, many: list[Staff]) -> None:
    before = leavers()
    upload(admin, world_and_new())
    pending = PendingUpload.objects.get()
    page = admin.get(preview_url(pending)).content.decode()
    assert f"would mark {IN_POST_EXTRA} of the 14 people in post as leavers" in page
    assert f"{IN_POST_EXTRA} of 14" in page
    assert f"To mark {IN_POST_EXTRA} people as leavers, type {IN_POST_EXTRA}" in page
    assert 'name="confirm_leavers"' in page and 'value="add_update_only"' in page

    for typed in ("", "11", "1 2"):
        response = admin.post(preview_url(pending), {"step": "commit", "mode": "all", "leavers": "full", "confirm_leavers": typed})
        assert response.status_code == 200
        content = response.content.decode()
        assert "There is a problem" in content and 'href="#id_confirm_leavers"' in content
        assert 'aria-describedby="id_confirm_leavers-error"' in content and 'id="id_confirm_leavers-error"' in content
        assert leavers() == before and not Staff.objects.filter(staff_number="300001").exists()
    pending.refresh_from_db()
    assert pending.status == PendingUpload.Status.PENDING

    response = admin.post(preview_url(pending), {"step": "commit", "mode": "all", "leavers": "full", "confirm_leavers": "12"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff-list")
    assert f"{IN_POST_EXTRA + 1} marked as leavers" in response.content.decode()
    assert {p.staff_number for p in many} <= leavers()


def test_digits_other_than_ascii_are_refused(admin: Any, many: list[Staff]) -> None:
    upload(admin, world_and_new())
    pending = PendingUpload.objects.get()
    response = admin.post(preview_url(pending), {"step": "commit", "mode": "all", "leavers": "full", "confirm_leavers": "١٢"})
    assert response.status_code == 200 and "in digits" in response.content.decode()
    assert not Staff.objects.filter(staff_number="300001").exists()


def test_add_and_update_only_on_the_page(admin: Any, many: list[Staff]) -> None:
    before = leavers()
    upload(admin, world_and_new())
    pending = PendingUpload.objects.get()
    response = admin.post(preview_url(pending), {"step": "commit", "mode": "all", "leavers": "add_update_only"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff-list")
    assert "nobody is marked as a leaver" in response.content.decode()
    assert leavers() == before and Staff.objects.filter(staff_number="300001").exists()


def test_a_few_leavers_commit_as_before_on_the_page(admin: Any, world: Any) -> None:
    upload(admin, to_csv([person("300001")]))
    pending = PendingUpload.objects.get()
    page = admin.get(preview_url(pending)).content.decode()
    assert 'name="confirm_leavers"' not in page
    response = admin.post(preview_url(pending), {"step": "commit", "mode": "all"}, follow=True)
    assert "2 marked as leavers" in response.content.decode()


# --------------------------------------------------------------------------
# The command


def test_the_command_refuses_many_leavers_without_a_flag(many: list[Staff], tmp_path: Path) -> None:
    path = write(tmp_path, world_and_new())
    before = leavers()
    for extra in ((), ("--dry-run",)):
        with pytest.raises(CommandError, match=rf"would mark {IN_POST_EXTRA} of the 14 people in post as leavers.*--confirm-leavers.*--add-update-only"):
            call_command("import_staff", path, *extra, stdout=io.StringIO())
    assert leavers() == before and not Staff.objects.filter(staff_number="300001").exists()


def test_the_command_with_confirm_leavers(many: list[Staff], tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_staff", write(tmp_path, world_and_new()), "--confirm-leavers", stdout=out)
    assert f"{IN_POST_EXTRA + 1} marked as leavers" in out.getvalue()
    assert {p.staff_number for p in many} <= leavers()


def test_the_command_add_update_only(many: list[Staff], tmp_path: Path) -> None:
    before = leavers()
    out = io.StringIO()
    call_command("import_staff", write(tmp_path, world_and_new()), "--add-update-only", stdout=out)
    assert "1 added" in out.getvalue() and "0 marked as leavers" in out.getvalue()
    assert leavers() == before


def test_the_command_flags_exclude_each_other(many: list[Staff], tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import_staff", write(tmp_path, world_and_new()), "--add-update-only", "--confirm-leavers", stdout=io.StringIO())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_confirming_leavers_in_a_browser_passes_axe(page: Any, world: Any, many: list[Staff]) -> None:
    from changeboard.conftest import PASSWORD
    from changeboard.core.tests.browser import check_axe, sign_in, visit

    sign_in(page, "admin", PASSWORD)
    visit(page, reverse("staff-import"))
    page.get_by_label("Upload the HR staff file").set_input_files({"name": "staff.csv", "mimeType": "text/csv", "buffer": world_and_new()})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/staff/import/*/")
    check_axe(page)
    assert f"would mark {IN_POST_EXTRA} of the 14 people in post as leavers" in page.content()
    page.get_by_role("button", name="Commit import").click()  # not typed: refused, with the count
    page.wait_for_load_state()
    check_axe(page)
    assert f"Type {IN_POST_EXTRA} to confirm" in page.content()
    page.get_by_label(f"To mark {IN_POST_EXTRA} people as leavers, type {IN_POST_EXTRA}").fill(str(IN_POST_EXTRA))
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_url("**/staff/")
    assert f"{IN_POST_EXTRA + 1} marked as leavers" in page.content()
    assert not page.console_errors, page.console_errors
