"""Board packs' PDF and XLSX move from database columns to files in the
shared storage (Django's storage API: the file system or S3), so several
machines serve them and the table stays small. Existing bytes are written
to the storage and stay downloadable; going back reads them in again."""

from django.core.files.base import ContentFile
from django.db import migrations, models

import changeboard.reports.models

KINDS = ("pdf", "xlsx")


def bytes_to_storage(apps, schema_editor):
    """Write each pack's stored bytes as a file (one pack at a time, so a
    large history is never all in memory). Should the migration fail, the
    files written so far are removed again, as the rows roll back."""
    BoardPack = apps.get_model("reports", "BoardPack")
    written = []
    try:
        holding = BoardPack.objects.filter(models.Q(pdf_data__isnull=False) | models.Q(xlsx_data__isnull=False))
        for pk in list(holding.values_list("pk", flat=True).order_by("pk")):
            pack = BoardPack.objects.get(pk=pk)
            for kind in KINDS:
                data = getattr(pack, f"{kind}_data")
                if data is None:
                    continue
                data = bytes(data)
                getattr(pack, kind).save(f"board-pack-{pack.as_of.isoformat()}.{kind}", ContentFile(data), save=False)
                written.append((getattr(pack, kind).storage, getattr(pack, kind).name))
                setattr(pack, f"{kind}_size", len(data))
            pack.save(update_fields=[*KINDS, *(f"{kind}_size" for kind in KINDS)])
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def storage_to_bytes(apps, schema_editor):
    """Read each pack's files back into the columns (the files are left in
    the storage: going back must not lose them)."""
    BoardPack = apps.get_model("reports", "BoardPack")
    for pk in list(BoardPack.objects.exclude(pdf="", xlsx="").values_list("pk", flat=True).order_by("pk")):
        pack = BoardPack.objects.get(pk=pk)
        for kind in KINDS:
            field_file = getattr(pack, kind)
            if field_file:
                with field_file.open("rb") as handle:
                    setattr(pack, f"{kind}_data", handle.read())
        pack.save(update_fields=[f"{kind}_data" for kind in KINDS])


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_pack_started_at_one_live_scheduled"),
    ]

    operations = [
        migrations.RenameField(model_name="boardpack", old_name="pdf", new_name="pdf_data"),
        migrations.RenameField(model_name="boardpack", old_name="xlsx", new_name="xlsx_data"),
        migrations.AddField(
            model_name="boardpack",
            name="pdf",
            field=models.FileField(blank=True, editable=False, max_length=200, upload_to=changeboard.reports.models.pack_file_path),
        ),
        migrations.AddField(
            model_name="boardpack",
            name="xlsx",
            field=models.FileField(blank=True, editable=False, max_length=200, upload_to=changeboard.reports.models.pack_file_path),
        ),
        migrations.AddField(
            model_name="boardpack",
            name="pdf_size",
            field=models.PositiveBigIntegerField(default=0, editable=False, help_text="The PDF's size in bytes, so pages need not ask the storage."),
        ),
        migrations.AddField(
            model_name="boardpack",
            name="xlsx_size",
            field=models.PositiveBigIntegerField(default=0, editable=False, help_text="The XLSX's size in bytes."),
        ),
        migrations.RunPython(bytes_to_storage, storage_to_bytes, elidable=False),
        migrations.RemoveField(model_name="boardpack", name="pdf_data"),
        migrations.RemoveField(model_name="boardpack", name="xlsx_data"),
    ]
