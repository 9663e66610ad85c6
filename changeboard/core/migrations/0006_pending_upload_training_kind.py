# The training import's upload kind becomes a proper choice (choices only: no table changes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_audit_download_action'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pendingupload',
            name='kind',
            field=models.CharField(choices=[('staff', 'HR staff'), ('impact-lines', 'Impact lines'), ('survey-responses', 'Survey responses'), ('training-records', 'Training records')], max_length=20),
        ),
    ]
