"""Every read on the 组织生活会 (R4) that a page, a PDF, the rule checks or the archive needs.

Decisions where the plan is silent:
- Quorum: those who should attend are the cycle's roster (full and probationary; fixed when the meeting is held, R7.2),
  less those who took part
  with the Party organisation where they now are (R4.6) — they held their 组织生活会 there. Those who will make it up at
  元旦/春节 still count as should-attend and not present. The meeting has its quorum with more than half present
  (支部工作条例: 党员大会须有半数以上党员参加).
- R0.1 (the meeting by the deadline) is computed once for every step by xinyi.checks.deadline_checks; these checks
  do not repeat it. Past the deadline, a preparation gap (R4.5) fails rather than warns.
- The plan's simple flexible forms (R4.6, R7.1) count only for 离退休, 流动党员, 非公有制经济组织 and 社会组织 branches
  (`Branch.uses_flexible_forms`), read from the branch's type as it is now: a branch reclassified as 农村 is held to
  the ordinary form again. A meeting by party groups passes R0.2 once every group of the roster has met (the notice of
  R4.5 must come before the first group's day); 在外参加 counts as taking part (R4.6, quorum). For any other branch the
  same records fail: R0.2 asks for the general meeting, and 在外参加 is a R4.6 failure.
- A meeting (or, by groups, every group's session) within the 元旦/春节 window is noted on R4.6: members away were
  home for it.
- R4.1 where the branch had an earlier cycle: the secretary's 述职 must carry the 上年度整改落实情况 the system generated
  (kept with it when it is recorded); a typed "上年度整改落实情况" point alone no longer passes, nor does a 述职 recorded
  while the summary was empty — record the 述职 again once last year's records give a summary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from branch.checks import Check, Status
from branch.models import Branch, CommitteePost, Cycle, Member
from branch.providers import provider
from branch.selectors import branch_roster, cycle_rosters, previous_cycle, secretary_of

from ..holidays import window_of
from ..models import (
    Meeting,
    MeetingAttendance,
    MeetingGroupSession,
    Problem,
    RequiredMaterial,
    Speech,
    StudySession,
)
from .before import talk_coverage

GENERAL_MEETING = Meeting.Form.GENERAL
FLEXIBLE_ONLY = (
    "是简便灵活方式，仅适用于离退休、流动党员、非公有制经济组织和社会组织党支部（依据工作方案 R4.6、R7.1）"
)
FIRST_CYCLE_STATEMENT = "本年度为首次在系统中记录，无上年度整改事项。"

AGENDA = [
    "党支部书记代表支部委员会述职，报告上年度整改措施落实情况（R4.1）",
    "支部委员检查履职情况，开展自我批评和相互批评（R4.2）",
    "党员评议支部委员会工作和作风，开展批评和自我批评（R4.3）",
    "民主评议党员：个人自评、党员互评、民主测评、组织评定（R5.1）",
]


def flexible_guidance(branch: Branch) -> str:
    """One line on what the plan allows the branch's type (R4.6, R7.1); "" for a branch held to the ordinary form."""
    if not branch.uses_flexible_forms:
        return ""
    return (
        f"本支部为{branch.get_kind_display()}党支部，依据工作方案 R4.6、R7.1 可采取简便灵活方式："
        "可按党小组分别召开，流动党员可在所在地参加，外出党员可利用元旦、春节返乡时机参加；会议仍须线下召开（R0.3）。"
    )


def group_sessions(*, meeting: Meeting) -> list[MeetingGroupSession]:
    return list(meeting.group_sessions.select_related("group").order_by("held_on", "group__name"))


def groups_not_met(*, meeting: Meeting, sessions: list[MeetingGroupSession] | None = None) -> list[str]:
    """The party groups of the cycle's roster that have no session yet (a meeting by groups, R4.6, R7.1)."""
    if sessions is None:
        sessions = group_sessions(meeting=meeting)
    met = {s.group_id for s in sessions}
    roster = branch_roster(cycle=meeting.cycle, branch=meeting.branch, by_group=True)
    names = {m.group_id: m.group.name for m in roster if m.group_id is not None}
    return [name for gid, name in sorted(names.items(), key=lambda kv: kv[1]) if gid not in met]


