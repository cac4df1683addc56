"""Where each branch stands in the cycle: the eight steps of the dashboard, from the records and the rule checks (R0.1).

Steps: the six of the plan (study, talks, problems, meeting with reports and criticism, appraisal, rectification) plus the
preparation of the meeting (R4.5) and the archive (R7.2). A step is
- done (已完成): its records exist and none of its rules fails or warns;
- under way (进行中): some records exist, or a rule of the step still fails or warns;
- missing (未开始): nothing recorded yet, or the part of the system that records it is not built.

Dates are measured against the cycle's deadline. "Today" is the cycle's reference day (`rectification.dates.today_for`,
the one function for it): the real calendar day, but no later than the end of the cycle's rectification year (31 December
of the year after). A step that is done shows its completion date against the deadline ("提前 N 天完成"), a step not
done shows the days left or overdue from that day: for the 2018 cycle read in 2026, an unfinished step is overdue as it
stood when its time was up, not by a count that grows for ever.

All branches are computed together with a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from branch.checks import Check, Status
from branch.models import Branch, Cycle
from meetings.models import (
    Meeting,
    MeetingAttendance,
    Problem,
    RequiredMaterial,
    Speech,
    StudySession,
    Talk,
)
from rectification.dates import today_for

from . import checks as rule_checks

DONE, UNDER_WAY, MISSING = "done", "under_way", "missing"
STATE_LABELS = {DONE: "已完成", UNDER_WAY: "进行中", MISSING: "未开始"}


@dataclass(frozen=True)
class StepDef:
    key: str
    title: str
    rules: str  # shown as "依据工作方案 …"
    prefixes: tuple[str, ...]  # which rule numbers belong to the step
    module: str  # REGISTRY key of the selectors that record it ("" for xinyi's own)
    url_name: str = ""


STEPS = [
    StepDef("study", "精心组织学习", "R1", ("R1.",), "before", "study_list"),
    StepDef("talks", "开展谈心谈话", "R2", ("R2.",), "before", "talk_list"),
    StepDef("problems", "查摆突出问题", "R3", ("R3.",), "before", "problem_list"),
    StepDef(
        "preparation", "会前准备（与镇党委沟通、通知党员）", "R4.5", ("R4.5",), "meeting", "meeting_prepare"
    ),
    StepDef(
        "meeting",
        "召开组织生活会：述职与批评",
        "R4",
        ("R4.1", "R4.2", "R4.3", "R4.4", "R4.6", "R4.7", "R0.2", "R0.3"),
        "meeting",
        "meeting_detail",
    ),
    StepDef("appraisal", "开展民主评议", "R5", ("R5.",), "appraisal", "appraisal_home"),
    StepDef("rectification", "抓好整改落实", "R6", ("R6.",), "rectification", "rectification_home"),
    StepDef("archive", "整理档案资料", "R7.2", ("R7.",), "", "dashboard_archive"),
]

DATED_STEPS = [s for s in STEPS if s.key in ("study", "talks", "preparation")]


@dataclass
class Facts:
    """What the records of one branch say, before any rule is applied."""

    meeting: Meeting | None = None
    study_sessions: int = 0
    study_last: date | None = None
    materials_covered: int = 0
    materials_required: int = 0
    talks: int = 0
    talks_last: date | None = None
    committee_problems: int = 0
    member_problems: int = 0
    speeches: int = 0
    attendance: int = 0
    # From the appraisal and rectification apps once they are built (empty before):
    appraisal: dict = field(default_factory=dict)  # graded, excellent, committee, satisfied
    rectification: dict = field(default_factory=dict)  # filed, measures, overdue


@dataclass
class Step:
    key: str
    title: str
    rules: str
    state: str
    done_on: date | None
    when: str  # "提前 N 天完成" / "还剩 N 天" / "逾期 N 天" / ""
    detail: str
    link: str
    checks: list[Check] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_done(self) -> bool:
        return self.state == DONE


@dataclass
class BranchCycle:
    branch: Branch
    cycle: Cycle
    facts: Facts
    steps: list[Step]
    checks: list[Check]
    missing_modules: list[str]

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.is_done)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == Status.FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == Status.WARN]

    @property
    def overdue(self) -> list[Step]:
        """Steps finished after the deadline, or unfinished with the deadline passed."""
        return [s for s in self.steps if s.when.startswith("逾期")]


def _count(qs) -> Subquery:
    return Coalesce(Subquery(qs.order_by().values("meeting").annotate(n=Count("pk")).values("n")[:1]), 0)


def facts(*, cycle: Cycle, branches: list[Branch]) -> dict[int, Facts]:
    """Six queries whatever the number of branches."""
    ids = [b.pk for b in branches]
    result = {pk: Facts() for pk in ids}
    required = RequiredMaterial.objects.filter(cycle=cycle).count()
    for pk in ids:
        result[pk].materials_required = required
    # Counted in subqueries: joining both would multiply attendance by speeches before counting.
    meetings = Meeting.objects.filter(cycle=cycle, branch_id__in=ids).annotate(
        n_speeches=_count(Speech.objects.filter(meeting=OuterRef("pk"))),
        n_attendance=_count(MeetingAttendance.objects.filter(meeting=OuterRef("pk"))),
    )
    for m in meetings:
        f = result[m.branch_id]
        f.meeting, f.speeches, f.attendance = m, m.n_speeches, m.n_attendance
    for row in (
        StudySession.objects.filter(cycle=cycle, branch_id__in=ids)
        .values("branch_id")
        .annotate(n=Count("pk"), last=Max("held_on"))
    ):
        result[row["branch_id"]].study_sessions = row["n"]
        result[row["branch_id"]].study_last = row["last"]
    for row in (
        StudySession.materials.through.objects.filter(
            studysession__cycle=cycle, studysession__branch_id__in=ids, requiredmaterial__cycle=cycle
        )
        .values("studysession__branch_id")
        .annotate(n=Count("requiredmaterial_id", distinct=True))
    ):
        result[row["studysession__branch_id"]].materials_covered = row["n"]
    for row in (
        Talk.objects.filter(cycle=cycle, branch_id__in=ids)
        .values("branch_id")
        .annotate(n=Count("pk"), last=Max("held_on"))
    ):
        result[row["branch_id"]].talks = row["n"]
        result[row["branch_id"]].talks_last = row["last"]
    for row in (
        Problem.objects.filter(cycle=cycle, branch_id__in=ids)
        .values("branch_id")
        .annotate(c=Count("pk", filter=Q(member__isnull=True)), m=Count("pk", filter=Q(member__isnull=False)))
    ):
        result[row["branch_id"]].committee_problems = row["c"]
        result[row["branch_id"]].member_problems = row["m"]
    return result


def appraisal_figures(*, cycle: Cycle, branches: list[Branch]) -> dict[int, dict]:
    """Members graded, how many 优秀, and the members' appraisal of the committee (R5.9); empty until R5 is built."""
    module = rule_checks.load_key("appraisal")
    if module is None:
        return {}
    from appraisal.models import Grade, GradeChoice

    out: dict[int, dict] = {b.pk: {} for b in branches}
    for row in (
        Grade.objects.filter(cycle=cycle, branch__in=branches)
        .values("branch_id")
        .annotate(n=Count("pk"), excellent=Count("pk", filter=Q(grade=GradeChoice.EXCELLENT)))
    ):
        out[row["branch_id"]].update(graded=row["n"], excellent=row["excellent"])
    for result in module.committee_results(cycle=cycle, branches=branches):
        cells = result.cells
        if cells:
            out[result.branch.pk]["committee"] = "，".join(f"{label} {pct:g}%" for label, _n, pct in cells)
            out[result.branch.pk]["satisfied"] = cells[0][2]
    return out


