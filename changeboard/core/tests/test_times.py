"""Times as people read them (`core.times` and the `london` template filters)."""

import datetime as dt

from django.template import Context, Template

from changeboard.core import times

UTC = dt.UTC


def test_minutes_text() -> None:
    assert [times.minutes_text(m) for m in (0, 40, 60, 95, 135, -95)] == ["0 min", "40 min", "1 h", "1 h 35 min", "2 h 15 min",
                                                                         "-1 h 35 min"]


def test_zone_follows_the_clock_change() -> None:
    winter = dt.datetime(2027, 3, 6, 14, 30, tzinfo=UTC)
    summer = dt.datetime(2027, 7, 6, 13, 30, tzinfo=UTC)
    assert times.clock(winter) == "14:30 GMT" and times.clock(summer) == "14:30 BST"
    assert times.day_clock(summer) == "Tue 14:30 BST"
    assert times.when(winter) == "Sat 6 Mar 2027 14:30 GMT"
    assert times.day_and_time(summer) == "6 Jul 2027 14:30 BST"
    assert times.day_and_time(summer.isoformat()) == "6 Jul 2027 14:30 BST"
    assert [times.clock(None), times.when(None), times.day_and_time(None), times.day_and_time("")] == ["", "", "", ""]


def test_soon_is_short_within_the_week() -> None:
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday
    assert times.soon(dt.datetime(2027, 3, 1, 15, 0, tzinfo=UTC), now) == "today 15:00 GMT"
    assert times.soon(dt.datetime(2027, 3, 2, 15, 0, tzinfo=UTC), now) == "Tue 15:00 GMT"
    assert times.soon(dt.datetime(2027, 3, 8, 15, 0, tzinfo=UTC), now) == "Mon 8 Mar 2027 15:00 GMT"
    assert times.soon(dt.datetime(2027, 2, 28, 15, 0, tzinfo=UTC), now) == "Sun 28 Feb 2027 15:00 GMT"


def test_template_filters() -> None:
    moment = dt.datetime(2027, 7, 6, 13, 30, tzinfo=UTC)
    html = Template("{% load london %}{{ m|clock }}|{{ m|day_clock }}|{{ m|when }}|{{ m|london_datetime }}|{{ 95|minutes }}|"
                    "{{ none|minutes }}|{{ none|london_time }}").render(Context({"m": moment, "none": None}))
    assert html == "14:30 BST|Tue 14:30 BST|Tue 6 Jul 2027 14:30 BST|6 Jul 2027 14:30 BST|1 h 35 min||"
