"""Year against year for each branch of a township (R7.1): for every cycle, the steps done by its deadline, the grade
distribution (R5.4) and the measures done (R6.1), and where the branch's cycle stands.

Ten queries whatever the number of branches and years: each figure is aggregated over (branch, cycle) in one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from appraisal.models import Grade, GradeChoice
from branch.models import Branch, BranchCycle, Cycle, Township
from branch.selectors import cycles_for_township
from meetings.models import Meeting, Problem, RequiredMaterial, StudySession, Talk
from rectification.models import Measure

from .cycles import STATE_LABELS

# The steps with a date of their own before the deadline (R0.1): 学习, 谈心谈话, 查摆问题, 会前准备, 召开会议.
STEPS_BY_DEADLINE = 5


@dataclass
class YearCell:
    cycle: Cycle
    state: str = BranchCycle.State.OPEN
    steps: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    measures: int = 0
    measures_done: int = 0

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def grades_label(self) -> str:
        parts = [f"{label} {self.grades[v]}" for v, label in GradeChoice.choices if self.grades.get(v)]
        return "，".join(parts) or "未评定"


@dataclass
class YearRow:
    branch: Branch
    cells: list[YearCell]


@dataclass
class YearTable:
    cycles: list[Cycle]
    rows: list[YearRow]
    step_count: int = STEPS_BY_DEADLINE


def _one_per_year(township: Township) -> list[Cycle]:
    """The township's cycle of each year (its own where it issued one, else the common one), oldest first."""
    by_year: dict[int, Cycle] = {}
    for c in cycles_for_township(township_id=township.pk):
        if c.year not in by_year or c.township_id is not None:
            by_year[c.year] = c
    return [by_year[y] for y in sorted(by_year)]


def table(*, township: Township, branches) -> YearTable:
    branches = list(branches)
    cycles = _one_per_year(township)
    ids, cycle_ids = [b.pk for b in branches], [c.pk for c in cycles]
    by_deadline = Q(held_on__lte=F("cycle__deadline"))
    key = ("branch_id", "cycle_id")

    required = dict(
        RequiredMaterial.objects.filter(cycle_id__in=cycle_ids)
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    studied = {
        (r["branch_id"], r["cycle_id"])
        for r in StudySession.objects.filter(by_deadline, cycle_id__in=cycle_ids, branch_id__in=ids).values(
            *key
        )
    }
    covered = {
        (r["studysession__branch_id"], r["studysession__cycle_id"]): r["n"]
        for r in StudySession.materials.through.objects.filter(
            studysession__cycle_id__in=cycle_ids,
            studysession__branch_id__in=ids,
            studysession__held_on__lte=F("studysession__cycle__deadline"),
            requiredmaterial__cycle_id=F("studysession__cycle_id"),
        )
        .values("studysession__branch_id", "studysession__cycle_id")
        .annotate(n=Count("requiredmaterial_id", distinct=True))
    }
    talked = {
        (r["branch_id"], r["cycle_id"])
        for r in Talk.objects.filter(by_deadline, cycle_id__in=cycle_ids, branch_id__in=ids).values(*key)
    }
    problems = {
        (r["branch_id"], r["cycle_id"]): (r["c"], r["m"])
        for r in Problem.objects.filter(cycle_id__in=cycle_ids, branch_id__in=ids)
        .values(*key)
        .annotate(c=Count("pk", filter=Q(member__isnull=True)), m=Count("pk", filter=Q(member__isnull=False)))
    }
    meetings = {
        (m.branch_id, m.cycle_id): m
        for m in Meeting.objects.filter(cycle_id__in=cycle_ids, branch_id__in=ids)
    }
    grades: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for r in (
        Grade.objects.filter(cycle_id__in=cycle_ids, branch_id__in=ids)
        .values(*key, "grade")
        .annotate(n=Count("pk"))
    ):
        grades[(r["branch_id"], r["cycle_id"])][r["grade"]] = r["n"]
    measures = {
        (r["branch_id"], r["cycle_id"]): (r["n"], r["done"])
        for r in Measure.objects.filter(cycle_id__in=cycle_ids, branch_id__in=ids)
        .values(*key)
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=Measure.Status.DONE)))
    }
    states = {
        (r["branch_id"], r["cycle_id"]): r["state"]
        for r in BranchCycle.objects.filter(cycle_id__in=cycle_ids, branch_id__in=ids).values(*key, "state")
    }

    rows = []
    for b in branches:
        cells = []
        for c in cycles:
            k = (b.pk, c.pk)
            m = meetings.get(k)
            held_in_time = bool(m and m.held_on and m.held_on <= c.deadline)
            prepared = bool(
                m
                and m.township_invited
                and m.township_contacted_on
                and m.notified_in_advance
                and max(m.township_contacted_on, m.members_notified_on) <= c.deadline
            )
            committee_problems, member_problems = problems.get(k, (0, 0))
            done = [
                # R1.2 needs at least one required material, each studied by the deadline
                k in studied and required.get(c.pk, 0) > 0 and covered.get(k, 0) >= required[c.pk],
                k in talked,
                # problems carry no date of their own: the meeting dates them
                committee_problems > 0 and member_problems > 0 and held_in_time,
                prepared,
                held_in_time,
            ]
            n, n_done = measures.get(k, (0, 0))
            cells.append(
                YearCell(
                    cycle=c,
                    state=states.get(k, BranchCycle.State.OPEN),
                    steps=sum(done),
                    grades=grades.get(k, {}),
                    measures=n,
                    measures_done=n_done,
                )
            )
        rows.append(YearRow(branch=b, cells=cells))
    return YearTable(cycles=cycles, rows=rows)
