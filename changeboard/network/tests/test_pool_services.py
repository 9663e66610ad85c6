"""The pool's services: nomination (new, already in the pool, again after
a decline, refused for a leaver or another programme), the answer (only by
the nominee), the account and its scope following the units, standing down,
the HR sync and its review, and the load across programmes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changeboard.accounts.models import Role, User
from changeboard.conftest import make_staff, make_user
from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.organisation.models import Staff
from changeboard.organisation.signals import staff_changed

from ..models import Champion, NetworkPolicy, Support
from ..services import champions as services
from ..services.load import loads
from .pool_data import build_pool

pytestmark = pytest.mark.django_db


def _account(champion: Champion) -> User:
    assert champion.user is not None
    return champion.user


def test_a_nomination_creates_the_entry_the_ask_an_account_and_an_email(world: Any) -> None:
    lead = world.users["lead"]
    champion = services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=3, actor=lead, reason="Knows nights")
    assert champion.status == Champion.Status.NOMINATED
    assert champion.hours_agreed == NetworkPolicy.current().default_hours
    assert list(champion.units.all()) == [world.team]
    assert champion.nominated_by == lead and champion.start_date == timezone.localdate()
    support = Support.objects.get(champion=champion)
    assert (support.programme, support.hours_asked, support.active) == (world.programme_a, Decimal(3), True)
    account = champion.user
    assert account is not None and account.role == Role.CHAMPION and account.email == world.staff_in.email
    assert not account.units.exists()  # no scope until they accept
    mail = OutboxMessage.objects.get(kind="network")
    assert mail.to_address == world.staff_in.email and "nominated" in mail.subject
    assert AuditEntry.objects.filter(object_type__icontains="champion", action="create").exists()


def test_an_existing_account_is_found_by_email(world: Any) -> None:
    existing = make_user("alex.inscope", Role.CHANGE_MANAGER)
    existing.email = world.staff_in.email.upper()
    existing.save()
    champion = services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=2, actor=world.users["lead"])
    assert champion.user == existing
    assert User.objects.filter(email__iexact=world.staff_in.email).count() == 1


def test_someone_already_in_the_pool_gets_the_programmes_ask_added(world: Any) -> None:
    pool = build_pool(world)
    before = list(pool.alex.units.all())
    again = services.champion_nominate(staff=world.staff_in, programme=world.programme_b, hours_asked=1, hours_agreed=10,
                                       units=[world.camden], actor=world.users["lead2"])
    assert again.pk == pool.alex.pk and again.status == Champion.Status.ACTIVE
    assert again.hours_agreed == Decimal(4)  # what they agreed stays
    assert list(again.units.all()) == before
    assert set(again.supports.filter(active=True).values_list("programme__code", flat=True)) == {"AAA", "BBB"}
    assert OutboxMessage.objects.filter(subject__contains="has asked for your help").exists()


def test_a_nomination_after_a_decline_opens_the_entry_again(world: Any) -> None:
    lead = world.users["lead"]
    champion = services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=3, actor=lead)
    services.champion_decline(champion=champion, actor=champion.user, reason="Too busy this quarter")
    champion.refresh_from_db()
    assert champion.status == Champion.Status.DECLINED and not champion.supports.filter(active=True).exists()
    again = services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=2, actor=lead, units=[world.westminster])
    assert again.pk == champion.pk and again.status == Champion.Status.NOMINATED and again.responded_at is None
    assert list(again.units.all()) == [world.westminster]
    assert again.supports.get().active and again.supports.get().hours_asked == Decimal(2)


@pytest.mark.parametrize("leaver", ["flag", "date"])
def test_a_leaver_cannot_be_nominated(world: Any, leaver: str) -> None:
    if leaver == "flag":
        world.staff_in.is_leaver = True
    else:
        world.staff_in.leave_date = timezone.localdate() - dt.timedelta(days=1)
    world.staff_in.save()
    with pytest.raises(ValidationError) as error:
        services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=3, actor=world.users["lead"])
    assert "staff" in error.value.message_dict
    assert not Champion.objects.exists()


def test_only_the_programmes_change_managers_may_ask(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.champion_nominate(staff=world.staff_in, programme=world.programme_b, hours_asked=3, actor=world.users["lead"])
    with pytest.raises(PermissionDenied):
        services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=3, actor=world.users["board"])
    assert services.champion_nominate(staff=world.staff_in, programme=world.programme_b, hours_asked=3, actor=world.users["admin"])


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"hours_asked": -1}, "hours_asked"),
    ({"hours_asked": 2, "hours_agreed": -2}, "hours_agreed"),
    ({"hours_asked": 2, "start_date": dt.date(2027, 2, 1), "end_date": dt.date(2027, 1, 1)}, "end_date"),
])
def test_bad_hours_and_dates_are_refused(world: Any, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.champion_nominate(staff=world.staff_in, programme=world.programme_a, actor=world.users["lead"], **kwargs)
    assert field in error.value.message_dict


def test_only_the_nominee_answers_and_their_scope_follows_their_units(world: Any) -> None:
    champion = services.champion_nominate(staff=world.staff_in, programme=world.programme_a, hours_asked=3, actor=world.users["lead"],
                                          units=[world.westminster])
    for other in (world.users["lead"], world.users["admin"], world.users["champion"]):
        with pytest.raises(PermissionDenied):
            services.champion_accept(champion=champion, actor=other)
        with pytest.raises(PermissionDenied):
            services.champion_decline(champion=champion, actor=other)
    account = _account(champion)
    services.champion_accept(champion=champion, actor=account)
    assert list(account.units.all()) == [world.westminster]
    services.champion_update(champion=champion, actor=world.users["lead"], units=[world.central_west, world.camden])
    assert set(account.units.all()) == {world.central_west, world.camden}
    with pytest.raises(ValidationError):
        services.champion_accept(champion=champion, actor=account)  # answered already


def test_standing_down_ends_the_asks_and_the_scope(world: Any) -> None:
    pool = build_pool(world)
    account = _account(pool.casey)
    assert account.units.exists()
    with pytest.raises(PermissionDenied):  # only A asks Alex: not lead2's to stand down
        services.champion_end(champion=pool.alex, actor=world.users["lead2"])
    services.champion_end(champion=pool.casey, actor=world.users["lead2"])
    pool.casey.refresh_from_db()
    assert pool.casey.status == Champion.Status.ENDED and pool.casey.end_date == timezone.localdate()
    assert not pool.casey.supports.filter(active=True).exists()
    assert not account.units.exists()
    with pytest.raises(ValidationError):
        services.champion_end(champion=pool.casey, actor=world.users["lead"])
    with pytest.raises(ValidationError):
        services.champion_update(champion=pool.casey, actor=world.users["lead"], hours_agreed=Decimal(2))


def test_a_change_manager_changes_only_the_champions_of_their_programmes(world: Any) -> None:
    pool = build_pool(world)
    with pytest.raises(PermissionDenied):
        services.champion_update(champion=pool.blair, actor=world.users["lead"], hours_agreed=Decimal(8))
    services.champion_update(champion=pool.blair, actor=world.users["lead2"], hours_agreed=Decimal(8))
    assert Champion.objects.get(pk=pool.blair.pk).hours_agreed == Decimal(8)
    with pytest.raises(PermissionDenied):
        services.support_end(support=pool.casey_b, actor=world.users["lead"])


def test_the_hr_sync_flags_a_mover_and_the_review_moves_their_units(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    pool = build_pool(world)
    account = _account(pool.alex)
    Staff.objects.filter(pk=world.staff_in.pk).update(unit=world.camden)
    with django_capture_on_commit_callbacks(execute=True):
        staff_changed.send(sender=Staff, created=0, updated=1, leavers=0)
    pool.alex.refresh_from_db()
    assert pool.alex.needs_review.startswith("Moved from Response Team 1 to Camden")
    assert list(account.units.all()) == [world.team]  # a mover keeps their scope until reviewed
    services.champion_review(champion=pool.alex, actor=world.users["lead"])
    pool.alex.refresh_from_db()
    assert pool.alex.needs_review == "" and pool.alex.known_unit == world.camden
    assert list(pool.alex.units.all()) == [world.camden] and list(account.units.all()) == [world.camden]
    with pytest.raises(ValidationError):
        services.champion_review(champion=pool.alex, actor=world.users["lead"])


def test_a_mover_may_keep_their_units(world: Any) -> None:
    pool = build_pool(world)
    Staff.objects.filter(pk=world.staff_in.pk).update(unit=world.camden)
    assert services.sync_from_staff() == 1
    services.champion_review(champion=Champion.objects.get(pk=pool.alex.pk), actor=world.users["lead"], follow_move=False)
    assert list(Champion.objects.get(pk=pool.alex.pk).units.all()) == [world.team]


def test_a_leaver_loses_scope_at_once_and_the_review_stands_them_down(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    pool = build_pool(world)
    account = _account(pool.casey)
    Staff.objects.filter(pk=pool.casey.staff_id).update(is_leaver=True)
    with django_capture_on_commit_callbacks(execute=True):
        staff_changed.send(sender=Staff, created=0, updated=0, leavers=1)
    pool.casey.refresh_from_db()
    assert pool.casey.needs_review == services.LEFT
    assert not account.units.exists()
    assert services.sync_from_staff() == 0  # flagged once
    services.champion_review(champion=pool.casey, actor=world.users["lead"])
    pool.casey.refresh_from_db()
    assert pool.casey.status == Champion.Status.ENDED and pool.casey.needs_review == ""
    assert not pool.casey.supports.filter(active=True).exists()


def test_support_set_and_end(world: Any) -> None:
    pool = build_pool(world)
    services.support_set(champion=pool.alex, programme=world.programme_a, hours_asked=1, actor=world.users["lead"])
    assert Support.objects.get(pk=pool.support_a.pk).hours_asked == Decimal(1)
    services.support_end(support=pool.support_a, actor=world.users["lead"])
    assert not Support.objects.get(pk=pool.support_a.pk).active
    with pytest.raises(ValidationError):
        services.support_end(support=Support.objects.get(pk=pool.support_a.pk), actor=world.users["lead"])
    with pytest.raises(ValidationError):
        services.support_set(champion=pool.alex, programme=world.programme_a, hours_asked=-1, actor=world.users["lead"])
    services.support_set(champion=pool.alex, programme=world.programme_a, hours_asked=2, actor=world.users["lead"])
    assert Support.objects.get(pk=pool.support_a.pk).active


def test_load_across_programmes(world: Any) -> None:
    pool = build_pool(world)
    rows = loads()
    assert [r.champion for r in rows][0] == pool.casey  # over-committed first
    casey = rows[0]
    assert (casey.agreed, casey.asked, casey.percent, casey.over, casey.shared) == (Decimal(4), Decimal(7), 175, True, True)
    alex = next(r for r in rows if r.champion == pool.alex)
    assert (alex.asked, alex.percent, alex.over, alex.shared) == (Decimal(3), 75, False, False)
    assert {r.champion for r in rows} == {pool.alex, pool.casey, pool.blair}
    # A's change manager sees their champions and every other programme asking them.
    for_a = loads(world.programme_a)
    assert {r.champion for r in for_a} == {pool.alex, pool.casey}
    assert [p.code for p, _ in for_a[0].asks] == ["AAA", "BBB"]
    # An ended ask no longer counts; an ended champion drops out.
    services.support_end(support=pool.casey_b, actor=world.users["lead2"])
    assert not next(r for r in loads() if r.champion == pool.casey).over
    services.champion_end(champion=pool.alex, actor=world.users["lead"])
    assert pool.alex not in {r.champion for r in loads()}


def test_a_champion_sees_the_champions_in_their_units_and_always_themselves(world: Any) -> None:
    pool = build_pool(world)
    seen = set(Champion.objects.restrict(world.users["champion"]))
    assert seen == {pool.alex, pool.casey}
    blair_account = pool.blair.user
    assert set(Champion.objects.restrict(blair_account)) == {pool.blair}  # not accepted yet: no units, but their own entry
    assert set(Champion.objects.restrict(world.users["board"])) == {pool.alex, pool.casey, pool.blair}
    assert set(Champion.objects.restrict(world.users["lead"])) == {pool.alex, pool.casey, pool.blair}


def test_a_staff_member_without_an_email_gets_no_account(world: Any) -> None:
    staff = make_staff("100009", world.team, email="")
    champion = services.champion_nominate(staff=staff, programme=world.programme_a, hours_asked=1, actor=world.users["lead"])
    assert champion.user is None and not OutboxMessage.objects.exists()
