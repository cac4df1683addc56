"""Every read of the democratic appraisal that a page, an export, the archive or the township needs.

Nothing here returns a ballot sheet with its number next to anything that names a voter: the tally is per rated member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from branch.checks import Check, Status
from branch.models import Branch, Cycle, Member, Township
from meetings.models import MeetingAttendance

from .models import BallotMark, Grade, GradeChoice, SelfMutual, Tally, TallyTotal
from .services import excellent_cap, rated_members

GRADES = list(GradeChoice)  # 优秀, 合格, 基本合格, 不合格


def _pct(n: int, d: int) -> float:
    return round(100 * n / d, 1) if d else 0.0


@dataclass
class TallyRow:
    member: Member
    counts: dict[str, int]  # grade value -> marks
    valid: int
    grade: Grade | None = None

    @property
    def marked(self) -> int:
        return sum(self.counts.values())

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
    """民主测评统计表: each rated full member with marks per grade and share of valid ballots (3 queries)."""
    tally = tally or tally_for(cycle=cycle, branch=branch)
    counts = tally_counts(tally)
    valid = tally.valid if tally else 0
    members = rated_members(branch=branch).select_related("group").order_by("name")
    return [TallyRow(member=m, counts=counts.get(m.pk, {}), valid=valid) for m in members]


def ballot_notes(*, tally: Tally | None) -> dict[int, list[str]]:
    """存在问题 notes per rated member, in alphabetical order (so no note can be put back on its sheet)."""
    notes: dict[int, list[str]] = defaultdict(list)
    if tally is None or tally.mode != Tally.Mode.BALLOTS:
        return notes
    for mid, note in (
        BallotMark.objects.filter(sheet__tally=tally)
        .exclude(note="")
        .order_by("note")
        .values_list("member_id", "note")
    ):
        notes[mid].append(note)
    return notes


def cap_status(*, cycle: Cycle, branch: Branch) -> dict[str, int]:
    """R5.5 numbers for the grading page."""
    rated = rated_members(branch=branch).count()
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


def self_mutual_rows(*, cycle: Cycle, branch: Branch) -> list[tuple[Member, SelfMutual | None]]:
    members = list(Member.objects.filter(branch=branch).active().order_by("status", "name"))
    done = {s.member_id: s for s in SelfMutual.objects.filter(cycle=cycle, member__branch=branch)}
    return [(m, done.get(m.pk)) for m in members]


def present_count(*, cycle: Cycle, branch: Branch) -> int:
    return MeetingAttendance.objects.filter(
        meeting__cycle=cycle, meeting__branch=branch, status=MeetingAttendance.Status.PRESENT
    ).count()


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


def checks(*, cycle: Cycle, branches) -> dict[int, list[Check]]:
    """Four queries for any number of branches."""
    branches = list(branches)
    ids = [b.pk for b in branches]
    active = Q(members__left_on__isnull=True)
    members = {
        r["pk"]: r
        for r in Branch.objects.filter(pk__in=ids)
        .annotate(
            n_active=Count("members", filter=active),
            n_full=Count("members", filter=active & Q(members__status=Member.Status.FULL)),
        )
        .values("pk", "n_active", "n_full")
    }
    sm = dict(
        SelfMutual.objects.filter(cycle=cycle, member__branch__in=ids, self_done=True, mutual_done=True)
        .values_list("member__branch")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tallies = {t.branch_id: t for t in Tally.objects.filter(cycle=cycle, branch__in=ids)}
    grades = {
        r["branch"]: r
        for r in Grade.objects.filter(cycle=cycle, branch__in=ids)
        .values("branch")
        .annotate(
            n=Count("pk", filter=Q(member__status=Member.Status.FULL)),
            excellent=Count("pk", filter=Q(grade=GradeChoice.EXCELLENT)),
            probationary=Count("pk", filter=Q(member__status=Member.Status.PROBATIONARY)),
            fed=Count("pk", filter=Q(feedback__isnull=False)),
            follows=Count("pk", filter=Q(follow_up__isnull=False)),
        )
        .order_by()
    }
    url = reverse("appraisal_home")
    grading = reverse("appraisal_grades")
    result = {}
    for b in branches:
        m = members.get(b.pk, {"n_active": 0, "n_full": 0})
        t = tallies.get(b.pk)
        g = grades.get(b.pk, {"n": 0, "excellent": 0, "probationary": 0, "fed": 0, "follows": 0})
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
        unfed = g["n"] - g["fed"]
        if not g["n"]:
            out.append(Check("R5.6", Status.WARN, "尚未评定，无需反馈", grading))
        elif unfed:
            out.append(Check("R5.6", Status.FAIL, f"已评定 {g['n']} 人，{unfed} 人未反馈", grading))
        else:
            out.append(Check("R5.6", Status.PASS, f"已评定 {g['n']} 人全部反馈本人", grading))
        nofollow = g["n"] - g["follows"]
        if not g["n"]:
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
    """The printable ballot: every rated full member (R5.8: not the 预备党员), `copies` sheets."""
    return BallotContext(
        branch=branch, cycle=cycle, members=list(rated_members(branch=branch).order_by("name")), copies=copies
    )
