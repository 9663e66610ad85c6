"""A training-fed status of a unit with fewer than five staff in post keeps
no colour: the statuses stored before that rule become "not enough data"
(their value, "Fewer than 5 staff", already hid the counts)."""

from django.db import migrations


def forwards(apps, schema_editor):
    CriterionStatus = apps.get_model("readiness", "CriterionStatus")
    CriterionStatus.objects.filter(criterion__feed="training", value="Fewer than 5 staff").exclude(rag="no_data").update(rag="no_data")


class Migration(migrations.Migration):
    dependencies = [("readiness", "0004_unit_score_top")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
