# The cutover runbook imports' upload kinds (choices only: no table changes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_pendingupload_sheet"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pendingupload",
            name="kind",
            field=models.CharField(choices=[("staff", "HR staff"), ("impact-lines", "Impact lines"), ("survey-responses", "Survey responses"), ("training-records", "Training records"), ("cutover-tasks", "Runbook tasks (spreadsheet)"), ("cutover-mspdi", "Runbook tasks (MS Project XML)")], max_length=20),
        ),
    ]
