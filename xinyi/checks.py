"""The one rule-check computation: every step's `checks` plus the whole cycle's R0.1, for any number of branches.

The dashboard, the township overview, the archive and `cycle_status` all show `evaluate(...)`: one result, four views.
Each step lives in its own selectors module (the contract in branch/checks.py). A step that has not been built yet has
no module; it is left out and shown as missing — but an error inside a module that exists is never swallowed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from types import ModuleType

from branch.checks import Check, Status
from branch.models import Branch, Cycle
from meetings.models import Meeting


@dataclass(frozen=True)
class StepModule:
    key: str  # "before"
    label: str  # shown when the step is missing
    selectors: str  # module path holding checks() and archive_context()
    archive_template: str  # templates/<app>/archive_<part>.html


# Rules of the whole cycle, evaluated here only.
XINYI_RULES = frozenset({"R0.1"})

# In the order the plan runs them.
REGISTRY = [
    StepModule(
        "before",
        "学习、谈心谈话、查摆问题（R1–R3）",
        "meetings.selectors.before",
        "meetings/archive_before.html",
    ),
    StepModule("meeting", "组织生活会（R4）", "meetings.selectors.meeting", "meetings/archive_meeting.html"),
    StepModule("appraisal", "民主评议（R5）", "appraisal.selectors", "appraisal/archive_appraisal.html"),
    StepModule(
        "rectification",
        "整改落实（R6）",
        "rectification.selectors",
        "rectification/archive_rectification.html",
    ),
]


def load(step: StepModule) -> ModuleType | None:
    """The step's selectors module, or None while that module does not exist yet."""
    try:
        return importlib.import_module(step.selectors)
    except ModuleNotFoundError as exc:
        # Only the module itself (or its package) missing means "not built yet"; a broken import inside it is raised.
        if exc.name and step.selectors.startswith(exc.name):
            return None
        raise


def load_key(key: str) -> ModuleType | None:
    step = next((s for s in REGISTRY if s.key == key), None)
    return load(step) if step else None


def present_steps() -> list[tuple[StepModule, ModuleType]]:
    return [(step, module) for step in REGISTRY if (module := load(step)) is not None]


def missing_steps() -> list[StepModule]:
    return [step for step in REGISTRY if load(step) is None]


def days_label(done_on: date | None, deadline: date, today: date) -> str:
    """A date against the deadline in the words the secretary uses (R0.1)."""
    if done_on is not None:
        delta = (deadline - done_on).days
        if delta > 0:
            return f"提前 {delta} 天完成"
        if delta == 0:
            return "期限当天完成"
        return f"逾期 {-delta} 天完成"
    delta = (deadline - today).days
    if delta >= 0:
        return f"还剩 {delta} 天"
    return f"逾期 {-delta} 天"


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def deadline_checks(
    *, cycle: Cycle, branches: list[Branch], meetings: dict[int, Meeting], today: date
) -> dict[int, list[Check]]:
    """R0.1: the meeting (where the appraisal is held too, R5.1) is held by the deadline."""
    result: dict[int, list[Check]] = {}
    deadline = cycle.deadline
    url = ""  # R0.1 is fixed where the step itself is recorded; the dashboard lists those links
    for branch in branches:
        meeting = meetings.get(branch.pk)
        held_on = meeting.held_on if meeting else None
        if held_on is not None and held_on <= deadline:
            check = Check(
                "R0.1",
                Status.PASS,
                f"组织生活会于{cn_date(held_on)}召开，{days_label(held_on, deadline, today)}",
                url,
            )
        elif held_on is not None:
            check = Check(
                "R0.1",
                Status.FAIL,
                f"组织生活会于{cn_date(held_on)}召开，超过{cn_date(deadline)}的期限 {(held_on - deadline).days} 天",
                url,
            )
        elif today <= deadline:
            check = Check(
                "R0.1",
                Status.WARN,
                f"组织生活会尚未召开，距{cn_date(deadline)}期限{days_label(None, deadline, today)}",
                url,
            )
        else:
            check = Check(
                "R0.1",
                Status.FAIL,
                f"组织生活会未在{cn_date(deadline)}前召开（{days_label(None, deadline, today)}）",
                url,
            )
        result[branch.pk] = [check]
    return result


def steps_by_deadline_checks(
    *, cycle: Cycle, branches: list[Branch], facts: dict, today: date
) -> dict[int, Check]:
    """R0.1: each dated step before the meeting (study, talks, preparation) is done by the deadline."""
    from .progress import DATED_STEPS, _records

    result = {}
    url = ""  # R0.1 is fixed where the step itself is recorded; the dashboard lists those links
    for branch in branches:
        late, open_ = [], []
        for step in DATED_STEPS:
            _anything, complete, done_on, _detail = _records(step, facts[branch.pk])
            if complete and done_on and done_on > cycle.deadline:
                late.append(f"{step.title}{days_label(done_on, cycle.deadline, today)}")
            elif not complete:
                open_.append(step.title)
        if late or (open_ and today > cycle.deadline):
            parts = late + ([f"未完成：{'、'.join(open_)}"] if open_ else [])
            result[branch.pk] = Check("R0.1", Status.FAIL, "各步骤未按期完成：" + "；".join(parts), url)
        elif open_:
            result[branch.pk] = Check(
                "R0.1",
                Status.WARN,
                f"尚未完成：{'、'.join(open_)}（{days_label(None, cycle.deadline, today)}）",
                url,
            )
        else:
            result[branch.pk] = Check(
                "R0.1", Status.PASS, f"会前各步骤均在{cn_date(cycle.deadline)}前完成", url
            )
    return result


def evaluate(
    *,
    cycle: Cycle,
    branches: list[Branch],
    today: date | None = None,
    facts: dict | None = None,
) -> dict[int, list[Check]]:
    """Every rule the records can show, for each branch: R0.1 first, then each step's checks in the plan's order."""
    from rectification.dates import today_for

    from .progress import facts as load_facts

    today = today_for(cycle, today)  # the cycle's reference day, as on the dashboard
    branches = list(branches)
    if facts is None:
        facts = load_facts(cycle=cycle, branches=branches)
    meetings = {pk: f.meeting for pk, f in facts.items() if f.meeting is not None}
    result = deadline_checks(cycle=cycle, branches=branches, meetings=meetings, today=today)
    for pk, check in steps_by_deadline_checks(
        cycle=cycle, branches=branches, facts=facts, today=today
    ).items():
        result[pk].append(check)
    for _step, module in present_steps():
        step_checks = getattr(module, "checks", None)
        if step_checks is None:
            continue
        for branch_id, checks in step_checks(cycle=cycle, branches=branches).items():
            # R0.1 is the whole cycle's rule and is evaluated above; a step's own R0.1 line would say it twice.
            result.setdefault(branch_id, []).extend(c for c in checks if c.rule not in XINYI_RULES)
    return result


def failures(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status == Status.FAIL]