def meeting_forms(*, cycle: Cycle, branches) -> dict[int, str]:
    """For the township's overview (R7.1): the form each branch chose for its meeting, e.g. "按党小组分别召开（3 个党小组）",
    "党员大会（集中召开）", or "尚未安排". One query whatever the number of branches."""
    ids = [b.pk for b in branches]
    labels = dict(Meeting.Form.choices)
    chosen = {
        row["branch_id"]: row
        for row in Meeting.objects.filter(cycle=cycle, branch_id__in=ids)
        .values("branch_id", "form")
        .annotate(groups=Count("group_sessions"))
        .order_by()
    }
    out = {}
    for pk in ids:
        row = chosen.get(pk)
        if row is None:
            out[pk] = "尚未安排"
        elif row["form"] == Meeting.Form.BY_GROUPS:
            out[pk] = f"按党小组分别召开（已开 {row['groups']} 个党小组会）"
        else:
            out[pk] = str(labels.get(row["form"], row["form"]))
    return out


def meeting_for(*, cycle: Cycle, branch: Branch) -> Meeting | None:
    return Meeting.objects.filter(cycle=cycle, branch=branch).select_related("cycle", "branch").first()


def is_first_cycle(*, cycle: Cycle, branch: Branch | None = None) -> bool:
    """No earlier cycle (of the branch's township, if given): the 述职 has no last-cycle rectification (R4.1, R6.3)."""
    if branch is not None:
        return previous_cycle(cycle=cycle, township_id=branch.township_id) is None
    return not Cycle.objects.filter(year__lt=cycle.year).exists()


def report_annex(*, cycle: Cycle, branch: Branch) -> list[str]:
    """R4.1, R6.3: the generated 上年度整改落实情况 the 述职 carries, one line each; [] when the branch had no earlier
    cycle or no provider answers (the section is then left out).

    The lines come from the app that keeps the measures (settings.XINYI_PROVIDERS["meeting_report_annex"]), so this
    app never imports it (CONVENTIONS: one direction only).
    """
    if is_first_cycle(cycle=cycle, branch=branch):
        return []
    answer = provider("meeting_report_annex")
    lines = answer(cycle=cycle, branch=branch) if answer is not None else None
    # One stored line per line shown: a line with a line break of its own would split in two.
    return [" ".join(str(line).split()) for line in lines or [] if str(line).strip()]


# ---------------------------------------------------------------- readiness before the meeting


@dataclass(frozen=True)
class ReadinessItem:
    rule: str
    label: str
    done: bool
    detail: str
    url: str = ""


def _study_gaps(*, cycle: Cycle, branch: Branch) -> list[str]:
    sessions = StudySession.objects.filter(cycle=cycle, branch=branch)
    if not sessions.exists():
        return ["尚未组织集中学习"]
    if not RequiredMaterial.objects.filter(cycle=cycle).exists():
        return [f"{cycle.year}年度尚未列出必学内容（R1.2）"]
    missing = RequiredMaterial.objects.filter(cycle=cycle).exclude(sessions__in=sessions)
    return [f"未学习《{m.title}》" if not m.title.startswith("《") else f"未学习{m.title}" for m in missing]


def _talk_gaps(*, cycle: Cycle, branch: Branch) -> list[str]:
    """R2.1/R2.3/R2.4 gaps, as the talks step computes them."""
    coverage = talk_coverage(cycle=cycle, branch=branch)
    gaps = [m.text for m in coverage.missing]
    if coverage.secretary is None:
        gaps.append("本支部没有在任书记")
    return gaps


