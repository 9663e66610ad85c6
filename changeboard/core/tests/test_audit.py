"""The audit trail only takes actions its filter lists."""

from __future__ import annotations

import pytest

from changeboard.core import audit
from changeboard.core.models import AuditEntry


def test_every_action_written_is_one_the_filter_lists() -> None:
    assert "download" in AuditEntry.Action.values
    assert audit.build(actor=None, action="download", object_type="reports.boardpack").action == "download"
    with pytest.raises(ValueError, match="Unlisted audit action 'export'"):
        audit.build(actor=None, action="export", object_type="reports.boardpack")
