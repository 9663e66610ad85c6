import django_tables2 as tables

from .models import Staff


class StaffTable(tables.Table):
    staff_number = tables.Column(linkify=True, verbose_name="Staff number")
    last_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    unit = tables.Column(order_by=("unit__path",))
    role = tables.Column()
    rank_grade = tables.Column(verbose_name="Rank or grade", order_by=("rank_grade__kind", "rank_grade__order"))
    location = tables.Column()

    class Meta:
        model = Staff
        fields = ["staff_number", "last_name", "unit", "role", "rank_grade", "location"]
        empty_text = "No staff match these filters."

    def render_last_name(self, record: Staff) -> str:
        return record.full_name
