"""Builders for the appraisal tests. The meeting and its attendance are made with objects.create: when this was written
meetings.services.meeting (R4) did not exist yet on main."""

from __future__ import annotations

from datetime import date

from appraisal import services
from appraisal.models import GradeChoice, Tally
from branch.models import Cycle, Member
from meetings.models import Meeting, MeetingAttendance

HELD_ON = date(2019, 1, 18)


def meeting(world, cycle: Cycle, *, present: list[Member] | None = None) -> Meeting:
    """A held meeting; everyone active is present unless `present` says who."""
    m = Meeting.objects.create(
        cycle=cycle, branch=world.branch, planned_on=HELD_ON, held_on=HELD_ON, place="村部"
    )
    everyone = list(Member.objects.filter(branch=world.branch).active())
    present_ids = {p.pk for p in (present if present is not None else everyone)}
    for member in everyone:
        if member.pk in present_ids:
            MeetingAttendance.objects.create(
                meeting=m, member=member, status=MeetingAttendance.Status.PRESENT
            )
        else:
            MeetingAttendance.objects.create(
                meeting=m, member=member, status=MeetingAttendance.Status.ABSENT, reason="外出务工"
            )
    return m


def self_mutual_all(world, cycle: Cycle) -> None:
    for member in Member.objects.filter(branch=world.branch).active():
        services.self_mutual_record(cycle=cycle, member=member, self_done=True, mutual_done=True)


def rated(world) -> list[Member]:
    return list(services.rated_members(branch=world.branch).order_by("name"))


def tally_by_ballots(
    world, cycle: Cycle, *, ballots: int | None = None, grade=GradeChoice.QUALIFIED
) -> Tally:
    """Meeting held, self/mutual done, `ballots` valid ballots (default: one per member present) each marking everyone
    `grade` and the committee 满意; the tally closed."""
    meeting(world, cycle)
    self_mutual_all(world, cycle)
    n = ballots if ballots is not None else Member.objects.filter(branch=world.branch).active().count()
    tally = services.tally_open(cycle=cycle, branch=world.branch, issued=n, returned=n, invalid=0)
    members = rated(world)
    for _ in range(n):
        services.ballot_enter(tally=tally, marks={m.pk: grade for m in members}, committee_mark="satisfied")
    return services.tally_close(tally=tally)


def grade(member: Member, cycle: Cycle, grade_=GradeChoice.QUALIFIED, **kw):
    kw.setdefault("opinion", "能够发挥党员作用")
    kw.setdefault("decided_on", date(2019, 1, 20))
    return services.grade_set(cycle=cycle, member=member, grade=grade_, **kw)
