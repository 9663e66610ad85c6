"""Signals other apps listen to, so the organisation app need not know them."""

from django.dispatch import Signal

# Sent after staff rows were created, updated or marked as leavers in bulk
# (an HR import commit). Receivers refresh whatever they derive from staff.
staff_changed = Signal()


def connect_staff_version() -> None:
    """Every write of staff changes the staff version (`StaffVersion`):
    single saves and deletes (cascades included), and bulk writes announced
    with `staff_changed`."""
    from django.db.models.signals import post_delete, post_save

    from .models import Staff
    from .services import staff_version_bump

    post_save.connect(staff_version_bump, sender=Staff, dispatch_uid="organisation-staff-version-save")
    post_delete.connect(staff_version_bump, sender=Staff, dispatch_uid="organisation-staff-version-delete")
    staff_changed.connect(staff_version_bump, dispatch_uid="organisation-staff-version-bulk")