def rectification_figures(*, cycle: Cycle, branches: list[Branch], today: date) -> dict[int, dict]:
    """Measures filed with the township (R6.2) and overdue (R6.6); empty until R6 is built."""
    module = rule_checks.load_key("rectification")
    if module is None:
        return {}
    data = module.branches_rectification(cycle=cycle, branches=branches, day=today_for(cycle, today))
    return {
        pk: {
            "filed": r.filing is not None,
            # which state the filing is in, not only that there is one (issue 13 fault 8)
            "filing_state": str(r.filing.get_status_display()) if r.filing is not None else "",
            "measures": len(r.measures),
            "overdue": len(r.overdue),
        }
        for pk, r in data.items()
    }


def _records(step: StepDef, f: Facts) -> tuple[bool, bool, date | None, str]:
    """(anything recorded, records complete, completion date, one line of detail) for one step."""
    m = f.meeting
    held = m.held_on if m else None
    if step.key == "study":
        # R1.2: a cycle with no required material has not done its study (nothing to cover is not "all covered").
        complete = f.study_sessions > 0 and 0 < f.materials_required <= f.materials_covered
        detail = f"集中学习 {f.study_sessions} 次，必学内容覆盖 {f.materials_covered}/{f.materials_required}"
        return f.study_sessions > 0, complete, f.study_last if complete else None, detail
    if step.key == "talks":
        return f.talks > 0, f.talks > 0, f.talks_last, f"谈心谈话 {f.talks} 次"
    if step.key == "problems":
        anything = f.committee_problems + f.member_problems > 0
        complete = f.committee_problems > 0 and f.member_problems > 0
        # Problems carry no date of their own: they are found before the meeting, so the meeting dates them.
        detail = f"支委会问题 {f.committee_problems} 条，党员问题 {f.member_problems} 条"
        return anything, complete, held if complete else None, detail
    if step.key == "preparation":
        if m is None:
            return False, False, None, "尚未建立组织生活会"
        complete = bool(m.township_contacted_on and m.township_invited and m.notified_in_advance)
        done_on = max(d for d in (m.township_contacted_on, m.members_notified_on) if d) if complete else None
        parts = [
            f"与镇党委沟通：{rule_checks.cn_date(m.township_contacted_on) or '未录入'}",
            f"通知党员：{rule_checks.cn_date(m.members_notified_on) or '未录入'}",
        ]
        if m.members_notified_on and not m.notified_in_advance:
            parts.append(f"通知不早于会期{rule_checks.cn_date(m.meets_on)}，未做到提前通知（R4.5）")
        return True, complete, done_on, "；".join(parts)
    if step.key == "meeting":
        if m is None:
            return False, False, None, "尚未建立组织生活会"
        complete = held is not None and f.speeches > 0 and f.attendance > 0
        detail = (
            f"计划{rule_checks.cn_date(m.planned_on)}" if held is None else f"{rule_checks.cn_date(held)}召开"
        )
        return (
            True,
            complete,
            held if complete else None,
            f"{detail}，出席记录 {f.attendance} 条，发言 {f.speeches} 条",
        )
    return False, False, None, ""


