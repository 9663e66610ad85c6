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
