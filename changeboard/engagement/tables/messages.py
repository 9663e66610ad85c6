import django_tables2 as tables

from ..models import Message


class MessageTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name="Message")
    programme = tables.Column(accessor="programme__code", verbose_name="Programme")
    channel = tables.Column()
    planned_on = tables.DateColumn(verbose_name="Planned", format="j M Y")
    owner = tables.Column(accessor="owner", verbose_name="Owner", orderable=False)
    status = tables.Column()
    audience_size = tables.Column(verbose_name="Audience", attrs={"td": {"class": "govuk-table__cell--numeric"}})

    class Meta:
        model = Message
        fields = ["title", "programme", "channel", "planned_on", "owner", "status", "audience_size"]
        order_by = ("planned_on",)
        empty_text = "No messages match these filters."

    def render_owner(self, value: object) -> str:
        return str(getattr(value, "get_full_name", lambda: "")() or value)
