"""The calendar of rectification: everything counts from the day the meeting was held.

- the half-year report (R6.4) is due six months after the meeting;
- quarter n (R6.5) is the n-th three months after the meeting: quarter 1 starts on the meeting day;
- "today" for a cycle is clamped to the end of its rectification tail (`Cycle.tail_ends_on`, 31 December of the year
  after the cycle's year), so that the 2018 cycle is seen as it stood at the end of 2019 and not judged by a later
  calendar; every date of a cycle's rectification (overdue, started quarters, the half-year report) is judged on it.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import timezone

from branch.models import Branch, Cycle

STALE_DAYS = 90


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def half_year_due(held_on: date) -> date:
    return add_months(held_on, 6)


def quarter_start(held_on: date, quarter: int) -> date:
    return add_months(held_on, 3 * (quarter - 1))


def quarter_end(held_on: date, quarter: int) -> date:
    return date.fromordinal(add_months(held_on, 3 * quarter).toordinal() - 1)


def quarters_started(held_on: date, day: date) -> list[int]:
    return [q for q in (1, 2, 3, 4) if quarter_start(held_on, q) <= day]


def today_for(cycle: Cycle, today: date | None = None) -> date:
    """The day pages judge a cycle on: today, but no later than the end of its rectification tail."""
    return min(today or timezone.localdate(), cycle.tail_ends_on)


def meeting_held_on(*, cycle: Cycle, branch: Branch) -> date | None:
    """The day the 组织生活会 was held (meetings.Meeting), or None before it is recorded."""
    from meetings.models import Meeting

    return (
        Meeting.objects.filter(cycle=cycle, branch=branch, held_on__isnull=False)
        .values_list("held_on", flat=True)
        .first()
    )


def meeting_day(*, cycle: Cycle, branch: Branch) -> tuple[date | None, bool]:
    """The meeting's day and whether it was held: the held day, else the planned day (None without a meeting).

    Measures may be set once the meeting is planned (the problems are found before it, R3); the half-year report and
    the quarterly reports count from the day it was held.
    """
    from meetings.models import Meeting

    row = Meeting.objects.filter(cycle=cycle, branch=branch).values_list("held_on", "planned_on").first()
    if row is None:
        return None, False
    held_on, planned_on = row
    return (held_on, True) if held_on else (planned_on, False)
