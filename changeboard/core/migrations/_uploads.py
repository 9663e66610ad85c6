"""Moving rows between an import's own upload model and core.PendingUpload,
for the migrations that replaced StaffImport, ImpactImport and
ResponseImport with one table. Not a migration itself (the loader skips
names starting with an underscore). Used only through historical models,
so it must keep working for those migrations as they are: do not change
what it does.
"""

from __future__ import annotations

from typing import Any

COPIED = ("token", "uploaded_by_id", "original_filename", "content", "result")


def to_pending_uploads(app_label: str, model_name: str, kind: str, *, target: str | None = None, done: str = "committed") -> Any:
    """A RunPython function copying every row of `app_label.model_name` into
    PendingUpload as `kind`: its `target` foreign key becomes `target_id`,
    its status `done` becomes "committed", and `created` is kept. A token
    already in PendingUpload (copied, then migrated back) is updated."""

    def forward(apps: Any, schema_editor: Any) -> None:
        old = apps.get_model(app_label, model_name)
        new = apps.get_model("core", "PendingUpload")
        db = schema_editor.connection.alias
        has_mapping = any(f.name == "mapping" for f in old._meta.get_fields())
        for row in old.objects.using(db).order_by("pk").iterator(chunk_size=20):
            # By token: a row copied before (then migrated back) is brought up to date, not repeated.
            upload, _ = new.objects.using(db).update_or_create(
                token=row.token,
                defaults={
                    "kind": kind,
                    "target_id": getattr(row, f"{target}_id") if target else None,
                    "status": "committed" if row.status == done else row.status,
                    "mapping": row.mapping if has_mapping else {},
                    **{name: getattr(row, name) for name in COPIED if name != "token"},
                },
            )
            new.objects.using(db).filter(pk=upload.pk).update(created=row.created)  # not the auto_now_add of today

    return forward


def from_pending_uploads(app_label: str, model_name: str, kind: str, *, target: str | None = None, done: str = "committed") -> Any:
    """The reverse: copy the uploads of `kind` back into the recreated
    `app_label.model_name`, skipping any whose target no longer exists.
    PendingUpload keeps its rows (reversing core's migration drops them;
    migrating forward again updates them from the old table)."""

    def backward(apps: Any, schema_editor: Any) -> None:
        old = apps.get_model(app_label, model_name)
        new = apps.get_model("core", "PendingUpload")
        db = schema_editor.connection.alias
        has_mapping = any(f.name == "mapping" for f in old._meta.get_fields())
        rows = new.objects.using(db).filter(kind=kind).order_by("pk")
        if target:
            targets = old._meta.get_field(target).related_model.objects.using(db)
            rows = rows.filter(target_id__in=targets.values("pk"))
        for row in rows.iterator(chunk_size=20):
            extra: dict[str, Any] = {f"{target}_id": row.target_id} if target else {}
            if has_mapping:
                extra["mapping"] = row.mapping
            restored = old.objects.using(db).create(
                status=done if row.status == "committed" else row.status,
                **extra,
                **{name: getattr(row, name) for name in COPIED},
            )
            old.objects.using(db).filter(pk=restored.pk).update(created=row.created)

    return backward
