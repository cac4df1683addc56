"""Builders for rectification tests.

The meeting (R4) and the problems/talks (R2, R3) are created through their models: the meetings services are being written
by another step at the same time, and rectification only reads those rows.
"""

from __future__ import annotations

from datetime import date

from meetings.models import Meeting, Problem, Talk
from rectification import services
from rectification.models import Means
from tests import factories

HELD_ON = date(2019, 1, 18)
TODAY = date(2019, 12, 31)


def hold_meeting(w, cycle, held_on=HELD_ON) -> Meeting:
    return Meeting.objects.create(
        cycle=cycle, branch=w.branch, planned_on=held_on, held_on=held_on, place="活动室"
    )


def problem(w, cycle, text="三会一课不按时召开") -> Problem:
    return Problem.objects.create(cycle=cycle, branch=w.branch, area=Problem.Area.ORG_LIFE, text=text)


def talk(w, cycle, opinion="希望支部多走访困难户") -> Talk:
    return Talk.objects.create(
        cycle=cycle,
        branch=w.branch,
        held_on=date(2019, 1, 5),
        by=w.secretary,
        with_member=w.members[0],
        opinions_on_branch=opinion,
    )


def measure(w, cycle, *, due_on=date(2019, 6, 30), text="每月按时召开主题党日", problems=None):
    return services.measure_create(
        cycle=cycle,
        branch=w.branch,
        text=text,
        responsible=w.secretary,
        due_on=due_on,
        problems=problems if problems is not None else [problem(w, cycle)],
        created_on=HELD_ON,
    )


def public_and_filed(w, cycle):
    services.publicity_record(
        cycle=cycle, branch=w.branch, published_on=date(2019, 1, 25), means=Means.BOARD, today=TODAY
    )
    return services.filing_submit(cycle=cycle, branch=w.branch, filed_on=date(2019, 1, 28), today=TODAY)


def rectifying_world(cycle, *, township_=None, members=1):
    """A branch whose meeting was held on 2019-01-18 and that has one measure."""
    w = factories.world(members=members, township_=township_, logins=township_ is None)
    hold_meeting(w, cycle)
    measure(w, cycle)
    return w
