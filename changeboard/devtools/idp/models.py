"""What the provider knows of a person beyond Django's user: the staff
number it sends as the `employeeid` claim (Entra's name for it)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class Person(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    employeeid = models.CharField(max_length=40, blank=True)

    objects: ClassVar[models.Manager[Person]] = models.Manager()
