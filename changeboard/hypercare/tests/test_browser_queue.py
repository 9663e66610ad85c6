"""Browser journey: the support lead works the queue and records the exit
decision. The support lead here is the programme's change lead, on the
period's support team. They open the queue from the hypercare periods,
filter it, tick two queries and assign them to a colleague with the
keyboard, open one, comment to the requester and resolve it; then, from
the period's page, they read the exit criteria, record the exit and find it
on the period's dashboard. axe-core runs on every page visited."""

from __future__ import annotations

import re
from typing import Any

import pytest

from changeboard.conftest import PASSWORD
from changeboard.core.models import OutboxMessage
from changeboard.core.tests.browser import check_axe, sign_in, visit
from changeboard.surveys.tests.test_browser_surveys import tab_until

from ..models import ExitDecision, Period, Query
from .test_hypercare_permissions import Hypercare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_lead_works_the_queue(page: Any, world: Any) -> None:
    hc = Hypercare(world)
    hc.team.members.add(world.users["lead"])
    sign_in(page, "lead", PASSWORD)
    visit(page, "/hypercare/")
    check_axe(page)
    page.get_by_role("link", name=str(hc.a)).click()
    page.wait_for_url(re.compile(rf"/hypercare/{hc.a.pk}/$"))
    check_axe(page)
    page.get_by_role("link", name="Open the support queue for this period").click()
    page.wait_for_url(re.compile(rf"/hypercare/{hc.a.pk}/queries/$"))
    check_axe(page)
    link = lambda q: page.get_by_role("link", name=q.reference, exact=True)  # noqa: E731
    assert link(hc.q_in).is_visible() and link(hc.q_out).is_visible()

    # Filter: unassigned training gaps, then back to every open query.
    page.get_by_label("Category").select_option(label="Training gap")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"category="))
    link(hc.q_in).wait_for()
    assert link(hc.q_out).count() == 0
    check_axe(page)
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(re.compile(rf"/hypercare/{hc.a.pk}/queries/$"))
    link(hc.q_out).wait_for()

    # Bulk assign with the keyboard: tick both, choose the colleague, submit.
    for wanted in (f"select-{hc.q_in.pk}", f"select-{hc.q_out.pk}"):
        def is_box(element: dict[str, Any], wanted: str = wanted) -> bool:
            return bool(element["id"] == wanted)

        tab_until(page, is_box)
        page.keyboard.press("Space")
    page.get_by_label("Assign the ticked queries to").select_option(label="Supportchamp Tester")
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Assign")
    page.keyboard.press("Enter")
    page.get_by_text("2 queries assigned to Supportchamp Tester").wait_for()
    check_axe(page)
    assert set(Query.objects.filter(assignee=hc.support_champion).values_list("pk", flat=True)) == {hc.q_in.pk, hc.q_out.pk}

    # Open a query, comment to the requester, resolve it.
    link(hc.q_in).click()
    page.wait_for_url(re.compile(rf"/hypercare/queries/{hc.q_in.pk}/$"))
    check_axe(page)
    assert page.get_by_text("p100001@example.police.uk").is_visible()
    page.get_by_label("Comment", exact=True).fill("The custody screen is under Custody > Rota.")
    page.get_by_label("Send to the requester by email").check()
    page.get_by_role("button", name="Add the comment").click()
    page.get_by_text("Comment added.").wait_for()
    check_axe(page)
    assert OutboxMessage.objects.filter(to_address="p100001@example.police.uk", body__contains="Custody > Rota").exists()
    page.get_by_label("New status").select_option(label="Resolved")
    page.get_by_label("Message to the requester").fill("Resolved: the screen has moved.")
    page.get_by_role("button", name="Change the status").click()
    page.get_by_text("Status changed.").wait_for()
    check_axe(page)
    assert page.locator("#query-status").inner_text() == "Resolved"
    query = Query.objects.get(pk=hc.q_in.pk)
    assert query.status == "resolved" and query.first_response_at is not None

    # The exit: from the period's page to its criteria, record the exit, see it on the dashboard.
    page.get_by_role("link", name=str(hc.a)).first.click()
    page.wait_for_url(re.compile(rf"/hypercare/{hc.a.pk}/$"))
    page.get_by_role("link", name="Exit criteria and the exit decision").click()
    page.wait_for_url(re.compile(rf"/hypercare/periods/{hc.a.pk}/exit/$"))
    check_axe(page)
    page.get_by_role("button", name="Record the exit decision").click()
    page.wait_for_url(re.compile(rf"/hypercare/periods/{hc.a.pk}/exit/decide/$"))
    check_axe(page)
    page.get_by_label("Exit hypercare").check()
    page.get_by_label("Reason").fill("The queue is down to one open query and no P1.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(re.compile(r"/hypercare/exit-decisions/\d+/$"))
    check_axe(page)
    decision = ExitDecision.objects.get(period=hc.a)
    assert (decision.decision, decision.decided_by) == ("exit", world.users["lead"])
    assert Period.objects.get(pk=hc.a.pk).status == Period.Status.EXITED
    visit(page, f"/hypercare/periods/{hc.a.pk}/dashboard/")
    page.locator("#exit-criteria").wait_for()
    assert "Latest exit decision: Exit hypercare" in page.locator("#exit-decision").inner_text()
    check_axe(page)
