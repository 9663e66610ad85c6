"""Browser journeys for single sign-on, axe-core on every Changeboard page:
a person clicks "Sign in with Microsoft Entra ID", signs in at the local
provider and lands in Changeboard with the role from their claim; an admin
adds a claim rule through the pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.accounts.models import ClaimRule, Role, User
from changeboard.accounts.services import claim_rule_create
from changeboard.conftest import PASSWORD
from changeboard.core.tests.browser import check_axe, sign_in, visit

from .idp import Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_through_the_provider_with_the_role_from_the_claim(page: Any, world: Any, sso: Provider, live_server: Any) -> None:
    sso.add_site(live_server.url)
    claim_rule_create(claim_value="CB.Lead.A", role=Role.CHANGE_MANAGER, programmes=[world.programme_a], actor=None)
    sso.adduser("browserlead", roles=["CB.Lead.A"], email="browser.lead@idp.example", first_name="Robin", last_name="Ashe")

    visit(page, f"/login/?next={world.programme_a.get_absolute_url()}")
    assert page.get_by_label("Password").count() == 0 or page.get_by_role("heading", name="Break-glass sign-in").count() == 1
    page.get_by_role("link", name="Sign in with Microsoft Entra ID").click()
    page.wait_for_url(re.compile(rf"^{re.escape(sso.base)}/login/"))
    check_axe(page)  # the stand-in provider's page is kept accessible too
    page.get_by_label("Username").fill("browserlead")
    page.get_by_label("Password").fill("idp-test-password")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}{world.programme_a.get_absolute_url()}")
    check_axe(page)
    user = User.objects.get(email="browser.lead@idp.example")
    assert user.role == Role.CHANGE_MANAGER and list(user.programmes.all()) == [world.programme_a]
    assert user.get_full_name() in page.content() or world.programme_a.name in page.content()
    response = page.goto(world.programme_b.get_absolute_url())
    assert response is not None and response.status == 404


def test_a_person_with_no_rule_is_told_they_have_no_access(page: Any, world: Any, sso: Provider, live_server: Any) -> None:
    sso.add_site(live_server.url)
    sso.adduser("browsernobody", roles=["Something.Else"], email="nobody@idp.example")
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Microsoft Entra ID").click()
    page.wait_for_url(re.compile(rf"^{re.escape(sso.base)}/login/"))
    page.get_by_label("Username").fill("browsernobody")
    page.get_by_label("Password").fill("idp-test-password")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/login/no-access/")
    check_axe(page)
    assert page.get_by_role("heading", name="You do not have access to Changeboard").count() == 1
    assert not User.objects.filter(email="nobody@idp.example").exists()


def test_an_admin_adds_a_claim_rule_through_the_pages(page: Any, world: Any) -> None:
    sign_in(page, "admin", PASSWORD)
    visit(page, "/users/")
    page.get_by_role("link", name="sign-in claim rules").click()
    page.wait_for_url("**/claim-rules/")
    check_axe(page)
    page.get_by_role("button", name="Add a claim rule").click()
    page.wait_for_url("**/claim-rules/new/")
    check_axe(page)
    page.get_by_label("Claim value").fill("Changeboard.Champion.Camden")
    page.get_by_label("Description").fill("Camden's change champions")
    page.get_by_label("Change champion").check()
    page.get_by_role("button", name="Add claim rule").click()
    check_axe(page)  # the form again, with its error: a champion needs units
    assert "Choose at least one unit" in page.content()
    page.get_by_label("Units").select_option(value=str(world.camden.pk))
    page.get_by_role("button", name="Add claim rule").click()
    page.wait_for_url(re.compile(r".*/claim-rules/\d+/$"))
    check_axe(page)
    rule = ClaimRule.objects.get(claim_value="Changeboard.Champion.Camden")
    assert rule.role == Role.CHAMPION and list(rule.units.all()) == [world.camden]
    assert page.get_by_role("heading", name="Changeboard.Champion.Camden").count() == 1


def test_the_shared_sign_in_helper_still_works_with_sso_on(page: Any, world: Any, settings: Any) -> None:
    """The other apps' browser journeys sign in with `browser.sign_in` (the
    password form's "Sign in" button): with SSO on the start button is a link,
    so that helper finds one button, and a password journey runs as before."""
    from .test_claim_rule_permissions import SSO_SETTINGS

    for name, value in SSO_SETTINGS.items():
        setattr(settings, name, value)
    settings.LOCAL_PASSWORD_LOGIN = "all"
    sign_in(page, "lead", PASSWORD)
    visit(page, world.programme_a.get_absolute_url())
    response = page.goto("/claim-rules/")
    assert response is not None and response.status == 403
