# The impact spreadsheet uploads move to core.PendingUpload (kind
# "impact-lines", the assessment as target_id), one table for every
# import's pending uploads.

from django.db import migrations

from changeboard.core.migrations._uploads import from_pending_uploads, to_pending_uploads


class Migration(migrations.Migration):

    dependencies = [
        ('impacts', '0003_wave_protect'),
        ('core', '0004_pending_upload'),
    ]

    operations = [
        migrations.RunPython(
            to_pending_uploads('impacts', 'ImpactImport', 'impact-lines', target='assessment'),
            from_pending_uploads('impacts', 'ImpactImport', 'impact-lines', target='assessment'),
        ),
        migrations.DeleteModel(
            name='ImpactImport',
        ),
    ]
