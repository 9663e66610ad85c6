"""Staged import uploads move from a database column to files in the shared
storage (Django's storage API: the file system or S3). The pending ones'
bytes are written to the storage; committed ones held none. Going back
reads them in again."""

from django.core.files.base import ContentFile
from django.db import migrations, models

import changeboard.core.models


def bytes_to_storage(apps, schema_editor):
    """One upload at a time; should the migration fail, the files written so
    far are removed again, as the rows roll back."""
    PendingUpload = apps.get_model("core", "PendingUpload")
    written = []
    try:
        for pk in list(PendingUpload.objects.exclude(content=b"").values_list("pk", flat=True).order_by("pk")):
            upload = PendingUpload.objects.get(pk=pk)
            upload.file.save("upload", ContentFile(bytes(upload.content)), save=False)
            written.append(upload.file.name)
            upload.save(update_fields=["file"])
    except BaseException:
        storage = PendingUpload._meta.get_field("file").storage
        for name in written:
            storage.delete(name)
        raise


def storage_to_bytes(apps, schema_editor):
    """Read each upload's file back into the column (the file stays)."""
    PendingUpload = apps.get_model("core", "PendingUpload")
    for pk in list(PendingUpload.objects.exclude(file="").values_list("pk", flat=True).order_by("pk")):
        upload = PendingUpload.objects.get(pk=pk)
        with upload.file.open("rb") as handle:
            upload.content = handle.read()
        upload.save(update_fields=["content"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0010_outbox_alternatives_stakeholder_import"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pendingupload",
            name="content",
            field=models.BinaryField(default=b"", help_text="The uploaded file; emptied once committed."),
        ),
        migrations.AddField(
            model_name="pendingupload",
            name="file",
            field=models.FileField(blank=True, help_text="The uploaded file, in the storage; removed once committed.", max_length=200,
                                   upload_to=changeboard.core.models.pending_upload_path),
        ),
        migrations.RunPython(bytes_to_storage, storage_to_bytes, elidable=False),
        migrations.RemoveField(model_name="pendingupload", name="content"),
    ]
