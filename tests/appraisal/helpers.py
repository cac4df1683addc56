"""Builders for the appraisal tests; the meeting and its attendance go through meetings.services.meeting (R4)."""

from __future__ import annotations

from datetime import date

from appraisal import services
from appraisal.models import GradeChoice, Tally
from branch import services as branch_services
from branch.models import Cycle, Member
from meetings.models import Meeting, MeetingAttendance
from meetings.services.meeting import AttendanceEntry, attendance_record, meeting_hold, meeting_plan

HELD_ON = date(2019, 1, 18)


def cycle_2018() -> Cycle:
    """The 2018 cycle of the data migration. A transactional test (threads, browser) runs after another one has
    flushed the database, migration rows included: then it is made again, with the plan's deadline (R0.1)."""
    return Cycle.objects.filter(year=2018).first() or branch_services.cycle_create(
        year=2018, deadline=date(2019, 3, 20)
    )


def meeting(world, cycle: Cycle, *, present: list[Member] | None = None, held_on: date = HELD_ON) -> Meeting:
    """A held meeting (through meetings.services.meeting); everyone active is present unless `present` says who."""
    m = meeting_plan(cycle=cycle, branch=world.branch, planned_on=held_on, place="村部")
    m = meeting_hold(meeting=m, held_on=held_on)
    everyone = list(Member.objects.filter(branch=world.branch).active())
    present_ids = {p.pk for p in (present if present is not None else everyone)}
    P, A = MeetingAttendance.Status.PRESENT, MeetingAttendance.Status.ABSENT
    attendance_record(
        meeting=m,
        entries=[
            AttendanceEntry(x.pk, P) if x.pk in present_ids else AttendanceEntry(x.pk, A, reason="外出务工")
            for x in everyone
        ],
    )
    return m


def self_mutual_all(world, cycle: Cycle) -> None:
    for member in Member.objects.filter(branch=world.branch).active():
        services.self_mutual_record(cycle=cycle, member=member, self_done=True, mutual_done=True)


def rated(world, cycle: Cycle | None = None) -> list[Member]:
    cycle = cycle or cycle_2018()
    return list(services.rated_members(cycle=cycle, branch=world.branch).order_by("name"))


def tally_by_ballots(
    world,
    cycle: Cycle,
    *,
    ballots: int | None = None,
    grade=GradeChoice.QUALIFIED,
    held_on: date = HELD_ON,
) -> Tally:
    """Meeting held, self/mutual done, `ballots` valid ballots (default: one per member present) each marking everyone
    `grade` and the committee 满意; the tally closed."""
    meeting(world, cycle, held_on=held_on)
    self_mutual_all(world, cycle)
    n = ballots if ballots is not None else Member.objects.filter(branch=world.branch).active().count()
    tally = services.tally_open(cycle=cycle, branch=world.branch, issued=n, returned=n, invalid=0)
    members = rated(world, cycle)
    for _ in range(n):
        services.ballot_enter(tally=tally, marks={m.pk: grade for m in members}, committee_mark="satisfied")
    return services.tally_close(tally=tally)


def grade(member: Member, cycle: Cycle, grade_=GradeChoice.QUALIFIED, **kw):
    kw.setdefault("opinion", "能够发挥党员作用")
    kw.setdefault("decided_on", date(2019, 1, 20))
    return services.grade_set(cycle=cycle, member=member, grade=grade_, **kw)
