"""Background work for the Programme Board: tasks take ids and call `packs`."""

from __future__ import annotations

from django.tasks import task


@task
def build_pack(pack_id: int) -> str:
    """Generate one requested board pack (HTML, PDF, XLSX) and notify the Board."""
    from .packs import pack_build

    return pack_build(pack_id)
