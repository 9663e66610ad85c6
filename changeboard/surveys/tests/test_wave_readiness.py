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


def test_launch_and_close_need_confirmation(client: Any, s: Surveys) -> None:  # noqa: F811
    from changeboard.surveys.models import SurveyWave

    c = _client(client, s.world, "lead")
    page = c.get(reverse("wave-detail", args=[s.draft.pk])).content.decode()
    assert reverse("wave-confirm", args=[s.draft.pk, "launch"]) in page
    assert reverse("wave-action", args=[s.draft.pk, "launch"]) not in page  # no one-click form on the wave page
    # A post without the confirmation's answer changes nothing and asks.
    response = c.post(reverse("wave-action", args=[s.draft.pk, "launch"]))
    assert response.status_code == 302 and response["Location"] == reverse("wave-confirm", args=[s.draft.pk, "launch"])
    s.draft.refresh_from_db()
    assert s.draft.status == SurveyWave.Status.DRAFT
    confirm = c.get(response["Location"]).content.decode()
    assert "Launch AAA draft?" in confirm and "would be deferred by the contact budget" in confirm
    assert 'name="confirm" value="yes"' in confirm and "Yes, launch the wave" in confirm
    c.post(reverse("wave-action", args=[s.draft.pk, "launch"]), {"confirm": "yes"})
    s.draft.refresh_from_db()
    assert s.draft.status != SurveyWave.Status.DRAFT
    # Closing, likewise.
    assert c.post(reverse("wave-action", args=[s.open.pk, "close"]))["Location"] == reverse("wave-confirm", args=[s.open.pk, "close"])
    s.open.refresh_from_db()
    assert s.open.status == SurveyWave.Status.OPEN
    confirm = c.get(reverse("wave-confirm", args=[s.open.pk, "close"])).content.decode()
    assert "Close AAA pulse?" in confirm and "Closing is final" in confirm
    c.post(reverse("wave-action", args=[s.open.pk, "close"]), {"confirm": "yes"})
    s.open.refresh_from_db()
    assert s.open.status == SurveyWave.Status.CLOSED
    # A wave already closed cannot be confirmed again: back to its page.
    assert c.get(reverse("wave-confirm", args=[s.open.pk, "close"]))["Location"] == s.open.get_absolute_url()
