"""The pool's pages: the list (columns, filters, export, empty state), a
champion's page, nominating by staff number (errors, prefill from a gap,
someone already in the pool), changing, standing down, reviewing, a
programme's ask, and the load with its programme filter."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from changeboard.organisation.models import Staff

from ..models import Champion, Support
from ..services import champions as services
from .pool_data import Pool, build_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world: Any) -> Pool:
    return build_pool(world)


def _signed_in(client: Any, world: Any, persona: str = "lead") -> Any:
    client.force_login(world.users[persona])
    return client


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_pool_lists_every_champion_with_their_load(client: Any, pool: Pool) -> None:
    page = _signed_in(client, pool.world).get(reverse("champion-list"))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("Alex Inscope", "Casey Night", "Blair Outscope", "100002", "Charing Cross", "Nights", "Police officers",
                     "AAA (4h), BBB (3h)", "7 of 4", "Over-committed", "Nominate a champion"):
        assert expected in text, expected


@pytest.mark.parametrize(("query", "names"), [
    ("programme={a}", {"Alex Inscope", "Casey Night"}),
    ("status=nominated", {"Blair Outscope"}),
    ("unit={westminster}", {"Alex Inscope", "Casey Night"}),
    ("location=Charing Cross", {"Alex Inscope", "Casey Night"}),
    ("shift_pattern=Nights", {"Casey Night"}),
    ("over_committed=yes", {"Casey Night"}),
    ("over_committed=no", {"Alex Inscope", "Blair Outscope"}),
    ("needs_review=yes", set()),
    ("q=100001", {"Alex Inscope"}),
])
def test_the_pool_filters(client: Any, pool: Pool, query: str, names: set[str]) -> None:
    world = pool.world
    url = reverse("champion-list") + "?" + query.format(a=world.programme_a.pk, westminster=world.westminster.pk)
    rows = _csv(_signed_in(client, world).get(url + "&export=csv"))
    assert {row[0] for row in rows[1:]} == names
    page = client.get(url)
    assert page.status_code == 200
    if not names:
        assert "No champions match these filters." in page.content.decode()


def test_the_pool_exports_the_same_rows_as_csv_and_xlsx(client: Any, pool: Pool) -> None:
    c = _signed_in(client, pool.world)
    rows = _csv(c.get(reverse("champion-list") + "?export=csv"))
    assert rows[0][:3] == ["Champion", "Staff number", "Unit"]
    casey = next(row for row in rows if row[0] == "Casey Night")
    assert casey[1:8] == ["100002", "Response Team 1", "Charing Cross", "Nights", "Police officers", "Active", "AAA (4h), BBB (3h)"]
    assert casey[8:11] == ["4.0", "7.0", "Yes"]
    response = c.get(reverse("champion-list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [row[0] for row in rows[1:]]


def test_a_champion_sees_only_the_pool_in_their_units(client: Any, pool: Pool) -> None:
    rows = _csv(_signed_in(client, pool.world, "champion").get(reverse("champion-list") + "?export=csv"))
    assert {row[0] for row in rows[1:]} == {"Alex Inscope", "Casey Night"}
    page = client.get(reverse("champion-list"))
    assert "Nominate a champion" not in page.content.decode()


def test_an_empty_pool(client: Any, world: Any) -> None:
    page = _signed_in(client, world, "board").get(reverse("champion-list"))
    assert "No champions match these filters." in page.content.decode()
    load = client.get(reverse("network-load"))
    assert "0 over-committed of 0 champions" in load.content.decode()


def test_the_champion_page_shows_every_programme_and_the_actions_allowed(client: Any, pool: Pool) -> None:
    c = _signed_in(client, pool.world)
    text = c.get(reverse("champion-detail", args=[pool.casey.pk])).content.decode()
    assert "Asked 7 of 4 hours a month agreed (175%)" in text and "Over-committed" in text
    assert "BBB Case Files" in text and "AAA Shared Services" in text
    assert reverse("support-edit", args=[pool.casey_a.pk]) in text
    assert reverse("support-edit", args=[pool.casey_b.pk]) not in text  # B's ask is lead2's
    assert reverse("champion-edit", args=[pool.casey.pk]) in text
    blair = c.get(reverse("champion-detail", args=[pool.blair.pk])).content.decode()
    assert reverse("champion-edit", args=[pool.blair.pk]) not in blair
    assert f"{reverse('champion-nominate')}?staff={pool.blair.staff_id}" in blair


def test_nominate_prefilled_from_a_gaps_candidate(client: Any, world: Any) -> None:
    world.staff_in.location, world.staff_in.shift_pattern = "Charing Cross", "Nights"
    world.staff_in.save()
    url = f"{reverse('champion-nominate')}?programme={world.programme_a.pk}&staff={world.staff_in.pk}"
    text = _signed_in(client, world).get(url).content.decode()
    assert "Alex Inscope" in text and "Charing Cross" in text and "Nights" in text and "Response Team 1" in text
    assert 'value="100001"' in text
    assert f'<option value="{world.programme_a.pk}" selected>' in text
    # Another's programme is not prefilled (nor offered).
    other = _signed_in(client, world).get(f"{reverse('champion-nominate')}?programme={world.programme_b.pk}").content.decode()
    assert "Case Files" not in other


def _nominate(client: Any, world: Any, **overrides: Any) -> Any:
    data = {"programme": world.programme_a.pk, "staff_number": "100001", "hours_asked": "3", "hours_agreed": "4", "start_date": "",
            "end_date": "", "nominated_as": "change_manager", "reason": ""}
    data.update(overrides)
    return client.post(reverse("champion-nominate"), data)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"staff_number": "999999"}, "No one in the organisation has this staff number"),
    ({"hours_asked": "-2"}, "Hours cannot be negative"),
    ({"hours_agreed": "-1"}, "Hours cannot be negative"),
    ({"start_date": "2027-03-01", "end_date": "2027-02-01"}, "The end must be on or after the start"),
    ({"programme": "{b}"}, "Choose one of your programmes"),
    ({"staff_number": "200001", "_leaver": True}, "Blair Outscope has left the force"),
])
def test_nominate_errors(client: Any, world: Any, overrides: dict[str, Any], message: str) -> None:
    if overrides.pop("_leaver", False):
        Staff.objects.filter(pk=world.staff_out.pk).update(is_leaver=True)
    if overrides.get("programme") == "{b}":
        overrides["programme"] = world.programme_b.pk
    response = _nominate(_signed_in(client, world), world, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Champion.objects.exists()


def test_nominate_by_staff_number(client: Any, world: Any) -> None:
    response = _nominate(_signed_in(client, world), world, units=[world.westminster.pk], start_date="2027-01-04")
    champion = Champion.objects.get()
    assert response.status_code == 302 and response["Location"] == champion.get_absolute_url()
    assert (champion.staff, champion.hours_agreed, champion.start_date) == (world.staff_in, Decimal(4), dt.date(2027, 1, 4))
    assert list(champion.units.all()) == [world.westminster]
    page = client.get(response["Location"]).content.decode()
    assert "has been nominated for AAA" in page


def test_nominating_someone_already_in_the_pool_adds_the_ask(client: Any, pool: Pool) -> None:
    world = pool.world
    response = _nominate(_signed_in(client, world, "lead2"), world, programme=world.programme_b.pk, hours_asked="1.5")
    assert response.status_code == 302
    assert Support.objects.get(champion=pool.alex, programme=world.programme_b).hours_asked == Decimal("1.5")
    text = client.get(response["Location"]).content.decode()
    assert "already in the pool (active)" in text and "BBB" in text


def test_a_change_manager_with_no_programme_cannot_nominate(client: Any, world: Any) -> None:
    world.users["lead2"].programmes.clear()
    assert _signed_in(client, world, "lead2").get(reverse("champion-nominate")).status_code == 403


def test_edit_end_and_the_asks(client: Any, pool: Pool) -> None:
    world = pool.world
    c = _signed_in(client, world)
    form = c.get(reverse("champion-edit", args=[pool.alex.pk])).context["form"]
    assert form.initial["hours_agreed"] == pool.alex.hours_agreed  # the entry's values fill the form
    assert form.initial["units"] == [u.pk for u in pool.alex.units.all()]
    response = c.post(reverse("champion-edit", args=[pool.alex.pk]), {
        "hours_agreed": "6", "units": [world.westminster.pk, world.camden.pk], "start_date": "2026-01-05", "end_date": "", "reason": "x"})
    assert response.status_code == 302
    alex = Champion.objects.get(pk=pool.alex.pk)
    assert alex.hours_agreed == Decimal(6) and set(alex.units.all()) == {world.westminster, world.camden}
    bad = c.post(reverse("champion-edit", args=[pool.alex.pk]), {"hours_agreed": "6", "units": [], "start_date": "2026-01-05"})
    assert "Choose at least one unit they look after" in bad.content.decode()

    assert c.post(reverse("support-edit", args=[pool.support_a.pk]), {"hours_asked": "5"}).status_code == 302
    assert Support.objects.get(pk=pool.support_a.pk).hours_asked == Decimal(5)
    assert "End the ask" in c.get(reverse("support-end", args=[pool.support_a.pk])).content.decode()
    assert c.post(reverse("support-end", args=[pool.support_a.pk])).status_code == 302
    assert not Support.objects.get(pk=pool.support_a.pk).active

    assert "Stand Casey Night down" in c.get(reverse("champion-end", args=[pool.casey.pk])).content.decode()
    assert c.post(reverse("champion-end", args=[pool.casey.pk]), {"end_date": ""}).status_code == 302
    assert Champion.objects.get(pk=pool.casey.pk).status == Champion.Status.ENDED
    again = c.post(reverse("champion-end", args=[pool.casey.pk]), {"end_date": ""})
    assert "They have already stood down." in again.content.decode()


def test_review_a_mover_and_a_leaver(client: Any, pool: Pool) -> None:
    world = pool.world
    Staff.objects.filter(pk=world.staff_in.pk).update(unit=world.camden)
    Staff.objects.filter(pk=pool.casey.staff_id).update(is_leaver=True)
    services.sync_from_staff()
    c = _signed_in(client, world)
    assert "needs_review=yes" in c.get(reverse("champion-list")).content.decode()
    page = c.get(reverse("champion-review", args=[pool.alex.pk])).content.decode()
    assert "They now work in Camden" in page and "Look after their new unit instead" in page
    assert c.post(reverse("champion-review", args=[pool.alex.pk]), {"follow_move": "1"}).status_code == 302
    assert list(Champion.objects.get(pk=pool.alex.pk).units.all()) == [world.camden]
    leaver = c.get(reverse("champion-review", args=[pool.casey.pk])).content.decode()
    assert "They have left the force" in leaver and "follow_move" not in leaver
    assert c.post(reverse("champion-review", args=[pool.casey.pk])).status_code == 302
    assert Champion.objects.get(pk=pool.casey.pk).status == Champion.Status.ENDED


def test_the_load_page(client: Any, pool: Pool) -> None:
    world = pool.world
    c = _signed_in(client, world)
    text = c.get(reverse("network-load")).content.decode()
    assert "1 over-committed of 3 champions; 1 asked by more than one programme" in text
    assert text.index("Casey Night") < text.index("Alex Inscope")
    assert "Over-committed" in text and "175%" in text
    for_a = c.get(reverse("network-load") + f"?programme={world.programme_a.pk}").content.decode()
    assert "1 over-committed of 2 champions" in for_a and "Blair Outscope" not in for_a
    assert "AAA 4 (this programme)" in for_a and "BBB 3" in for_a
    rows = _csv(c.get(reverse("network-load") + f"?programme={world.programme_a.pk}&export=csv"))
    assert rows[1][0] == "Casey Night" and rows[1][7] == "Yes" and rows[1][8] == "AAA: 4; BBB: 3"
    assert c.get(reverse("network-load") + "?programme=x").status_code == 200


def test_the_load_page_for_a_champion_shows_their_units_only(client: Any, pool: Pool) -> None:
    text = _signed_in(client, pool.world, "champion").get(reverse("network-load")).content.decode()
    assert "of 2 champions" in text and "Blair Outscope" not in text
