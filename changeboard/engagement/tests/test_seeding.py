"""The engagement seed on the demo force: the register's mix and grid, the
engagement debt the "Done means" relies on, the Central West collision week
(counted here from MessageReach and survey invitations, not through the
attention service), reach equal to the service's, deliveries only for the
small sent emails, and the same rows from the same seed.

The demo force is seeded once for the module (about 15 s) and cleared after."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db.models import AutoField, Count, Max, Model
from django.test import override_settings
from django.utils import timezone

from changeboard.core.models import AuditEntry, OutboxMessage
from changeboard.devtools.seeding import clear_seeded_data, seed_force
from changeboard.engagement import seeding
from changeboard.engagement.models import (
    AudienceRule,
    Engagement,
    EngagementPolicy,
    Message,
    MessageReach,
    Recipient,
    Stakeholder,
    StakeholderAssessment,
)
from changeboard.engagement.services.audience import reach_refresh
from changeboard.organisation.models import Staff, Unit
from changeboard.portfolio.models import Programme
from changeboard.surveys.models import Invitation, SurveyPolicy

pytestmark = pytest.mark.django_db
COUNTED = (Message.Status.FOR_APPROVAL, Message.Status.APPROVED, Message.Status.SENT)


def _high_water() -> dict[type[Model], int]:
    return {model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0 for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy and isinstance(model._meta.pk, AutoField)}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dt.date]:
    """Seeded outside any test's transaction, so committed: afterwards the
    seed is cleared and what clearing keeps on purpose (the outbox rows the
    seed queued, e.g. hypercare spikes, the audit trail, the policies made on first read) is removed too,
    or later tests on the same worker would find it (an outbox with other
    people's mail in it)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        before = _high_water()
        seed_force(scale="demo")
        try:
            yield timezone.localdate()
        finally:
            clear_seeded_data(actor=None)
            for model in (OutboxMessage, AuditEntry, EngagementPolicy, SurveyPolicy):  # kept by clearing; policies made lazily
                model.objects.filter(pk__gt=before[model]).delete()
            left = {model._meta.label: n for model, top in before.items() if (n := model._default_manager.filter(pk__gt=top).count())}
            assert not left, f"the demo seed left rows behind for later tests: {left}"


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "stakeholders": list(Stakeholder.objects.order_by("kind", "name", "staff__staff_number", "unit__path", "role_group").values_list(
            "kind", "group_kind", "name", "organisation", "staff__staff_number", "unit__path", "role_group", "email")),
        "assessments": list(StakeholderAssessment.objects.order_by("programme__code", "stakeholder__name", "stakeholder__staff__staff_number",
                                                                   "stakeholder__unit__path", "stakeholder__role_group").values_list(
            "programme__code", "stakeholder__name", "influence", "interest", "impact_judgement", "current_position", "target_position")),
        "engagements": sorted(Engagement.objects.values_list(
            "assessment__programme__code", "assessment__stakeholder__name", "purpose", "method", "planned_on", "status", "happened_on",
            "position_after"), key=repr),
        "messages": list(Message.objects.order_by("programme__code", "planned_on", "title", "uid").values_list(
            "programme__code", "title", "channel", "planned_on", "status", "audience_size", "uid", "rollout_wave__name")),
        "reach": sorted(MessageReach.objects.values_list("message__uid", "unit__path", "headcount"), key=repr),
        "recipients": sorted(Recipient.objects.values_list("message__uid", "staff__staff_number", "stakeholder__name", "outbox__to_address", "outbox__status"), key=repr),
    }


def test_the_register_is_a_mix_mapped_about_sixty_per_programme() -> None:
    per_programme = Counter(StakeholderAssessment.objects.values_list("programme__code", flat=True))
    assert set(per_programme) == set(Programme.objects.values_list("code", flat=True)) and len(per_programme) == 12
    assert all(50 <= n <= 62 for n in per_programme.values()), per_programme
    kinds = Counter((s.kind, s.group_kind) for s in Stakeholder.objects.all())
    assert kinds[("person", "")] > 100 and kinds[("external", "")] >= 10
    assert kinds[("group", "unit")] > 20 and kinds[("group", "role_group")] > 10 and kinds[("group", "body")] >= 4
    names = set(Stakeholder.objects.values_list("name", flat=True))
    assert {"Metropolitan Police Federation", "Unison Metropolitan Police and Justice branch"} <= names
    organisations = set(Stakeholder.objects.values_list("organisation", flat=True))
    assert "Independent Office for Police Conduct" in organisations and any("Crown Prosecution" in o for o in organisations)
    assert any("Council" in o or "London Borough" in o for o in organisations)
    # People follow their HR record: senior officers and team leaders, their unit noted.
    people = Stakeholder.objects.filter(kind=Stakeholder.Kind.PERSON).select_related("staff")
    assert all(p.name == f"{p.staff.first_name} {p.staff.last_name}" and p.known_unit_id == p.staff.unit_id for p in people)  # type: ignore[union-attr]
    ranks = set(people.values_list("staff__rank_grade__code", flat=True))
    assert {"CSUPT", "SUPT"} & ranks and {"INSP", "PS"} & ranks
    # A person or body mapped by several programmes is one register entry.
    assert StakeholderAssessment.objects.values("stakeholder").annotate(n=Count("pk")).filter(n__gt=1).exists()
    policy = EngagementPolicy.objects.get()
    assert (policy.weekly_limit, policy.debt_days, policy.key_threshold) == (3, 42, 4)


