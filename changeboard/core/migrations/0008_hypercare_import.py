# The hypercare service-desk import's upload kind (choices only: no table changes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_pendingupload_sheet'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pendingupload',
            name='kind',
            field=models.CharField(choices=[('staff', 'HR staff'), ('impact-lines', 'Impact lines'), ('survey-responses', 'Survey responses'), ('training-records', 'Training records'), ('hypercare-queries', 'Hypercare queries')], max_length=20),
        ),
    ]
