"""Users, their role and their scope."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from changeboard.core.scoping import ScopedQuerySet


class Role(models.TextChoices):
    ADMIN = "admin", "Portfolio admin"
    CHANGE_MANAGER = "change_manager", "Change manager"
    BOARD = "board", "Programme Board member"
    CHAMPION = "champion", "Change champion"
    AUDITOR = "auditor", "Auditor"


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # a dynamic base django-stubs cannot follow
    pass


class User(AbstractUser):
    """A Changeboard account. `role` sets what kinds of thing it may touch;
    `programmes` (change managers) and `units` (champions) set which."""

    role_actions = {"auditor": {"view"}}

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BOARD)
    programmes = models.ManyToManyField(
        "portfolio.Programme", blank=True, related_name="scoped_users",
        help_text="For change managers: the programmes they lead and may edit.",
    )
    units = models.ManyToManyField(
        "organisation.Unit", blank=True, related_name="scoped_users",
        help_text="For change champions: the units (with everything below them) they look after.",
    )
    is_demo = models.BooleanField(default=False, help_text="Created by the demo seed; production refuses to start while any exist.")
    oidc_subject = models.CharField(
        max_length=255, unique=True, null=True, blank=True, editable=False,
        help_text="The identity provider's subject (`sub`) for this person: how single sign-on finds the account again.",
    )
    staff = models.OneToOneField(
        "organisation.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="account", editable=False,
        help_text="The HR record this account belongs to, linked at single sign-on by email or staff number.",
    )
    break_glass = models.BooleanField(
        default=False, verbose_name="Break-glass account",
        help_text="May sign in with a password while single sign-on is on (LOCAL_PASSWORD_LOGIN=break-glass). Keep to one or two admins.",
    )

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("user-detail", args=[self.pk])

    @property
    def is_portfolio_admin(self) -> bool:
        return self.role == Role.ADMIN


# How roles rank when several claim rules match one person: the one that may
# change the most wins (an admin over a change manager over a champion over a
# Board member over an auditor).
ROLE_RANK = {Role.ADMIN: 5, Role.CHANGE_MANAGER: 4, Role.CHAMPION: 3, Role.BOARD: 2, Role.AUDITOR: 1}


class ClaimRuleQuerySet(ScopedQuerySet):
    def matching(self, values: list[str]) -> ClaimRuleQuerySet:
        """The active rules whose claim value is one of `values` (exact, as
        Entra sends app roles and group ids)."""
        return self.filter(is_active=True, claim_value__in=values)


class ClaimRule(models.Model):
    """Maps one value of the identity provider's roles (or groups) claim to a
    Changeboard role and scope. At every single sign-on the person's role and
    scope are set from the rules their claim values match; none matching
    means no access."""

    role_actions = {"auditor": {"view"}}

    claim_value = models.CharField(
        max_length=200, unique=True,
        help_text="The value exactly as the identity provider sends it in the roles claim, for example Changeboard.ChangeManager.CMS.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    programmes = models.ManyToManyField(
        "portfolio.Programme", blank=True, related_name="claim_rules",
        help_text="For change managers: the programmes people with this claim lead.",
    )
    units = models.ManyToManyField(
        "organisation.Unit", blank=True, related_name="claim_rules",
        help_text="For change champions: the units (with everything below them) people with this claim look after.",
    )
    description = models.CharField(max_length=300, blank=True, help_text="Who carries this claim, in words, for the next admin.")
    is_active = models.BooleanField(default=True, verbose_name="Active", help_text="An inactive rule grants nothing at the next sign-in.")

    objects = ClaimRuleQuerySet.as_manager()

    class Meta:
        ordering = ["claim_value"]

    def __str__(self) -> str:
        return self.claim_value

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("claim-rule-detail", args=[self.pk])