def test_every_quadrant_of_every_programmes_grid_is_populated() -> None:
    grids: dict[str, set[tuple[bool, bool]]] = defaultdict(set)
    for code, influence, interest in StakeholderAssessment.objects.values_list("programme__code", "influence", "interest"):
        if influence != 3 and interest != 3:
            grids[code].add((influence >= 4, interest >= 4))
    assert len(grids) == 12 and all(len(quadrants) == 4 for quadrants in grids.values()), grids
    positions = Counter(StakeholderAssessment.objects.values_list("current_position", flat=True))
    assert set(positions) == {1, 2, 3, 4, 5}


def test_some_key_stakeholders_are_in_engagement_debt_in_every_programme(demo: dt.date) -> None:
    debt = StakeholderAssessment.objects.filter(seeding.key_debt_q(demo, 42, 4))
    per_programme = Counter(debt.values_list("programme__code", flat=True))
    assert len(per_programme) == 12 and min(per_programme.values()) >= seeding.DEBT_PER_PROGRAMME, per_programme
    assert debt.filter(influence=5).exists()
    # Counted by hand for one: behind target, and the last done engagement (if any) more than 42 days ago.
    one = debt.filter(programme__code="CMS").first()
    assert one is not None and one.current_position < one.target_position
    last = one.engagements.filter(status=Engagement.Status.DONE).order_by("-happened_on").first()
    assert last is None or last.happened_on is not None and last.happened_on <= demo - dt.timedelta(days=43)
    # Some, not all: the other key stakeholders behind target were engaged recently.
    key = StakeholderAssessment.objects.filter(influence__gte=4)
    assert debt.count() < key.count() / 3
    recent = Engagement.objects.filter(status=Engagement.Status.DONE, happened_on__gt=demo - dt.timedelta(days=42))
    assert key.filter(engagements__in=recent).distinct().count() > 2 * debt.count()


def test_six_months_of_engagements_planned_done_overdue_and_position_changes(demo: dt.date) -> None:
    done = Engagement.objects.filter(status=Engagement.Status.DONE)
    days = list(done.values_list("happened_on", flat=True))
    assert min(days) >= demo - dt.timedelta(days=seeding.HISTORY_DAYS) and max(days) < demo  # type: ignore[type-var, operator]
    assert done.exclude(key_points="").count() == done.count() and done.exclude(concerns="").exists()
    assert done.filter(position_after__isnull=False).count() > 20
    planned = Engagement.objects.filter(status=Engagement.Status.PLANNED)
    assert planned.filter(planned_on__lt=demo).count() > 10 and planned.filter(planned_on__gt=demo).count() > 100
    assert Engagement.objects.filter(status=Engagement.Status.CANCELLED).exists()
    assert set(done.values_list("method", flat=True)) == set(Engagement.Method.values)
    # The current position is the last change logged.
    for assessment in StakeholderAssessment.objects.filter(engagements__position_after__isnull=False).distinct()[:50]:
        last = assessment.engagements.filter(position_after__isnull=False).order_by("-happened_on", "-pk").first()
        assert last is not None and assessment.current_position == last.position_after


def test_comms_calendars_across_channels_statuses_and_audiences(demo: dt.date) -> None:
    per_programme = Counter(Message.objects.values_list("programme__code", flat=True))
    assert len(per_programme) == 12 and all(10 <= n <= 20 + 3 for n in per_programme.values()), per_programme
    assert set(Message.objects.values_list("channel", flat=True)) == set(Message.Channel.values)
    assert set(Message.objects.values_list("status", flat=True)) == set(Message.Status.values)
    assert not Message.objects.filter(status=Message.Status.SENT, planned_on__gte=demo).exists()
    assert not Message.objects.filter(status=Message.Status.SENT, sent_at__isnull=True).exists()
    assert not Message.objects.filter(status=Message.Status.APPROVED, approved_by__isnull=True, approved_at__isnull=True).exists()
    kinds = set(AudienceRule.objects.values_list("kind", flat=True))
    assert {"unit", "role_group", "impact_line", "assessment", "stakeholder"} <= kinds
    assert Message.objects.filter(audience_size__gt=0).count() == Message.objects.count()
    events = Message.objects.filter(channel=Message.Channel.EVENT)
    assert not events.filter(starts_at__isnull=True).exists() and not events.filter(subject="").exists()


