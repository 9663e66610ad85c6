"""Writes to the organisation model, each audited."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from changeboard.accounts.models import User
from changeboard.core import audit

from .models import PATH_SEPARATOR, StaffVersion, Unit, level_for_depth


def staff_version_bump(**_: Any) -> None:
    """Give staff a new version token (`StaffVersion`): call it after writing
    staff rows, in the same transaction, from every writer. Single saves do
    it through `post_save`, the HR import and whatever sends `staff_changed`
    through that signal; bulk writers that send neither (seeds, benchmarks)
    call it themselves."""
    token = uuid.uuid4().hex
    if not StaffVersion.objects.filter(pk=1).update(token=token, changed_at=timezone.now()):  # `update` skips auto_now
        StaffVersion.objects.update_or_create(pk=1, defaults={"token": token})


def unit_code_for_path(path: str) -> str:
    """`U<tree path>`, or a hash of it where that would not fit the column
    (below depth 7)."""
    code = f"U{path}"
    limit = cast(int, Unit._meta.get_field("code").max_length)
    if len(code) <= limit:
        return code
    return "U" + hashlib.sha1(path.encode("ascii"), usedforsecurity=False).hexdigest()[: limit - 1].upper()


@transaction.atomic
def unit_create(*, name: str, actor: User | None, parent: Unit | None = None, code: str = "", level: str = "") -> Unit:
    """Add a unit under `parent` (or as the root). The code defaults to one
    derived from the tree position; the level from the depth."""
    name = name.strip()
    full_path = f"{parent.full_path}{PATH_SEPARATOR}{name}" if parent else name
    depth = (parent.depth + 1) if parent else 1
    fields = {"name": name, "full_path": full_path, "level": level or level_for_depth(depth), "code": code or f"tmp-{full_path}"[:30]}
    unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
    if not code:
        unit.code = unit_code_for_path(unit.path)
        unit.save(update_fields=["code"])
    audit.record(actor=actor, action="create", obj=unit, after=audit.snapshot(unit))
    return unit


def unit_ensure_path(*, full_path: str, actor: User | None, known: dict[str, Unit] | None = None) -> Unit:
    """The unit named by a ' > ' path, creating missing units on the way.
    `known` caches units by full path across calls (imports pass one)."""
    cache = known if known is not None else {}
    parent: Unit | None = None
    walked: list[str] = []
    for name in [part.strip() for part in full_path.split(PATH_SEPARATOR.strip())]:
        walked.append(name)
        key = PATH_SEPARATOR.join(walked)
        unit = cache.get(key) or Unit.objects.filter(full_path=key).first()
        if unit is None:
            unit = unit_create(name=name, parent=parent, actor=actor)
        cache[key] = unit
        parent = unit
    assert parent is not None
    return parent
