"""Issue 18: a closed wave's page and the programme's readiness scores page
show the same figures for the same wave and unit, and the closing date of a
wave closed early is the day it closed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from changeboard.core.tests.test_permissions import _client
from changeboard.surveys import services
from changeboard.surveys.models import Invitation

from .test_pages import Surveys, s  # noqa: F401  (the fixture)


def test_wave_page_and_scores_page_agree(client: Any, s: Surveys, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    tokens = list(Invitation.objects.filter(waves=s.open, used=False).order_by("pk").values_list("token", flat=True))
    for i, token in enumerate(tokens):
        services.submit(token=token, data=s.answers(token, "5" if i % 2 else "4"))
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds the roll-ups on close
        services.wave_close(wave=s.open, actor=None)
    s.open.refresh_from_db()
    assert s.open.closes_on == s.today  # closed early: the day it closed, not the planned date
    c = _client(client, s.world, "admin")
    wave_page = c.get(reverse("wave-detail", args=[s.open.pk]) + f"?unit={s.world.westminster.pk}")
    scores_page = c.get(reverse("programme-scores", args=[s.world.programme_a.pk]),
                        {"unit": s.world.westminster.pk, "wave": s.open.pk})
    ours = [(r["label"], r["shown"], r["index"], r["responses"], r["means"]) for r in wave_page.context["readiness_rows"]]
    theirs = [(r.label, d["shown"], d["index"], d["responses"], [d["means"][e] for e in d["means"]])
              for r in scores_page.context["chosen"].all_rows() for d in [r.as_dict()]]
    assert ours and ours == theirs
    shown = [row for row in ours if row[1]]
    assert shown, ours
    html = wave_page.content.decode()
    closed = f"closed {s.today:%-d %b %Y}"
    assert closed in html and closed in scores_page.content.decode()
    assert f"{shown[0][2]:.1f}" in html  # the readiness index is on the wave page too


def test_launch_estimate_counts_deferrals(client: Any, s: Surveys) -> None:  # noqa: F811
    """The draft reaches the team the open wave of the same programme has just
    invited: the contact budget would defer them, so they are shown as
    deferred and not counted as invited; launching defers exactly those."""
    estimate = services.audience_estimate(s.draft, s.today)
    invited = Invitation.objects.filter(waves=s.open).count()
    assert invited and estimate["deferred"] == invited
    assert estimate["to_invite"] == estimate["eligible"] - invited - estimate["without_email"]
    page = _client(client, s.world, "admin").get(reverse("wave-detail", args=[s.draft.pk])).content.decode()
    assert f"<strong>{estimate['to_invite']}</strong> of {estimate['eligible']} eligible" in page
    assert f"<strong>{invited}</strong> people would be deferred by the contact budget" in page
    services.wave_launch(wave=s.draft, actor=None)
    services.open_due(s.today)
    assert s.draft.deferrals.count() == estimate["deferred"]
    assert Invitation.objects.filter(waves=s.draft).count() == estimate["to_invite"]
