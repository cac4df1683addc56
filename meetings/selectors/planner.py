"""The 春节 window planner (R4.6): who is away and where, and meeting days before the deadline when they are home.

"对外出党员、确实难以集中的党员，可以利用元旦春节期间集中返乡的时机进行；对于不能返回的流动党员，也可协调安排在流入地党组织参加。"

Decisions where the plan is silent:
- Home is from a week before 春节 (小年前后) to 正月十五 (meetings.holidays), and 30 December to 元旦. 除夕 and 正月初一
  to 初三 are left out (family days). 春节 days come before 元旦 days (more members are home), weekends before
  weekdays, each in date order; at most eight days. The windows are those of the cycle's years (its own year and
  that of its deadline) that fall between the cycle's first day and its deadline.
- Only days from the cycle's first day (or today, if later) up to its deadline are proposed. Once the deadline has
  passed nothing is proposed: the page says so, and says whether the meeting was held while members were home.
- Members away are the cycle's 流动党员 (the roster's flags, fixed when the meeting was held) with where they are now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from branch.models import Branch, Cycle, Member
from branch.selectors import cycle_roster

from ..holidays import (
    SPRING_FESTIVAL,
    Window,
    home_windows,
    is_family_day,
    spring_festival,
    spring_window,
    window_of,
)
from ..models import Meeting, MeetingAttendance
from .meeting import meeting_for

MAX_PROPOSALS = 8
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class AwayMember:
    member: Member
    location: str
    attendance: str = ""  # how they took part in the cycle's meeting, once recorded


@dataclass(frozen=True)
class ProposedDay:
    day: date
    window: Window

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def label(self) -> str:
        lunar = self.window.lunar_label(self.day)
        return f"{self.day:%Y-%m-%d} 星期{WEEKDAYS[self.day.weekday()]}" + (f" · {lunar}" if lunar else "")


@dataclass
class Planner:
    cycle: Cycle
    branch: Branch
    today: date
    meeting: Meeting | None
    away: list[AwayMember]
    windows: list[
        Window
    ]  # the 元旦/春节 windows that fall (at least partly) within the cycle, before the deadline
    proposals: list[ProposedDay]
    explanation: list[str] = field(default_factory=list)

    @property
    def past(self) -> bool:
        return self.today > self.cycle.deadline


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def spring_festival_plan(*, cycle: Cycle, branch: Branch, today: date) -> Planner:
    """Four queries whatever the size of the roster: the meeting, the roster (two), the attendance of those away."""
    meeting = meeting_for(cycle=cycle, branch=branch)
    roster = [m for m in cycle_roster(cycle=cycle, branch=branch) if m.is_mobile]
    labels = dict(MeetingAttendance.Status.choices)
    taken = {}
    if meeting is not None and meeting.held_on and roster:
        taken = {
            a.member_id: a
            for a in MeetingAttendance.objects.filter(meeting=meeting, member_id__in=[m.pk for m in roster])
        }
    away = []
    for m in roster:
        record = taken.get(m.pk)
        how = ""
        if record is not None:
            how = str(labels.get(record.status, record.status))
            if record.elsewhere_org:
                how += f"（{record.elsewhere_org}）"
        away.append(AwayMember(m, m.mobile_location or "未登记所在地", how))

    first, deadline = cycle.starts_on, cycle.deadline
    windows = [
        w for w in home_windows(cycle.year, deadline.year) if w.ends_on >= first and w.starts_on <= deadline
    ]
    start = max(first, today)
    days = [
        ProposedDay(day, w)
        for w in windows
        for day in w.days()
        if start <= day <= deadline and not is_family_day(w, day)
    ]
    # 春节 first (more members are home than at 元旦), weekends first, then by date.
    days.sort(key=lambda p: ("元旦" in p.window.name, not p.weekend, p.day))
    proposals = [] if today > deadline else days[:MAX_PROPOSALS]

    plan = Planner(cycle, branch, today, meeting, away, windows, proposals)
    plan.explanation = _explain(plan, all_days=days)
    return plan


def _explain(plan: Planner, *, all_days: list[ProposedDay]) -> list[str]:
    cycle, deadline = plan.cycle, plan.cycle.deadline
    lines = [
        "外出党员一般在小年（腊月廿三）前后返乡、正月十五（元宵节）后外出，组织生活会可以利用元旦、春节集中返乡的时机召开"
        "（依据工作方案 R4.6）。"
    ]
    springs = [w for w in plan.windows if "春节" in w.name]
    if plan.past:
        springs = springs[-1:]  # the one before the deadline, when the meeting was due
    else:
        springs = [w for w in springs if w.ends_on >= plan.today] or springs[-1:]
    for w in springs:
        lines.append(
            f"{w.name}为{_cn(w.festival)}（正月初一），返乡期间约为{_cn(w.starts_on)}至{_cn(w.ends_on)}（正月十五）。"
        )
    late = spring_window(deadline.year)
    if late is not None and late.starts_on > deadline:
        lines.append(
            f"完成期限（{_cn(deadline)}）早于{late.name}返乡时间（约{_cn(late.starts_on)}起），"
            "春节返乡的日子不在期限之内。"
        )
    years = range(cycle.year, deadline.year + 1)
    unknown = [y for y in years if spring_festival(y) is None]
    if unknown:
        lines.append(
            f"系统的春节日期表只有{min(SPRING_FESTIVAL)}—{max(SPRING_FESTIVAL)}年，"
            + "、".join(f"{y}年" for y in unknown)
            + "的春节请按日历自行安排。"
        )
    if plan.past:
        lines.append(f"{cycle.year}年度的完成期限（{_cn(deadline)}）已过，不再建议召开日期。")
        meeting = plan.meeting
        if meeting is not None and meeting.held_on:
            window = window_of(meeting.held_on)
            when = f"，在{window.name}返乡期间" if window else "，不在元旦、春节返乡期间"
            lines.append(f"本支部会议于{_cn(meeting.held_on)}召开{when}。")
        elif meeting is None or not meeting.held_on:
            lines.append("本支部本年度会议尚未召开，请尽快与镇党委沟通补开。")
        return lines
    if plan.proposals:
        lines.append(
            f"以下日期均在完成期限（{_cn(deadline)}）之前，已避开除夕和正月初一至初三，周末优先；"
            "请与镇党委商定后通知党员（R4.5）。"
        )
        if len(all_days) > len(plan.proposals):
            lines.append(f"返乡期间共有 {len(all_days)} 个可选日子，这里列出前 {len(plan.proposals)} 个。")
    else:
        next_spring = next((d for d in sorted(SPRING_FESTIVAL.values()) if d > deadline), None)
        after = f"（下一个春节为{_cn(next_spring)}）" if next_spring else ""
        lines.append(
            f"完成期限（{_cn(deadline)}）之前已没有元旦、春节返乡的日子{after}，无法等外出党员返乡后召开；"
            "不能返回的流动党员可以协调在流入地党组织参加（R4.6）。"
        )
    if plan.branch.uses_flexible_forms:
        lines.append(
            f"本支部为{plan.branch.get_kind_display()}党支部，可按党小组分别召开：各党小组可以在成员返乡的不同日子分别开会；"
            "确实不能返回的流动党员可在所在地参加（R4.6、R7.1）。"
        )
    if not plan.away:
        lines.append("本年度名单中没有流动党员。")
    return lines
