"""The force's ranks and grades, so an HR import can check them from day one."""

from django.db import migrations

RANKS = [
    ("officer", "PC", "Police Constable"),
    ("officer", "DC", "Detective Constable"),
    ("officer", "PS", "Police Sergeant"),
    ("officer", "DS", "Detective Sergeant"),
    ("officer", "INSP", "Inspector"),
    ("officer", "DI", "Detective Inspector"),
    ("officer", "CI", "Chief Inspector"),
    ("officer", "DCI", "Detective Chief Inspector"),
    ("officer", "SUPT", "Superintendent"),
    ("officer", "DSU", "Detective Superintendent"),
    ("officer", "CSUPT", "Chief Superintendent"),
    ("officer", "CMDR", "Commander"),
    ("officer", "DAC", "Deputy Assistant Commissioner"),
    ("officer", "AC", "Assistant Commissioner"),
    ("officer", "DEPCOMM", "Deputy Commissioner"),
    ("officer", "COMM", "Commissioner"),
    ("staff", "PCSO", "Police Community Support Officer"),
    ("staff", "BAND-E", "Band E"),
    ("staff", "BAND-D", "Band D"),
    ("staff", "BAND-C", "Band C"),
    ("staff", "BAND-B", "Band B"),
    ("staff", "BAND-A", "Band A"),
    ("staff", "SPS", "Senior Police Staff"),
    ("other", "SC", "Special Constable"),
    ("other", "CONTRACTOR", "Contractor"),
]


def add(apps, schema_editor):
    RankGrade = apps.get_model("organisation", "RankGrade")
    for order, (kind, code, name) in enumerate(RANKS):
        RankGrade.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "order": order})


def remove(apps, schema_editor):
    apps.get_model("organisation", "RankGrade").objects.filter(code__in=[c for _, c, _ in RANKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
