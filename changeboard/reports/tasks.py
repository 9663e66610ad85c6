"""Background work for the Programme Board: tasks take ids and call `packs`."""

from __future__ import annotations

from django.tasks import task


@task
def build_pack(pack_id: int, notify: bool = True) -> str:
    """Generate one requested board pack (HTML, PDF, XLSX) and, unless
    `notify` is false (the bench), notify the Board."""
    from .packs import pack_build

    return pack_build(pack_id, notify=notify)
