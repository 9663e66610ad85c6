# The staff uploads move to core.PendingUpload (kind "staff"), one table for
# every import's pending uploads.

from django.db import migrations

from changeboard.core.migrations._uploads import from_pending_uploads, to_pending_uploads


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0004_staff_absent_until'),
        ('core', '0004_pending_upload'),
    ]

    operations = [
        migrations.RunPython(
            to_pending_uploads('organisation', 'StaffImport', 'staff'),
            from_pending_uploads('organisation', 'StaffImport', 'staff'),
        ),
        migrations.DeleteModel(
            name='StaffImport',
        ),
    ]
