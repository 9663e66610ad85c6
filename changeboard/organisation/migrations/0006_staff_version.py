import uuid

from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("organisation", "StaffVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0005_pending_upload'),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=32)),
                ('changed_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