def test_reach_is_what_the_service_resolves(demo: dt.date) -> None:
    seeded = {m.pk: (m.audience_size, sorted(m.reach.values_list("unit_id", "headcount"))) for m in Message.objects.all()}
    for message in Message.objects.all():
        reach_refresh(message, demo)
    resolved = {m.pk: (m.audience_size, sorted(m.reach.values_list("unit_id", "headcount"))) for m in Message.objects.all()}
    assert resolved == seeded


def test_the_central_west_collision_week_is_over_the_limit(demo: dt.date) -> None:
    monday = seeding.collision_week(demo)
    assert monday.weekday() == 0 and dt.timedelta(weeks=2) < monday - demo <= dt.timedelta(weeks=3)
    central_west = Unit.objects.get(name__contains="Central West")
    teams = list(Unit.objects.filter(path__startswith=central_west.path, level=Unit.Level.TEAM)
                 .filter(pk__in=Staff.objects.current(demo).values("unit_id")))
    assert len(teams) >= 10
    week = (monday, monday + dt.timedelta(days=6))
    limit = EngagementPolicy.current().weekly_limit
    for team in teams:
        messages = Message.objects.filter(status__in=COUNTED, planned_on__range=week, reach__unit=team).distinct()
        surveys = Invitation.objects.filter(unit=team, sent_on__range=week).values("waves").distinct().count()
        programmes = set(messages.values_list("programme__code", flat=True))
        assert messages.count() + surveys > limit, (team.name, messages.count(), surveys)
        assert {"CMS", "ROTA", "SSS"} <= programmes, (team.name, programmes)
    # The CMS briefing reaches the staff of one impact line (the "Done means" briefing's audience).
    briefing = Message.objects.get(title__startswith="CMS: Central West pilot go-live briefing")
    assert briefing.audience_rules.get().kind == AudienceRule.Kind.IMPACT_LINE and briefing.audience_size > 100


def test_only_the_small_sent_emails_have_deliveries() -> None:
    with_recipients = Message.objects.filter(recipients__isnull=False).distinct()
    assert set(with_recipients.values_list("programme__code", flat=True)) == set(seeding.SMALL_SENT)
    for message in with_recipients:
        assert message.status == Message.Status.SENT and message.channel == Message.Channel.EMAIL
        recipients = list(message.recipients.select_related("outbox"))
        assert len(recipients) == message.audience_size <= 20
        assert any(r.stakeholder_id for r in recipients) and any(r.staff_id for r in recipients)
        assert all(r.outbox is not None and r.outbox.status == OutboxMessage.Status.SENT and r.outbox.kind == seeding.OUTBOX_KIND
                   and "{first_name}" not in r.outbox.body for r in recipients)
    assert Recipient.objects.count() == OutboxMessage.objects.filter(kind=seeding.OUTBOX_KIND).count()


def test_same_seed_same_rows_other_seed_other_rows(demo: dt.date) -> None:
    first = fingerprint()
    assert seeding.clear_engagement_data()["stakeholders"] > 0
    assert not Stakeholder.objects.exists() and not Message.objects.exists() and not OutboxMessage.objects.filter(kind=seeding.OUTBOX_KIND).exists()
    counts = seeding.seed_engagement(scale="demo", seed=2026, today=demo)
    assert fingerprint() == first
    assert counts["stakeholder_assessments"] == StakeholderAssessment.objects.count()
    seeding.clear_engagement_data()
    seeding.seed_engagement(scale="demo", seed=7, today=demo)
    other = fingerprint()
    assert other["assessments"] != first["assessments"] and other["messages"] != first["messages"]


def test_met_scale_plans_more_messages(demo: dt.date) -> None:
    seeding.clear_engagement_data()
    seeding.seed_engagement(scale="met", seed=2026, today=demo)
    per_programme = Counter(Message.objects.values_list("programme__code", flat=True))
    assert all(15 <= n <= 25 + 3 for n in per_programme.values()), per_programme
    big = Message.objects.filter(audience_size__gt=50)
    assert big.exists() and not Recipient.objects.filter(message__in=big).exists()
