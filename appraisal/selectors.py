"""Every read of the democratic appraisal that a page, an export, the archive or the township needs.

Nothing here returns a ballot sheet with its number next to anything that names a voter: the tally is per rated member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from branch.checks import Check, Status
from branch.models import Branch, BranchCycle, Cycle, Member, Participant, Township
from branch.providers import provider
from branch.selectors import (
    attach_scores,
    branch_cycle,
    cycle_members,
    cycle_roster,
    cycles_for_township,
    previous_cycle,
)
from meetings.models import MeetingAttendance, StudyAttendance, Talk

from .models import BallotMark, Grade, GradeChoice, SelfMutual, Tally, TallyTotal
from .services import excellent_cap, rated_members

GRADES = list(GradeChoice)  # 优秀, 合格, 基本合格, 不合格


def _pct(n: int, d: int) -> float:
    return round(100 * n / d, 1) if d else 0.0


def rated_roster(*, cycle: Cycle, branch: Branch) -> list[Member]:
    """The cycle's 正式党员 by name, as Member objects carrying the cycle's status, group and 星级/积分 (R5.3, R5.8).

    The fixed roster once the meeting is held (a later transfer, 转正 or new member changes nothing), today's active
    full members before. Two queries (and the branch's part in the cycle, once per request).
    """
    if branch_cycle(branch=branch, cycle=cycle).roster_fixed_on is None:
        members = (
            Member.objects.filter(branch=branch).active().full().select_related("group").order_by("name")
        )
        return attach_scores(members, cycle=cycle)
    rows = (
        Participant.objects.filter(cycle=cycle, branch=branch, status=Member.Status.FULL)
        .select_related("member", "group")
        .order_by("member__name")
    )
    return [p.as_member() for p in rows]


@dataclass
class Performance:
    """R5.3 日常表现 beside the grade: facts the system holds, not a score and not a suggested grade (不唯票数)."""

    study_present: int = 0
    study_sessions: int = 0
    study_absent: int = 0
    study_delivered: int = 0
    talks: int = 0
    meeting: str = ""  # the member's attendance at this cycle's meeting, as recorded
    last_year: int | None = None
    last_grade: str = ""  # the previous cycle's grade, "" if none
    commitments: list[str] = field(default_factory=list)


@dataclass
class TallyRow:
    member: Member
    counts: dict[str, int]  # grade value -> marks
    valid: int
    grade: Grade | None = None
    feedback: object = None  # the grade's Feedback, or None (no failed lookups in templates)
    follow_up: object = None  # the grade's FollowUp, or None
    performance: Performance | None = None  # only on the grading pages (daily_performance)
    # The whole-table page: what its inputs show (the stored grade, or what was typed when the table was refused)
    # and the reasons the row was refused.
    shown_grade: str = ""
    shown_opinion: str = ""
    shown_reason: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def marked(self) -> int:
        return sum(self.counts.values())

    @property
    def marks_line(self) -> str:
        """ "3/0/0/0": marks per grade in order (优/合/基/不), for the grading table's one line a member."""
        return "/".join(str(self.counts.get(g, 0)) for g in GradeChoice.values)

    @property
    def cells(self) -> list[tuple[str, int, float]]:
        """(label, count, share of valid ballots) per grade, in order."""
        return [
            (str(g.label), self.counts.get(g.value, 0), _pct(self.counts.get(g.value, 0), self.valid))
            for g in GRADES
        ]

    @property
    def suggestion(self) -> str:
        """Non-binding (不唯票数): the grade with the most marks; a tie goes to the better grade."""
        if not self.marked:
            return ""
        best = max(GRADES, key=lambda g: (self.counts.get(g.value, 0), -GRADES.index(g)))
        return str(best.label)


def tally_for(*, cycle: Cycle, branch: Branch) -> Tally | None:
    return Tally.objects.filter(cycle=cycle, branch=branch).select_related("meeting").first()


def tally_counts(tally: Tally | None) -> dict[int, dict[str, int]]:
    """member id -> {grade: marks}: from the ballot rows or from the typed totals, one query."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    if tally is None:
        return result
    if tally.mode == Tally.Mode.BALLOTS:
        for mid, grade, n in (
            BallotMark.objects.filter(sheet__tally=tally)
            .values_list("member_id", "grade")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            result[mid][grade] = n
    else:
        for t in TallyTotal.objects.filter(tally=tally):
            result[t.member_id] = {
                "excellent": t.excellent,
                "qualified": t.qualified,
                "basic": t.basic,
                "unqualified": t.unqualified,
            }
    return result


def tally_rows(*, cycle: Cycle, branch: Branch, tally: Tally | None = None) -> list[TallyRow]:
    """民主测评统计表: each of the cycle's full members with marks per grade and share of valid ballots (4 queries)."""
    tally = tally or tally_for(cycle=cycle, branch=branch)
    counts = tally_counts(tally)
    valid = tally.valid if tally else 0
    members = rated_roster(cycle=cycle, branch=branch)
    return [TallyRow(member=m, counts=counts.get(m.pk, {}), valid=valid) for m in members]


def ballot_notes(*, tally: Tally | None) -> dict[int, list[str]]:
    """存在问题 notes per rated member, in alphabetical order (so no note can be put back on its sheet)."""
    notes: dict[int, list[str]] = defaultdict(list)
    if tally is None or tally.mode != Tally.Mode.BALLOTS:
        return {}
    for mid, note in (
        BallotMark.objects.filter(sheet__tally=tally)
        .exclude(note="")
        .order_by("note")
        .values_list("member_id", "note")
    ):
        notes[mid].append(note)
    # A plain dict: a template's `notes.items` on a defaultdict looks up the key "items" first and gets [] (the
    # notes never showed on the tally page, issue 13 fault 1).
    return dict(notes)


def cap_status(*, cycle: Cycle, branch: Branch) -> dict[str, int]:
    """R5.5 numbers for the grading page: the cap rests on the cycle's own full members."""
    rated = rated_members(cycle=cycle, branch=branch).count()
    excellent = Grade.objects.filter(cycle=cycle, branch=branch, grade=GradeChoice.EXCELLENT).count()
    return {"rated": rated, "cap": excellent_cap(rated), "excellent": excellent}


def grading_rows(*, cycle: Cycle, branch: Branch, tally: Tally | None = None) -> list[TallyRow]:
    """The grading page and 评议结果汇总表: tally beside each full member's grade, feedback and what follows."""
    rows = tally_rows(cycle=cycle, branch=branch, tally=tally)
    grades = {
        g.member_id: g
        for g in Grade.objects.filter(cycle=cycle, branch=branch).select_related(
            "feedback", "feedback__by", "follow_up", "follow_up__helper", "decided_by"
        )
    }
    for row in rows:
        row.grade = grades.get(row.member.pk)
        row.feedback = getattr(row.grade, "feedback", None) if row.grade else None
        row.follow_up = getattr(row.grade, "follow_up", None) if row.grade else None
        if row.grade:
            row.shown_grade, row.shown_opinion = row.grade.grade, row.grade.opinion
    return rows


def feedback_rows(*, cycle: Cycle, branch: Branch) -> list[TallyRow]:
    """The whole-table 反馈 page (R5.6): each rated member with their grade and its feedback, no tally (3 queries)."""
    grades = {
        g.member_id: g
        for g in Grade.objects.filter(cycle=cycle, branch=branch).select_related("feedback", "feedback__by")
    }
    rows = []
    for m in rated_roster(cycle=cycle, branch=branch):
        g = grades.get(m.pk)
        rows.append(TallyRow(member=m, counts={}, valid=0, grade=g, feedback=getattr(g, "feedback", None)))
    return rows


def grade_totals(rows: list[TallyRow]) -> list[tuple[str, int, float]]:
    """(label, members, share of rated) per grade, and the ungraded."""
    rated = len(rows)
    counts = defaultdict(int)
    for r in rows:
        counts[r.grade.grade if r.grade else ""] += 1
    result = [(str(g.label), counts[g.value], _pct(counts[g.value], rated)) for g in GRADES]
    result.append(("未评定", counts[""], _pct(counts[""], rated)))
    return result


def commitments_beside(*, cycle: Cycle, branch: Branch) -> dict[int, list[str]]:
    """member id -> lines on their commitments of the previous cycle and how they were reported (R5.1 beside the
    self-appraisal, R5.3 beside the grade). Answered by whatever settings.XINYI_PROVIDERS names; nothing without one."""
    answer = provider("commitments_beside")
    if answer is None:
        return {}
    return answer(cycle=cycle, branch=branch) or {}


@dataclass
class SelfMutualRow:
    member: Member
    record: SelfMutual | None
    commitments: list[str]  # last year's open commitments, shown beside the self-appraisal (R5.1, R6.5)
    shown: object = (
        None  # what the row's inputs show: the record, or what was typed when the table was refused
    )
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.shown is None:
            self.shown = self.record


def self_mutual_rows(*, cycle: Cycle, branch: Branch) -> list[SelfMutualRow]:
    """Everyone on the cycle's roster (正式 first, then 预备, by the cycle's own status), with their record."""
    members = sorted(cycle_roster(cycle=cycle, branch=branch), key=lambda m: (m.status, m.name))
    done = {s.member_id: s for s in SelfMutual.objects.filter(cycle=cycle, member__branch=branch)}
    beside = commitments_beside(cycle=cycle, branch=branch)
    return [SelfMutualRow(m, done.get(m.pk), beside.get(m.pk, [])) for m in members]


def present_count(*, cycle: Cycle, branch: Branch) -> int:
    return MeetingAttendance.objects.filter(
        meeting__cycle=cycle,
        meeting__branch=branch,
        status=MeetingAttendance.Status.PRESENT,
        member__in=cycle_members(cycle=cycle, branch=branch),
    ).count()


def daily_performance(*, cycle: Cycle, branch: Branch, members: list[Member]) -> dict[int, Performance]:
    """R5.3: per member, what the records of the cycle say (study, deliveries, talks, the meeting), last cycle's grade
    and how their commitments were reported. One query per table whatever the number of members."""
    ids = [m.pk for m in members]
    out = {pk: Performance() for pk in ids}
    for r in (
        StudyAttendance.objects.filter(session__cycle=cycle, session__branch=branch, member__in=ids)
        .values("member_id")
        .annotate(
            n_sessions=Count("pk"),
            n_present=Count("pk", filter=Q(present=True)),
            n_absent=Count("pk", filter=Q(present=False)),
            n_delivered=Count("pk", filter=Q(present=False, delivered_on__isnull=False)),
        )
        .order_by()
    ):
        p = out[r["member_id"]]
        p.study_sessions, p.study_present = r["n_sessions"], r["n_present"]
        p.study_absent, p.study_delivered = r["n_absent"], r["n_delivered"]
    for mid, n in (
        Talk.objects.filter(cycle=cycle, branch=branch, with_member__in=ids)
        .values_list("with_member")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        out[mid].talks = n
    labels = dict(MeetingAttendance.Status.choices)
    for mid, status in MeetingAttendance.objects.filter(
        meeting__cycle=cycle, meeting__branch=branch, member__in=ids
    ).values_list("member_id", "status"):
        out[mid].meeting = str(labels[status])
    last = previous_cycle(cycle=cycle, township_id=branch.township_id)
    if last is not None:
        grades = dict(GradeChoice.choices)
        last_grades = dict(Grade.objects.filter(cycle=last, member__in=ids).values_list("member_id", "grade"))
        for pk, p in out.items():
            p.last_year = last.year
            p.last_grade = str(grades[last_grades[pk]]) if pk in last_grades else ""
    for pk, lines in commitments_beside(cycle=cycle, branch=branch).items():
        if pk in out:
            out[pk].commitments = list(lines)
    return out


def attach_performance(rows: list[TallyRow], *, cycle: Cycle, branch: Branch) -> list[TallyRow]:
    facts = daily_performance(cycle=cycle, branch=branch, members=[r.member for r in rows])
    for row in rows:
        row.performance = facts[row.member.pk]
    return rows


@dataclass
class CommitteeResult:
    branch: Branch
    tally: Tally | None

    @property
    def cells(self) -> list[tuple[str, int, float]]:
        t = self.tally
        if t is None:
            return []
        return [
            ("满意", t.committee_satisfied, _pct(t.committee_satisfied, t.valid)),
            ("基本满意", t.committee_basic, _pct(t.committee_basic, t.valid)),
            ("不满意", t.committee_unsatisfied, _pct(t.committee_unsatisfied, t.valid)),
        ]


def committee_results(*, cycle: Cycle, branches) -> list[CommitteeResult]:
    """R5.9: the members' appraisal of each committee, for the township (2 queries)."""
    branches = list(branches)
    tallies = {t.branch_id: t for t in Tally.objects.filter(cycle=cycle, branch__in=branches)}
    return [CommitteeResult(branch=b, tally=tallies.get(b.pk)) for b in branches]


def commendation_pool(*, cycle: Cycle, township: Township):
    """R5.7: members graded 优秀 in the township's branches, the pool for the township's own commendations."""
    return (
        Grade.objects.filter(cycle=cycle, branch__township=township, grade=GradeChoice.EXCELLENT)
        .select_related("member", "branch", "follow_up")
        .order_by("branch__name", "member__name")
    )


def handlings(*, cycle: Cycle, township: Township):
    """R5.7: 不合格 grades and their handling, visible to the township."""
    return (
        Grade.objects.filter(cycle=cycle, branch__township=township, grade=GradeChoice.UNQUALIFIED)
        .select_related("member", "branch", "follow_up")
        .order_by("branch__name", "member__name")
    )


def grade_history(*, grade: Grade) -> list:
    """Every version of a grade, newest first, with who changed it (R5.4)."""
    return list(grade.history.select_related("history_user").order_by("-history_date", "-history_id"))


@dataclass
class OwnResult:
    cycle: Cycle
    grade: Grade | None  # only once fed back (R5.6)
    probationary: bool  # 预备党员 in that cycle: appraised, not graded (R5.8)


def own_results(*, member: Member) -> list[OwnResult]:
    """/me/: the member's own result in every cycle they took part in, newest first; nothing about anyone else.

    A cycle counts when its fixed roster lists the member, or (not yet fixed) when the member was in the party and in
    the branch during its year. Four queries however many years.
    """
    branch = member.branch
    by_year: dict[int, Cycle] = {}
    for c in cycles_for_township(township_id=branch.township_id):
        if (
            c.year not in by_year or c.township_id is not None
        ):  # the township's own cycle before the common one
            by_year[c.year] = c
    cycles = [by_year[y] for y in sorted(by_year, reverse=True)]
    fixed = set(
        BranchCycle.objects.filter(
            branch=branch, cycle__in=cycles, roster_fixed_on__isnull=False
        ).values_list("cycle_id", flat=True)
    )
    statuses = dict(
        Participant.objects.filter(member=member, cycle__in=cycles).values_list("cycle_id", "status")
    )
    grades = {
        g.cycle_id: g
        for g in Grade.objects.filter(member=member, cycle__in=cycles, feedback__isnull=False).select_related(
            "feedback", "feedback__by", "follow_up", "follow_up__helper"
        )
    }
    out = []
    for c in cycles:
        if c.pk in fixed:
            took_part = c.pk in statuses
        else:
            took_part = member.joined_on.year <= c.year and (
                member.left_on is None or member.left_on.year > c.year
            )
        if not (took_part or c.pk in grades):
            continue
        status = statuses.get(c.pk, member.status)
        out.append(OwnResult(c, grades.get(c.pk), status == Member.Status.PROBATIONARY))
    return out


def own_result(*, member: Member, cycle: Cycle | None) -> Grade | None:
    """/me/: the member's own grade, only once it was fed back (R5.6); nothing about anyone else."""
    if cycle is None:
        return None
    return (
        Grade.objects.filter(cycle=cycle, member=member, feedback__isnull=False)
        .select_related("feedback", "feedback__by", "follow_up", "follow_up__helper")
        .first()
    )


# ---- rule checks (R5.1, R5.4–R5.9) ----


def _roster_statuses(*, cycle: Cycle, ids: list[int]) -> dict[int, dict[int, str]]:
    """branch id -> {member id: status in the cycle}, by each branch's own roster (fixed or today's), three queries."""
    fixed = set(
        BranchCycle.objects.filter(cycle=cycle, branch__in=ids, roster_fixed_on__isnull=False).values_list(
            "branch_id", flat=True
        )
    )
    out: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    for b, m, status in Participant.objects.filter(cycle=cycle, branch__in=fixed).values_list(
        "branch_id", "member_id", "status"
    ):
        out[b][m] = status
    for b, m, status in (
        Member.objects.filter(branch__in=set(ids) - fixed).active().values_list("branch_id", "pk", "status")
    ):
        out[b][m] = status
    return out


def checks(*, cycle: Cycle, branches) -> dict[int, list[Check]]:
    """Five queries for any number of branches (six when some rosters are fixed and some not), on each branch's
    roster of the cycle, not today's."""
    branches = list(branches)
    ids = [b.pk for b in branches]
    rosters = _roster_statuses(cycle=cycle, ids=ids)
    members = {
        pk: {
            "n_active": len(r),
            "n_full": sum(1 for s in r.values() if s == Member.Status.FULL),
        }
        for pk, r in rosters.items()
    }
    sm = dict(
        SelfMutual.objects.filter(cycle=cycle, member__branch__in=ids, self_done=True, mutual_done=True)
        .values_list("member__branch")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tallies = {t.branch_id: t for t in Tally.objects.filter(cycle=cycle, branch__in=ids)}
    grades = {pk: {"n": 0, "all": 0, "excellent": 0, "probationary": 0, "fed": 0, "follows": 0} for pk in ids}
    for b, mid, grade, fed, follows in Grade.objects.filter(cycle=cycle, branch__in=ids).values_list(
        "branch_id", "member_id", "grade", "feedback", "follow_up"
    ):
        g, status = grades[b], rosters[b].get(mid)
        g["all"] += 1
        g["n"] += status == Member.Status.FULL
        g["probationary"] += status == Member.Status.PROBATIONARY
        g["excellent"] += grade == GradeChoice.EXCELLENT
        g["fed"] += fed is not None
        g["follows"] += follows is not None
    url = reverse("appraisal_home")
    grading = reverse("appraisal_grades")
    result = {}
    for b in branches:
        m = members.get(b.pk, {"n_active": 0, "n_full": 0})
        t = tallies.get(b.pk)
        g = grades[b.pk]
        done = sm.get(b.pk, 0)
        out = []
        if t is not None and t.is_closed:
            out.append(Check("R5.1", Status.PASS, f"自评互评 {done} 人，民主测评已计票，组织评定在后", url))
        elif t is not None:
            out.append(Check("R5.1", Status.WARN, f"自评互评 {done} 人，民主测评尚未计票完成", url))
        else:
            out.append(
                Check("R5.1", Status.WARN, f"自评互评 {done}/{m['n_active']} 人，尚未录入民主测评", url)
            )
        missing = m["n_full"] - g["n"]
        out.append(
            Check("R5.4", Status.PASS, f"正式党员 {m['n_full']} 人全部评定", grading)
            if missing <= 0 and m["n_full"]
            else Check("R5.4", Status.FAIL, f"正式党员 {m['n_full']} 人，{missing} 人未评定", grading)
        )
        cap = excellent_cap(m["n_full"])
        out.append(
            Check(
                "R5.5",
                Status.PASS if g["excellent"] <= cap else Status.FAIL,
                f"参评正式党员 {m['n_full']} 人，优秀最多 {cap} 人，评定优秀 {g['excellent']} 人",
                grading,
            )
        )
        unfed = g["all"] - g["fed"]
        if not g["all"]:
            out.append(Check("R5.6", Status.WARN, "尚未评定，无需反馈", grading))
        elif unfed:
            out.append(Check("R5.6", Status.FAIL, f"已评定 {g['all']} 人，{unfed} 人未反馈", grading))
        else:
            out.append(Check("R5.6", Status.PASS, f"已评定 {g['all']} 人全部反馈本人", grading))
        nofollow = g["all"] - g["follows"]
        if not g["all"]:
            out.append(Check("R5.7", Status.WARN, "尚未评定，暂无后续措施", grading))
        elif nofollow:
            out.append(
                Check(
                    "R5.7",
                    Status.FAIL,
                    f"{nofollow} 人的评定没有后续措施（表扬、提希望、帮扶或处置）",
                    grading,
                )
            )
        else:
            out.append(Check("R5.7", Status.PASS, "每个评定等次都有后续措施", grading))
        out.append(
            Check("R5.8", Status.PASS, "预备党员未评定等次", grading)
            if not g["probationary"]
            else Check("R5.8", Status.FAIL, f"{g['probationary']} 名预备党员被评定了等次", grading)
        )
        out.append(
            Check("R5.9", Status.PASS, f"党员对支委会评价 {t.committee_marked} 票已统计", url)
            if t is not None and t.committee_marked
            else Check("R5.9", Status.WARN, "尚无党员对支委会的评价", url)
        )
        result[b.pk] = out
    return result


def summary(*, cycle: Cycle, branches) -> dict[int, dict]:
    """The township overview's columns: graded, 优秀, and the members' appraisal of the committee (R5.9). Two queries."""
    ids = [b.pk for b in branches]
    grades = {
        r["branch"]: r
        for r in Grade.objects.filter(cycle=cycle, branch__in=ids)
        .values("branch")
        .annotate(graded=Count("pk"), excellent=Count("pk", filter=Q(grade=GradeChoice.EXCELLENT)))
        .order_by()
    }
    tallies = {t.branch_id: t for t in Tally.objects.filter(cycle=cycle, branch__in=ids)}
    result = {}
    for pk in ids:
        g, t = grades.get(pk, {}), tallies.get(pk)
        committee = ""
        if t is not None and t.committee_marked:
            committee = f"满意 {t.committee_satisfied}、基本满意 {t.committee_basic}、不满意 {t.committee_unsatisfied}"
        result[pk] = {
            "graded": g.get("graded", 0),
            "excellent": g.get("excellent", 0),
            "committee": committee,
        }
    return result


# ---- archive (R7.2) ----


def archive_context(*, cycle: Cycle, branch: Branch) -> dict:
    """The appraisal part of the archive: tally, results, feedback, what follows, the committee's appraisal."""
    tally = tally_for(cycle=cycle, branch=branch)
    rows = grading_rows(cycle=cycle, branch=branch, tally=tally)
    return {
        "appraisal_tally": tally,
        "appraisal_rows": rows,
        "appraisal_totals": grade_totals(rows),
        "appraisal_committee": CommitteeResult(branch=branch, tally=tally),
        "appraisal_cap": {"rated": len(rows), "cap": excellent_cap(len(rows))},
    }


@dataclass
class BallotContext:
    branch: Branch
    cycle: Cycle
    members: list[Member]
    copies: int
    grades: list = field(default_factory=lambda: [str(g.label) for g in GRADES])


def ballot_context(*, cycle: Cycle, branch: Branch, copies: int) -> BallotContext:
    """The printable ballot: the cycle's full members (R5.8: not the 预备党员), `copies` sheets."""
    return BallotContext(
        branch=branch, cycle=cycle, members=rated_roster(cycle=cycle, branch=branch), copies=copies
    )
