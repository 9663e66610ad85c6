# The hypercare service-desk import's upload kind (choices only: no table changes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_cutover_imports'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pendingupload',
            name='kind',
            field=models.CharField(choices=[('staff', 'HR staff'), ('impact-lines', 'Impact lines'), ('survey-responses', 'Survey responses'), ('training-records', 'Training records'), ('cutover-tasks', 'Runbook tasks (spreadsheet)'), ('cutover-mspdi', 'Runbook tasks (MS Project XML)'), ('hypercare-queries', 'Hypercare queries')], max_length=20),
        ),
    ]
