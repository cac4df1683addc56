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


# ---------------------------------------------------------------- two years at once (issue 11)


def open_2019():
    """The next year opened, as the township does from its page."""
    from branch import services as branch_services

    return branch_services.cycle_create(year=2019, deadline=date(2020, 3, 20))


def held_and_fixed(w, cycle, held_on=HELD_ON):
    """The 2018 meeting held: the roster of the cycle is fixed that day (R7.2), so the cycle keeps only its tail."""
    from branch import services as branch_services

    meeting = hold_meeting(w, cycle, held_on)
    branch_services.branch_cycle_fix_roster(cycle=cycle, branch=w.branch, on=held_on)
    return meeting


def close(w, cycle):
    """The branch's cycle closed. No closing service exists yet in branch (another step builds it), so the state is
    set on the row; the write guard and the services read only that state."""
    from branch.models import BranchCycle

    BranchCycle.objects.update_or_create(
        branch=w.branch, cycle=cycle, defaults={"state": BranchCycle.State.CLOSED}
    )


def commit(w, cycle, member, text="每月走访困难户2户"):
    return services.commitment_create(cycle=cycle, member=member, text=text, due_on=date(2019, 12, 31))


def report(w, cycle, member, quarter, on=None, kept="已走访困难户"):
    from rectification.dates import quarter_start
    from rectification.models import QuarterlyReport

    return services.quarterly_report_record(
        cycle=cycle,
        member=member,
        quarter=quarter,
        reported_on=on or quarter_start(HELD_ON, quarter),
        venue=QuarterlyReport.Venue.GROUP_MEETING,
        kept=kept,
        today=TODAY,
    )
