"""Demo appraisal (R5) for the 2018 cycle. Deterministic, idempotent (a branch that has a tally is left alone).

新义村: complete. Self/mutual for all; one ballot per member present at the 2019-01-18 meeting (read from
meetings.MeetingAttendance), one of them invalid; every full member graded within the cap; the 预备党员 ungraded;
feedback 2019-01-25..2019-02-10; what follows recorded. 双山村: a gap — tally in (if its meeting was held), grades
and feedback incomplete; if its meeting was not held, only part of the self/mutual step is recorded.
"""

from __future__ import annotations

from datetime import date, timedelta

from branch.models import Member
from meetings.models import Meeting, MeetingAttendance

from . import services
from .models import CommitteeMark, GradeChoice, Tally

G = GradeChoice
EXCELLENT = ["王树林", "包金花", "李春明", "张桂兰", "那仁格日勒", "何丽娟", "苏和", "斯琴", "徐长江"]
BASIC = {"胡永刚": ("张桂兰", "每月谈心一次，督促按时交纳党费、按时参加组织生活")}
OPINIONS = {
    G.EXCELLENT: "政治立场坚定，带头学习，工作积极，在群众中威信高",
    G.QUALIFIED: "能够履行党员义务，参加组织生活较好，发挥了党员作用",
    G.BASIC: "参加组织生活不积极，党费未按时交纳，需加强教育帮扶",
}
HOPES = [
    ("热心公益，带头参加村容整治", "加强理论学习，多为群众办实事"),
    ("遵规守纪，按时参加组织生活", "发挥党员先锋模范作用，带动身边群众"),
    ("工作踏实，服从组织安排", "提高学习主动性，积极参与支部工作"),
]
MEETING_DAY = date(2019, 1, 18)
GRADED_ON = date(2019, 1, 22)


def _held_meeting(ctx, branch, *, create: bool) -> Meeting | None:
    meeting = Meeting.objects.filter(cycle=ctx.cycle, branch=branch).first()
    if meeting is not None and meeting.is_held:
        return meeting
    if not create:
        return None
    # Fallback only when meetings.demo_meeting did not seed the meeting: everyone not away is present.
    meeting = meeting or Meeting.objects.create(
        cycle=ctx.cycle, branch=branch, planned_on=MEETING_DAY, place="村委会会议室"
    )
    meeting.held_on = MEETING_DAY
    meeting.save()
    for m in Member.objects.filter(branch=branch).active():
        MeetingAttendance.objects.get_or_create(
            meeting=meeting,
            member=m,
            defaults={
                "status": MeetingAttendance.Status.ABSENT
                if m.is_mobile
                else MeetingAttendance.Status.PRESENT,
                "reason": "外出务工" if m.is_mobile else "",
            },
        )
    return meeting


def _mark(kind: str, i: int) -> str:
    """The ballot i gives to a member the committee later grades `kind` (the ballot informs, it does not decide)."""
    if kind == G.EXCELLENT:
        return G.QUALIFIED if i % 4 == 0 else G.EXCELLENT
    if kind == G.BASIC:
        return G.UNQUALIFIED if i % 7 == 0 else G.QUALIFIED if i % 3 == 0 else G.BASIC
    return G.EXCELLENT if i % 5 == 0 else G.QUALIFIED


