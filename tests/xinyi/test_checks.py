"""The one rule-check computation (xinyi.checks.evaluate): R0.1 and the composition of the steps' checks."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branch.checks import Status
from tests import factories
from xinyi import checks, progress
from xinyi.checks import StepModule

from . import records

pytestmark = pytest.mark.django_db

BEFORE = date(2019, 3, 1)
AFTER = date(2019, 4, 1)


def r01(w, cycle, today):
    return [
        c
        for c in checks.evaluate(cycle=cycle, branches=[w.branch], today=today)[w.branch.pk]
        if c.rule == "R0.1"
    ]


def test_days_label_in_chinese_against_the_deadline_R0_1():
    deadline = date(2019, 3, 20)
    assert checks.days_label(date(2019, 3, 10), deadline, AFTER) == "提前 10 天完成"
    assert checks.days_label(date(2019, 3, 20), deadline, AFTER) == "期限当天完成"
    assert checks.days_label(date(2019, 3, 25), deadline, AFTER) == "逾期 5 天完成"
    assert checks.days_label(None, deadline, date(2019, 3, 15)) == "还剩 5 天"
    assert checks.days_label(None, deadline, date(2019, 3, 22)) == "逾期 2 天"
    assert checks.cn_date(deadline) == "2019年3月20日"


def test_meeting_held_by_the_deadline_passes_R0_1(world, cycle):
    before = r01(world, cycle, AFTER)
    assert before[0].status == Status.FAIL and "未在2019年3月20日前召开" in before[0].reason
    records.full_cycle_before_deadline(world, cycle)
    after = r01(world, cycle, AFTER)
    assert [c.status for c in after] == [Status.PASS, Status.PASS]
    assert "2019年3月10日召开，提前 10 天完成" in after[0].reason


def test_meeting_after_the_deadline_fails_R0_1(world, cycle):
    records.meeting(world, cycle, held_on=date(2019, 3, 25))
    meeting_check = r01(world, cycle, AFTER)[0]
    assert meeting_check.status == Status.FAIL
    assert "超过2019年3月20日的期限 5 天" in meeting_check.reason


def test_meeting_not_yet_held_warns_before_and_fails_after_the_deadline_R0_1(world, cycle):
    assert r01(world, cycle, BEFORE)[0].status == Status.WARN
    assert "还剩 19 天" in r01(world, cycle, BEFORE)[0].reason
    assert r01(world, cycle, AFTER)[0].status == Status.FAIL


def test_each_step_done_by_the_deadline_R0_1(world, cycle):
    """Study finished after the deadline fails the step check and names the step and its delay."""
    records.study(world, cycle, held_on=date(2019, 3, 22))
    records.talk(world, cycle)
    records.meeting(world, cycle)
    step_check = r01(world, cycle, AFTER)[1]
    assert step_check.status == Status.FAIL
    assert "精心组织学习逾期 2 天完成" in step_check.reason


def test_unfinished_steps_warn_before_the_deadline_R0_1(world, cycle):
    records.study(world, cycle)
    step_check = r01(world, cycle, BEFORE)[1]
    assert step_check.status == Status.WARN
    assert "开展谈心谈话" in step_check.reason and "精心组织学习" not in step_check.reason


def test_missing_step_module_is_left_out_and_shown_missing(world, cycle, monkeypatch):
    monkeypatch.setattr(checks, "REGISTRY", [StepModule("ghost", "幽灵步骤", "xinyi.no_such_step", "x.html")])
    assert checks.present_steps() == []
    assert [s.key for s in checks.missing_steps()] == ["ghost"]
    state = progress.for_branch(cycle=cycle, branch=world.branch, today=AFTER)
    assert state.missing_modules == ["幽灵步骤"]


def test_error_inside_a_present_step_module_is_raised(world, cycle, monkeypatch):
    """Only a module that does not exist is skipped; a broken one stops the computation."""
    monkeypatch.setattr(
        checks, "REGISTRY", [StepModule("broken", "坏模块", "tests.xinyi.broken_selectors", "x.html")]
    )
    with pytest.raises(ModuleNotFoundError):
        checks.evaluate(cycle=cycle, branches=[world.branch], today=AFTER)


def test_step_checks_are_composed_after_R0_1(cycle, monkeypatch):
    monkeypatch.setattr(
        checks, "REGISTRY", [StepModule("fake", "测试步骤", "tests.xinyi.fake_selectors", "x.html")]
    )
    small = factories.world(members=0, logins=False)  # 3 members: passes
    tiny = factories.branch()
    result = checks.evaluate(cycle=cycle, branches=[small.branch, tiny], today=AFTER)
    assert [c.rule for c in result[small.branch.pk]] == ["R0.1", "R0.1", "R9.9"]
    assert result[small.branch.pk][2].status == Status.PASS
    assert result[tiny.pk][2].status == Status.FAIL


def test_evaluate_queries_do_not_grow_with_branches_R0_1(cycle):
    """The same number of queries for 2 and for 20 branches."""
    counts = []
    for n_branches in (2, 20):
        t = factories.township()
        branches = [factories.world(members=5, township_=t, logins=False).branch for _ in range(n_branches)]
        with CaptureQueriesContext(connection) as ctx:
            checks.evaluate(cycle=cycle, branches=branches, today=AFTER)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
