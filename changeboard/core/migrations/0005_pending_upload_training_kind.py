# The training import's upload kind becomes a proper choice (choices only: no table changes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_pending_upload'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pendingupload',
            name='kind',
            field=models.CharField(choices=[('staff', 'HR staff'), ('impact-lines', 'Impact lines'), ('survey-responses', 'Survey responses'), ('training-records', 'Training records')], max_length=20),
        ),
    ]
