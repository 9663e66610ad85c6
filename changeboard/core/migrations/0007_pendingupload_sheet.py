# The file as read, kept with a pending upload so previews do not read it again.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_pending_upload_training_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingupload",
            name="sheet",
            field=models.BinaryField(
                blank=True, default=b"",
                help_text="The file as read (core.tabular.Sheet, compressed JSON), so it is read once per upload; emptied once committed.",
            ),
        ),
    ]