def readiness(*, cycle: Cycle, branch: Branch) -> list[ReadinessItem]:
    """What should be done before the meeting (R1, R2, R3, R4.5), each with where to fix it.

    Holding the meeting with gaps is allowed; the gaps stay on the record and in the checks.
    """
    meeting = meeting_for(cycle=cycle, branch=branch)
    meeting_url = reverse("meeting_detail")
    study = _study_gaps(cycle=cycle, branch=branch)
    talks = _talk_gaps(cycle=cycle, branch=branch)
    committee_problems = Problem.objects.filter(cycle=cycle, branch=branch, member__isnull=True).count()
    member_problems = (
        Problem.objects.filter(cycle=cycle, branch=branch, member__isnull=False)
        .values("member")
        .distinct()
        .count()
    )

    def brief(gaps: list[str]) -> str:
        return "；".join(gaps[:3]) + (f" 等 {len(gaps)} 项" if len(gaps) > 3 else "")

    items = [
        ReadinessItem(
            "R1", "集中学习已完成", not study, brief(study) or "必学内容均已学习", reverse("study_list")
        ),
        ReadinessItem(
            "R2",
            "谈心谈话已全覆盖",
            not talks,
            brief(talks) or "支委之间、支委与党员之间均已谈话",
            reverse("talk_coverage"),
        ),
        ReadinessItem(
            "R3",
            "查摆问题清单已形成",
            committee_problems > 0,
            f"支委会查摆问题 {committee_problems} 条，{member_problems} 名党员查摆了问题"
            if committee_problems
            else "支委会尚未查摆问题",
            reverse("problem_list"),
        ),
    ]
    contacted = bool(meeting and meeting.township_contacted_on and meeting.township_agreed_on)
    items.append(
        ReadinessItem(
            "R4.5",
            "已与镇党委沟通，商定时间和开法",
            contacted,
            f"{meeting.township_contacted_on:%Y-%m-%d} 沟通，商定 {meeting.township_agreed_on:%Y-%m-%d} 召开，"
            f"开法：{meeting.township_agreed_form or meeting.get_form_display()}"
            if contacted
            else "尚未登记与镇党委沟通的日期和商定的时间",
            meeting_url,
        )
    )
    invited = bool(meeting and meeting.township_invited)
    items.append(
        ReadinessItem(
            "R4.5",
            "已邀请镇党委派员参加指导",
            invited,
            (f"到会指导：{meeting.township_attendee}" if meeting.township_attendee else "已邀请")
            if invited
            else "尚未邀请镇党委派员",
            meeting_url,
        )
    )
    notified = bool(meeting and meeting.members_notified_on)
    if not notified:
        notice = "尚未登记通知党员的日期"
    elif meeting.notified_in_advance:
        notice = f"{meeting.members_notified_on:%Y-%m-%d} 通知"
    else:
        notice = (
            f"{meeting.members_notified_on:%Y-%m-%d} 通知，不早于会期 {meeting.meets_on:%Y-%m-%d}，"
            "未做到提前通知"
        )
    items.append(
        ReadinessItem(
            "R4.5", "已提前通知党员", bool(meeting and meeting.notified_in_advance), notice, meeting_url
        )
    )
    return items


# ---------------------------------------------------------------- attendance and quorum


@dataclass
class AttendanceRow:
    member: Member
    record: MeetingAttendance | None

    @property
    def status(self) -> str:
        return self.record.status if self.record else ""


@dataclass(frozen=True)
class Quorum:
    present: int
    should_attend: int
    absent: int
    elsewhere: int
    later: int
    unrecorded: int
    away: int = 0  # 在外参加 (R4.6, R7.1)
    flexible: bool = False  # the branch may use the simple flexible forms: 在外参加 counts as taking part

    @property
    def taking_part(self) -> int:
        return self.present + (self.away if self.flexible else 0)

    @property
    def reached(self) -> bool:
        return self.should_attend > 0 and self.taking_part * 2 > self.should_attend

    @property
    def percent(self) -> int:
        return round(100 * self.taking_part / self.should_attend) if self.should_attend else 0


def attendance_rows(*, meeting: Meeting) -> list[AttendanceRow]:
    """The cycle's own roster (fixed when the meeting was held) with each member's attendance, in roster order."""
    records = {a.member_id: a for a in MeetingAttendance.objects.filter(meeting=meeting)}
    members = branch_roster(cycle=meeting.cycle, branch=meeting.branch, by_group=True)
    return [AttendanceRow(m, records.get(m.pk)) for m in members]


def quorum(rows: list[AttendanceRow], *, flexible: bool = False) -> Quorum:
    """Who should attend and who took part. For a flexible branch (R4.6, R7.1) a 流动党员 who took part where they
    are (在外参加) counts as taking part; for any other branch such a row counts for nothing."""
    S = MeetingAttendance.Status
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return Quorum(
        present=counts[S.PRESENT],
        should_attend=len(rows) - counts[S.ELSEWHERE],
        absent=counts[S.ABSENT],
        elsewhere=counts[S.ELSEWHERE],
        later=counts[S.LATER],
        unrecorded=counts[""],
        away=counts[S.AWAY],
        flexible=flexible,
    )


# ---------------------------------------------------------------- the minutes


def speeches(*, meeting: Meeting) -> list[Speech]:
    return list(meeting.speeches.select_related("speaker", "target").order_by("order"))