def _first_link(checks: list[Check], fallback: str) -> str:
    for status in (Status.FAIL, Status.WARN):
        for c in checks:
            if c.status == status and c.url:
                return c.url
    return fallback


def build(
    *, cycle: Cycle, branches: list[Branch], today: date | None = None, archive_url: str = ""
) -> dict[int, BranchCycle]:
    """Every branch's steps and checks, computed together."""
    today = today_for(cycle, today)
    branches = list(branches)
    all_facts = facts(cycle=cycle, branches=branches)
    for pk, figures in appraisal_figures(cycle=cycle, branches=branches).items():
        all_facts[pk].appraisal = figures
    for pk, figures in rectification_figures(cycle=cycle, branches=branches, today=today).items():
        all_facts[pk].rectification = figures
    checks = rule_checks.evaluate(cycle=cycle, branches=branches, today=today, facts=all_facts)
    present = {step.key for step, _ in rule_checks.present_steps()}
    missing_modules = [s.label for s in rule_checks.REGISTRY if s.key not in present]
    step_urls = {step.key: reverse(step.url_name) for step in STEPS}  # once, not per branch
    result = {}
    for branch in branches:
        f = all_facts[branch.pk]
        branch_checks = checks.get(branch.pk, [])
        steps = []
        for step in STEPS:
            own = [c for c in branch_checks if c.rule.startswith(step.prefixes)]
            built = step.module == "" or step.module in present
            anything, complete, done_on, detail = _records(step, f)
            if step.key in ("appraisal", "rectification"):
                # Their records are read by their own app; its rule checks say how far they are.
                if step.key == "appraisal":
                    anything = bool(f.appraisal.get("graded") or f.appraisal.get("committee"))
                    detail = f"已评定等次 {f.appraisal.get('graded', 0)} 人" if anything else "尚未评定"
                else:
                    anything = bool(f.rectification.get("measures"))
                    detail = (
                        f"整改措施 {f.rectification['measures']} 条，逾期 {f.rectification['overdue']} 条"
                        if anything
                        else "尚未制定整改措施"
                    )
                complete = anything and all(c.status == Status.PASS for c in own)
                # The appraisal is held at the general meeting (R5.1): the meeting dates it.
                done_on = f.meeting.held_on if step.key == "appraisal" and complete and f.meeting else None
            if step.key == "archive":
                steps_before = [s for s in steps if s.key != "rectification"]
                complete = (
                    f.meeting is not None
                    and f.meeting.held_on is not None
                    and not missing_modules
                    and all(s.is_done for s in steps_before)
                )
                anything = f.meeting is not None
                done_on = f.meeting.held_on if complete else None
                detail = "档案可随时生成" + (
                    "" if not missing_modules else f"；尚缺：{'、'.join(missing_modules)}"
                )
            if not built and not anything:
                state, detail = MISSING, "该步骤的记录功能尚未上线"
            elif complete and not any(c.status != Status.PASS for c in own):
                state = DONE
            elif anything:
                state = UNDER_WAY
            else:
                state = MISSING
            if step.key == "rectification" or (state == DONE and done_on is None):
                # Rectification runs on after the meeting (R6.4 half a year, R6.5 quarterly): the deadline is not its
                # own; its lateness is R6's own checks (overdue measures).
                when = ""
            else:
                when = rule_checks.days_label(done_on if state == DONE else None, cycle.deadline, today)
            fallback = archive_url if step.key == "archive" else step_urls[step.key]
            steps.append(
                Step(
                    key=step.key,
                    title=step.title,
                    rules=step.rules,
                    state=state,
                    done_on=done_on if state == DONE else None,
                    when=when,
                    detail=detail,
                    link=_first_link(own, fallback),
                    checks=own,
                )
            )
        result[branch.pk] = BranchCycle(
            branch=branch,
            cycle=cycle,
            facts=f,
            steps=steps,
            checks=branch_checks,
            missing_modules=missing_modules,
        )
    return result


def for_branch(
    *, cycle: Cycle, branch: Branch, today: date | None = None, archive_url: str = ""
) -> BranchCycle:
    return build(cycle=cycle, branches=[branch], today=today, archive_url=archive_url)[branch.pk]