def _seed_xinyi(ctx) -> None:
    branch, cycle = ctx.main, ctx.cycle
    if Tally.objects.filter(cycle=cycle, branch=branch).exists():
        return
    meeting = _held_meeting(ctx, branch, create=True)
    for m in ctx.roster(branch):
        services.self_mutual_record(
            cycle=cycle,
            member=m,
            self_done=True,
            mutual_done=True,
            self_points="" if m.status == Member.Status.FULL else "汇报预备期表现和不足",
        )
    present = services.present_count(meeting)
    tally = services.tally_open(cycle=cycle, branch=branch, issued=present, returned=present, invalid=1)
    rated = list(services.rated_members(cycle=cycle, branch=branch).order_by("name"))
    kind = {
        m.pk: G.EXCELLENT if m.name in EXCELLENT else G.BASIC if m.name in BASIC else G.QUALIFIED
        for m in rated
    }
    for i in range(tally.valid):
        marks = {m.pk: _mark(kind[m.pk], i + m.pk) for m in rated}
        notes = {m.pk: "党费未按时交纳" for m in rated if kind[m.pk] == G.BASIC and i % 4 == 0}
        committee = CommitteeMark.BASIC if i % 6 == 0 else CommitteeMark.SATISFIED
        services.ballot_enter(tally=tally, marks=marks, notes=notes, committee_mark=committee)
    services.tally_close(tally=tally)

    secretary, deputy = ctx.m("王树林"), ctx.m("包金花")
    for n, m in enumerate(rated):
        grade = services.grade_set(
            cycle=cycle,
            member=m,
            grade=kind[m.pk],
            opinion=OPINIONS[kind[m.pk]],
            decided_on=GRADED_ON,
            decided_by=secretary,
        )
        by = deputy if m.pk == secretary.pk else secretary
        services.feedback_record(
            grade=grade,
            given_on=date(2019, 1, 25) + timedelta(days=n % 17),
            means="phone" if m.is_mobile else "face",
            by=by,
        )
        if kind[m.pk] == G.EXCELLENT:
            services.follow_up_record(
                grade=grade,
                commendation="在支部党员大会上通报表扬，推荐参加镇党委表彰遴选",
                commended_on=date(2019, 2, 15),
            )
        elif kind[m.pk] == G.BASIC:
            helper, content = BASIC[m.name]
            services.follow_up_record(
                grade=grade,
                helper=ctx.m(helper),
                help_content=content,
                check_on=date(2019, 4, 15),
                second_check_on=date(2019, 7, 15),
            )
        else:
            strengths, hopes = HOPES[n % len(HOPES)]
            services.follow_up_record(grade=grade, strengths=strengths, hopes=hopes)


def _seed_shuangshan(ctx) -> None:
    branch, cycle = ctx.second, ctx.cycle
    if Tally.objects.filter(cycle=cycle, branch=branch).exists():
        return
    roster = sorted(ctx.roster(branch), key=lambda m: m.name)
    meeting = _held_meeting(ctx, branch, create=False)
    if meeting is None:
        # Gap: the meeting was not held yet, so only some self-appraisals are noted (R5.1 incomplete).
        for m in roster[:4]:
            services.self_mutual_record(cycle=cycle, member=m, self_done=True, mutual_done=False)
        return
    for m in roster:
        services.self_mutual_record(cycle=cycle, member=m, self_done=True, mutual_done=True)
    present = services.present_count(meeting)
    tally = services.tally_open(
        cycle=cycle, branch=branch, issued=present, returned=present, invalid=0, mode=Tally.Mode.TOTALS
    )
    rated = list(services.rated_members(cycle=cycle, branch=branch))
    totals = {m.pk: {"excellent": 2, "qualified": present - 2, "basic": 0, "unqualified": 0} for m in rated}
    services.totals_enter(tally=tally, totals=totals, committee={"satisfied": present - 1, "basic": 1})
    services.tally_close(tally=tally)
    # Gap: only the first three graded, one fed back, no follow-ups.
    for n, m in enumerate(sorted(rated, key=lambda m: m.name)[:3]):
        grade = services.grade_set(
            cycle=cycle,
            member=m,
            grade=G.QUALIFIED,
            opinion=OPINIONS[G.QUALIFIED],
            decided_on=meeting.held_on,
        )
        if n == 0:
            services.feedback_record(grade=grade, given_on=meeting.held_on, means="face", by=ctx.m("刘国华"))


def seed(ctx) -> None:
    _seed_xinyi(ctx)
    _seed_shuangshan(ctx)
