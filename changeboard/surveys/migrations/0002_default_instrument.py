"""The portfolio's default readiness instrument: two agreement items per
ADKAR element, an overall 0 to 10 readiness scale and one free-text item,
worded for police officers and staff."""

from django.db import migrations

QUESTIONS = [
    ("aw-why", "likert", "awareness", "I understand why this change is happening."),
    ("aw-what", "likert", "awareness", "I know what will change for me and my team, and when."),
    ("de-support", "likert", "desire", "I support this change."),
    ("de-benefit", "likert", "desire", "I can see how this change will help me, my colleagues or the public."),
    ("kn-how", "likert", "knowledge", "I know how to do my job the new way, or where to find out."),
    ("kn-training", "likert", "knowledge", "The training and briefings I have had, or have booked, will get me ready."),
    ("ab-confident", "likert", "ability", "I am confident I could work the new way on a busy shift."),
    ("ab-time", "likert", "ability", "I have had, or will get, time away from duties to learn and practise."),
    ("re-help", "likert", "reinforcement", "I know where to get help once the change goes live."),
    ("re-leaders", "likert", "reinforcement", "My supervisors and managers will back the new way of working."),
    ("overall", "scale", "", "Overall, how ready do you feel for this change?"),
    ("one-thing", "text", "", "What one thing would most help you get ready?"),
]
HINTS = {
    "overall": "0 means not at all ready, 10 means completely ready.",
    "one-thing": "Please do not include names or anything that could identify you or others.",
}


def create(apps, schema_editor):
    Question = apps.get_model("surveys", "Question")
    Instrument = apps.get_model("surveys", "Instrument")
    InstrumentItem = apps.get_model("surveys", "InstrumentItem")
    instrument = Instrument.objects.create(name="Readiness survey", is_default=True)
    for position, (code, kind, adkar, text) in enumerate(QUESTIONS, start=1):
        question = Question.objects.create(code=code, kind=kind, adkar=adkar, text=text, hint=HINTS.get(code, ""))
        InstrumentItem.objects.create(instrument=instrument, question=question, position=position)


def remove(apps, schema_editor):
    apps.get_model("surveys", "Instrument").objects.filter(is_default=True, programme__isnull=True).delete()
    apps.get_model("surveys", "Question").objects.filter(code__in=[q[0] for q in QUESTIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
