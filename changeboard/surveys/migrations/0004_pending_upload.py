# The survey response uploads move to core.PendingUpload (kind
# "survey-responses", the wave as target_id; status "done" becomes
# "committed"), one table for every import's pending uploads.

from django.db import migrations

from changeboard.core.migrations._uploads import from_pending_uploads, to_pending_uploads


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_invitation_settled'),
        ('core', '0004_pending_upload'),
    ]

    operations = [
        migrations.RunPython(
            to_pending_uploads('surveys', 'ResponseImport', 'survey-responses', target='wave', done='done'),
            from_pending_uploads('surveys', 'ResponseImport', 'survey-responses', target='wave', done='done'),
        ),
        migrations.DeleteModel(
            name='ResponseImport',
        ),
    ]
