import django_tables2 as tables

from .models import Programme


class ProgrammeTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column()
    phase = tables.Column()
    status = tables.Column()
    change_lead = tables.Column(verbose_name="Change lead", order_by=("change_lead__last_name",))
    next_go_live = tables.DateColumn(verbose_name="Next go-live", format="j M Y", default="None planned")

    class Meta:
        model = Programme
        fields = ["code", "name", "phase", "status", "change_lead", "next_go_live"]
        empty_text = "No programmes match these filters."
