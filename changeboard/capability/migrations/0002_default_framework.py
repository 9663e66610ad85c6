"""The default change practitioner framework (`capability/seeding.py`): seven
competencies with level descriptors and three practitioner roles with their
requirements."""

from django.db import migrations


def create(apps, schema_editor):
    from changeboard.capability.seeding import write_default

    write_default(apps.get_model("capability", "Framework"), apps.get_model("capability", "Competency"),
                  apps.get_model("capability", "PractitionerRole"), apps.get_model("capability", "Requirement"))


def remove(apps, schema_editor):
    from changeboard.capability.seeding import FRAMEWORK_NAME

    apps.get_model("capability", "Framework").objects.filter(name=FRAMEWORK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("capability", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