@dataclass
class Minutes:
    meeting: Meeting
    rows: list[AttendanceRow]
    quorum: Quorum
    speeches: list[Speech]
    secretary: Member | None
    first_cycle: bool
    # R4.1, R6.3: the 上年度整改落实情况 — the copy kept with the 述职 once it is recorded (annex_carried), else the
    # summary as the system generates it today; [] leaves the section out.
    annex: list[str] = field(default_factory=list)
    annex_carried: bool = False
    agenda: list[str] = field(default_factory=lambda: list(AGENDA))
    group_sessions: list[MeetingGroupSession] = field(default_factory=list)

    @property
    def rectification_statement(self) -> str:
        """Shown when the 述职 has no rectification point and there was no earlier cycle (R4.1)."""
        has_point = any(s.kind == Speech.Kind.RECTIFICATION_REPORT for s in self.speeches)
        return FIRST_CYCLE_STATEMENT if self.first_cycle and not has_point else ""

    def with_status(self, status: str) -> list[AttendanceRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def present_rows(self):
        return self.with_status(MeetingAttendance.Status.PRESENT)

    @property
    def absent_rows(self):
        return self.with_status(MeetingAttendance.Status.ABSENT)

    @property
    def elsewhere_rows(self):
        return self.with_status(MeetingAttendance.Status.ELSEWHERE)

    @property
    def later_rows(self):
        return self.with_status(MeetingAttendance.Status.LATER)

    @property
    def away_rows(self):
        return self.with_status(MeetingAttendance.Status.AWAY)


def minutes(*, meeting: Meeting) -> Minutes:
    """The 会议记录, generated from what was recorded: nobody types minutes twice (R0.4)."""
    rows = attendance_rows(meeting=meeting)
    points = speeches(meeting=meeting)
    first_cycle = is_first_cycle(cycle=meeting.cycle, branch=meeting.branch)
    carried = next((s for s in points if s.kind == Speech.Kind.REPORT and s.annex), None)
    if carried is not None:
        annex = carried.annex_lines
    elif first_cycle:
        annex = []
    else:
        annex = report_annex(cycle=meeting.cycle, branch=meeting.branch)
    return Minutes(
        meeting=meeting,
        rows=rows,
        quorum=quorum(rows, flexible=meeting.branch.uses_flexible_forms),
        speeches=points,
        secretary=secretary_of(branch=meeting.branch, day=meeting.held_on or meeting.planned_on),
        first_cycle=first_cycle,
        annex=annex,
        annex_carried=carried is not None,
        group_sessions=group_sessions(meeting=meeting) if meeting.by_groups else [],
    )


# ---------------------------------------------------------------- rule checks


def checks(*, cycle: Cycle, branches) -> dict[int, list[Check]]:
    """R0.2, R4.1–R4.7 for every branch, in seven queries (eight when some rosters are fixed and some not; one more
    when some meeting is held by party groups) whatever the number of branches.

    Who should have attended is each branch's roster of the cycle (fixed when its meeting was held): a later
    transfer, 转正 or new member changes nothing in a cycle already held.
    """
    branches = list(branches)
    ids = [b.pk for b in branches]
    today = timezone.localdate()
    meetings = {m.branch_id: m for m in Meeting.objects.filter(cycle=cycle, branch_id__in=ids)}
    meeting_ids = [m.pk for m in meetings.values()]
    members_by_branch = cycle_rosters(cycle=cycle, branch_ids=ids)
    attendance: dict[int, dict[int, str]] = defaultdict(dict)
    for meeting_id, member_id, status in MeetingAttendance.objects.filter(
        meeting_id__in=meeting_ids
    ).values_list("meeting_id", "member_id", "status"):
        attendance[meeting_id][member_id] = status
    spoken: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    # meeting -> who gave a 述职 that carries last year's summary (R4.1, R6.3)
    carried: dict[int, set[int]] = defaultdict(set)
    for row in (
        Speech.objects.filter(meeting_id__in=meeting_ids)
        .values("meeting_id", "kind", "speaker_id")
        .annotate(n=Count("pk"), with_annex=Count("pk", filter=~Q(annex="")))
    ):
        spoken[row["meeting_id"]][row["kind"]].add(row["speaker_id"])
        if row["kind"] == Speech.Kind.REPORT and row["with_annex"]:
            carried[row["meeting_id"]].add(row["speaker_id"])
    posts_by_branch: dict[int, list[CommitteePost]] = defaultdict(list)
    for post in CommitteePost.objects.filter(branch_id__in=ids).select_related("member"):
        posts_by_branch[post.branch_id].append(post)
    # Which townships had an earlier cycle (a common one counts for all): one query for every branch.
    earlier = set(
        Cycle.objects.filter(year__lt=cycle.year).values_list("township_id", flat=True).order_by().distinct()
    )
    # A meeting by party groups (R4.6, R7.1): which group met on which day. Asked only when some meeting is held so.
    sessions: dict[int, dict[int, object]] = defaultdict(dict)
    by_groups = [m.pk for m in meetings.values() if m.by_groups]
    if by_groups:
        for meeting_id, group_id, held_on in MeetingGroupSession.objects.filter(
            meeting_id__in=by_groups
        ).values_list("meeting_id", "group_id", "held_on"):
            sessions[meeting_id][group_id] = held_on
    url = reverse("meeting_detail")

    result: dict[int, list[Check]] = {}
    for branch in branches:
        meeting = meetings.get(branch.pk)
        result[branch.pk] = _branch_checks(
            cycle=cycle,
            branch=branch,
            meeting=meeting,
            sessions=sessions[meeting.pk] if meeting else {},
            members=members_by_branch[branch.pk],
            attendance=attendance[meeting.pk] if meeting else {},
            spoken=spoken[meeting.pk] if meeting else {},
            carried=carried[meeting.pk] if meeting else set(),
            posts=posts_by_branch[branch.pk],
            first_cycle=None not in earlier and branch.township_id not in earlier,
            today=today,
            url=url,
        )
    return result


def _names(members) -> str:
    names = [m.name for m in members]
    return "、".join(names[:5]) + (f" 等 {len(names)} 人" if len(names) > 5 else "")


def _form_check(*, branch, meeting, members, sessions, url) -> Check:
    """R0.2, with the flexible form of R4.6/R7.1: a general meeting, or (flexible branches only) every party group of
    the roster met."""
    P, W, F = Status.PASS, Status.WARN, Status.FAIL
    if meeting.form == Meeting.Form.GENERAL:
        return Check("R0.2", P, "以党支部党员大会形式召开", url)
    if not meeting.by_groups:
        return Check("R0.2", F, f"会议形式为“{meeting.form}”，应为党支部党员大会", url)
    if not branch.uses_flexible_forms:
        return Check(
            "R0.2",
            F,
            f"按党小组分别召开{FLEXIBLE_ONLY}；本支部为{branch.get_kind_display()}党支部，应以党支部党员大会形式召开",
            url,
        )
    groups = {m.group_id: m.group.name for m in members if m.group_id is not None}
    if not groups:
        return Check("R0.2", F, "本支部党员未编入党小组，不能按党小组分别召开", url)
    missing = sorted(name for gid, name in groups.items() if gid not in sessions)
    if missing:
        status = F if meeting.held_on else W
        return Check("R0.2", status, "按党小组分别召开，尚未登记党小组会：" + "、".join(missing), url)
    met = sorted((sessions[gid], name) for gid, name in groups.items())
    days = "、".join(f"{name} {day:%Y-%m-%d}" for day, name in met)
    return Check("R0.2", P, f"按党小组分别召开（简便灵活方式，R4.6、R7.1）：{days}", url)


def _home_note(meeting, sessions) -> str:
    """ "，在2019年春节返乡期间召开" when the meeting (every group's day, for a meeting by groups) fell in a window."""
    days = list(sessions.values()) if meeting.by_groups and sessions else [meeting.held_on]
    windows = {window_of(day) for day in days}
    if None in windows or not windows:
        return ""
    return "，利用" + "、".join(sorted(w.name for w in windows)) + "返乡时机召开"


def _branch_checks(
    *, cycle, branch, meeting, sessions, members, attendance, spoken, carried, posts, first_cycle, today, url
) -> list[Check]:
    K = Speech.Kind
    S = MeetingAttendance.Status
    P, W, F = Status.PASS, Status.WARN, Status.FAIL
    deadline = cycle.deadline
    out: list[Check] = []
    if meeting is None:
        late = today > deadline
        out.append(Check("R0.2", W, "尚未安排组织生活会", url))
        for rule in ("R4.1", "R4.2", "R4.3", "R4.4"):
            out.append(Check(rule, W, "会议尚未召开", url))
        out.append(Check("R4.5", F if late else W, "尚未与镇党委沟通、邀请镇党委、通知党员", url))
        for rule in ("R4.6", "R4.7"):
            out.append(Check(rule, W, "会议尚未召开", url))
        return out

    held = meeting.held_on
    flexible = branch.uses_flexible_forms
    out.append(_form_check(branch=branch, meeting=meeting, members=members, sessions=sessions, url=url))

    # R4.5 — preparation
    missing = []
    if not meeting.township_contacted_on:
        missing.append("与镇党委沟通")
    if not meeting.township_agreed_on or not meeting.township_agreed_form:
        missing.append("商定时间和开法")
    if not meeting.township_invited:
        missing.append("邀请镇党委派员")
    if not meeting.members_notified_on:
        missing.append("提前通知党员")
    elif not meeting.notified_in_advance:
        missing.append("提前通知党员（通知日期不早于会期）")
    elif meeting.by_groups and sessions and meeting.members_notified_on >= min(sessions.values()):
        missing.append(f"提前通知党员（通知日期不早于第一个党小组会 {min(sessions.values()):%Y-%m-%d}）")
    if missing:
        out.append(Check("R4.5", F if held or today > deadline else W, "缺少：" + "、".join(missing), url))
    else:
        attendee = f"，{meeting.township_attendee}到会指导" if meeting.township_attendee else ""
        out.append(
            Check(
                "R4.5",
                P,
                f"{meeting.township_contacted_on:%Y-%m-%d} 与镇党委沟通，{meeting.members_notified_on:%Y-%m-%d} 通知党员{attendee}",
                url,
            )
        )

    if held is None:
        for rule in ("R4.1", "R4.2", "R4.3", "R4.4", "R4.6", "R4.7"):
            out.append(Check(rule, W, "会议尚未召开", url))
        return out

    speeches_url = reverse("meeting_speeches")
    attendance_url = reverse("meeting_attendance")
    committee = [p.member for p in posts if p.is_current_on(held)]
    secretary = next(
        (p.member for p in posts if p.is_current_on(held) and p.post == CommitteePost.Post.SECRETARY), None
    )

    # R4.1 — the secretary's 述职, carrying the generated summary of last cycle's rectification (R6.3). Typed text
    # alone is not enough: the 述职 must hold the summary the system generated from last year's records.
    reported = secretary is not None and secretary.pk in spoken.get(K.REPORT, set())
    if not reported:
        out.append(Check("R4.1", F, "未记录书记代表支委会的述职", speeches_url))
    elif first_cycle:
        note = "" if spoken.get(K.RECTIFICATION_REPORT) else "（首个年度，无上年度整改事项）"
        out.append(Check("R4.1", P, f"书记已述职{note}", speeches_url))
    elif secretary.pk in carried:
        out.append(Check("R4.1", P, "书记已述职，述职包含上年度整改落实情况", speeches_url))
    else:
        out.append(
            Check(
                "R4.1",
                F,
                "书记述职未包含上年度整改落实情况（依据工作方案 R4.1、R6.3：述职须报告上年度整改措施落实情况），"
                "请在系统生成上年度整改落实情况后重新登记述职",
                speeches_url,
            )
        )

    # R4.2 — every committee member criticises themself and the others
    no_self = [m for m in committee if m.pk not in spoken.get(K.COMMITTEE_SELF, set())]
    no_mutual = (
        [m for m in committee if m.pk not in spoken.get(K.COMMITTEE_MUTUAL, set())]
        if len(committee) > 1
        else []
    )
    if not committee:
        out.append(Check("R4.2", F, "会议当日无在任支委", speeches_url))
    elif no_self or no_mutual:
        parts = []
        if no_self:
            parts.append(f"未作自我批评：{_names(no_self)}")
        if no_mutual:
            parts.append(f"未开展相互批评：{_names(no_mutual)}")
        out.append(Check("R4.2", F, "；".join(parts), speeches_url))
    else:
        out.append(Check("R4.2", P, f"{len(committee)} 名支委均作了自我批评和相互批评", speeches_url))

    # R4.3 — members on the committee, and members' criticism and self-criticism
    parts = []
    if not spoken.get(K.ON_COMMITTEE):
        parts.append("党员未评议支委会工作和作风")
    if not spoken.get(K.MEMBER_SELF):
        parts.append("未记录党员自我批评")
    if not spoken.get(K.MEMBER_MUTUAL):
        parts.append("未记录党员相互批评")
    if parts:
        out.append(Check("R4.3", F, "；".join(parts), speeches_url))
    else:
        out.append(Check("R4.3", P, "党员评议了支委会，开展了批评和自我批评", speeches_url))

    # R4.4 — Party leading cadres take part as members of this branch
    cadres = [m for m in members if m.is_leading_cadre]
    unrecorded_cadres = [m for m in cadres if m.pk not in attendance]
    if not cadres:
        out.append(Check("R4.4", P, "本支部无党员领导干部", attendance_url))
    elif unrecorded_cadres:
        out.append(
            Check("R4.4", F, f"党员领导干部未登记参会情况：{_names(unrecorded_cadres)}", attendance_url)
        )
    else:
        present = [m for m in cadres if attendance[m.pk] == S.PRESENT]
        out.append(
            Check(
                "R4.4",
                P if len(present) == len(cadres) else W,
                f"党员领导干部 {len(cadres)} 人以普通党员身份参加，出席 {len(present)} 人",
                attendance_url,
            )
        )

    # R4.6 — members away took part at home for 元旦/春节 or where they now are; 在外参加 only in a flexible branch
    away = [m for m in members if m.is_mobile and attendance.get(m.pk) == S.ABSENT]
    away_there = [m for m in members if attendance.get(m.pk) == S.AWAY]
    if away_there and not flexible:
        out.append(
            Check(
                "R4.6",
                F,
                f"在外参加{FLEXIBLE_ONLY}；本支部为{branch.get_kind_display()}党支部，"
                f"请改登为在流入地党组织参加或返乡后补课参加：{_names(away_there)}",
                attendance_url,
            )
        )
    elif away:
        out.append(
            Check("R4.6", W, f"流动党员缺席，未安排返乡补课或在流入地参加：{_names(away)}", attendance_url)
        )
    else:
        elsewhere = sum(1 for s in attendance.values() if s == S.ELSEWHERE)
        later = sum(1 for s in attendance.values() if s == S.LATER)
        there = f"，在外参加 {len(away_there)} 人（简便灵活方式）" if away_there else ""
        out.append(
            Check(
                "R4.6",
                P,
                f"在流入地参加 {elsewhere} 人，返乡补课 {later} 人{there}{_home_note(meeting, sessions)}",
                attendance_url,
            )
        )

    # R4.7 — attendance recorded for everyone
    unrecorded = [m for m in members if m.pk not in attendance]
    if unrecorded:
        out.append(
            Check("R4.7", F, f"{len(unrecorded)} 名党员未登记出席情况：{_names(unrecorded)}", attendance_url)
        )
    else:
        present = sum(1 for m in members if attendance[m.pk] == S.PRESENT)
        absent = sum(1 for m in members if attendance[m.pk] == S.ABSENT)
        there = sum(1 for m in members if attendance[m.pk] == S.AWAY)
        there_text = f"，在外参加 {there} 人" if there else ""
        out.append(
            Check(
                "R4.7",
                P,
                f"已登记 {len(members)} 人：出席 {present} 人{there_text}，缺席 {absent} 人（均有原因）",
                attendance_url,
            )
        )
    return out


# ---------------------------------------------------------------- archive (R7.2)


def archive_context(*, cycle: Cycle, branch: Branch) -> dict:
    """Preparation, attendance and minutes for the archive PDF (templates/meetings/archive_meeting.html)."""
    meeting = meeting_for(cycle=cycle, branch=branch)
    return {
        "meeting": meeting,
        "meeting_minutes": minutes(meeting=meeting) if meeting else None,
        "meeting_checks": checks(cycle=cycle, branches=[branch])[branch.pk],
        "meeting_deadline": cycle.deadline,
    }


def notice_context(*, meeting: Meeting) -> dict:
    """The 会议通知 with its agenda, generated from the preparation facts (R4.5)."""
    return {
        "meeting": meeting,
        "branch": meeting.branch,
        "cycle": meeting.cycle,
        "agenda": AGENDA,
        "day": meeting.township_agreed_on or meeting.planned_on,
        "issued_on": meeting.members_notified_on,
        "secretary": secretary_of(branch=meeting.branch, day=meeting.planned_on),
    }
