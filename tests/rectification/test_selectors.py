"""Reads of rectification: derived status, stale measures, the half-year countdown, the quarterly grid, checks, archive."""

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from django.template.loader import render_to_string

from branch import services as branch_services
from branch.checks import Status
from branch.models import Branch, Member
from rectification import dates, selectors, services
from rectification.models import Means, Measure, QuarterlyReport
from tests import factories

from .builders import (
    HELD_ON,
    TODAY,
    commit,
    held_and_fixed,
    hold_meeting,
    measure,
    open_2019,
    public_and_filed,
    rectifying_world,
    report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, cycle):
    hold_meeting(world, cycle)
    return world


def test_overdue_is_derived_from_the_due_date_R6_3(held, cycle):
    m = measure(held, cycle, due_on=date(2019, 5, 31))
    row = selectors.measures(cycle=cycle, branch=held.branch).get()
    assert selectors.display_status(row, date(2019, 5, 31)) == "未开始"
    assert selectors.display_status(row, date(2019, 6, 1)) == "逾期"
    services.measure_close(measure=m, closed_on=date(2019, 7, 1), evidence="已修缮", today=TODAY)
    row = selectors.measures(cycle=cycle, branch=held.branch).get()
    assert selectors.display_status(row, date(2019, 8, 1)) == "已完成"


def test_a_measure_without_progress_for_90_days_is_stale_R6_6(held, cycle):
    m = measure(held, cycle, due_on=date(2019, 12, 31))
    services.measure_progress(measure=m, done_on=date(2019, 3, 1), text="开始", today=TODAY)
    row = selectors.measures(cycle=cycle, branch=held.branch).get()
    assert not selectors.is_stale(row, date(2019, 5, 29))  # 89 days
    assert selectors.is_stale(row, date(2019, 5, 30))  # 90 days
    services.measure_progress(measure=m, done_on=date(2019, 5, 20), text="推进", today=TODAY)
    row = selectors.measures(cycle=cycle, branch=held.branch).get()
    assert not selectors.is_stale(row, date(2019, 5, 30))


def test_half_year_due_six_months_after_the_meeting_counts_down_R6_4(held, cycle):
    half = selectors.half_year(cycle=cycle, branch=held.branch, day=date(2019, 7, 8), held_on=HELD_ON)
    assert (half.due_on, half.days_left, half.report) == (date(2019, 7, 18), 10, None)
    late = selectors.half_year(cycle=cycle, branch=held.branch, day=date(2019, 7, 21), held_on=HELD_ON)
    assert late.days_late == 3
    services.half_year_report_record(
        cycle=cycle,
        branch=held.branch,
        reported_on=date(2019, 7, 10),
        means=Means.GENERAL_MEETING,
        today=TODAY,
    )
    assert selectors.half_year(cycle=cycle, branch=held.branch, day=TODAY, held_on=HELD_ON).on_time


def test_months_are_added_to_the_end_of_a_short_month():
    assert dates.add_months(date(2019, 8, 31), 6) == date(2020, 2, 29)
    assert dates.quarter_end(HELD_ON, 1) == date(2019, 4, 17)
    assert dates.today_for(factories.cycle_2018(), date(2026, 1, 1)) == date(2019, 12, 31)


def test_quarterly_grid_shows_missing_reports_R6_5(held, cycle):
    a, b = held.members[0], held.members[1]
    for m in (a, b):
        services.commitment_create(cycle=cycle, member=m, text="走访5户", due_on=date(2019, 12, 31))
    services.quarterly_report_record(
        cycle=cycle,
        member=a,
        quarter=1,
        reported_on=date(2019, 3, 28),
        venue=QuarterlyReport.Venue.GROUP_MEETING,
        kept="已走访",
        today=TODAY,
    )
    grid = selectors.quarterly_grid(cycle=cycle, branch=held.branch, day=date(2019, 5, 1), held_on=HELD_ON)
    cells = {row.member.pk: [(c.started, c.missing) for c in row.cells] for row in grid}
    assert cells[a.pk] == [(True, False), (True, True), (False, False), (False, False)]
    assert cells[b.pk] == [(True, True), (True, True), (False, False), (False, False)]


def _complete(w, cycle):
    m = measure(w, cycle)
    services.measure_close(measure=m, closed_on=date(2019, 6, 1), evidence="按月召开", today=TODAY)
    filing = public_and_filed(w, cycle)
    services.filing_acknowledge(filing=filing, township=w.township, on=date(2019, 1, 30))
    services.half_year_report_record(
        cycle=cycle, branch=w.branch, reported_on=date(2019, 7, 10), means=Means.BOARD, today=TODAY
    )
    member = w.members[0]
    services.commitment_create(cycle=cycle, member=member, text="走访", due_on=date(2019, 12, 31))
    for q, day in (
        (1, date(2019, 3, 1)),
        (2, date(2019, 6, 1)),
        (3, date(2019, 9, 1)),
        (4, date(2019, 12, 1)),
    ):
        services.quarterly_report_record(
            cycle=cycle,
            member=member,
            quarter=q,
            reported_on=day,
            venue="general_meeting",
            kept="已兑现",
            today=TODAY,
        )


def test_checks_pass_for_a_complete_branch_and_fail_for_a_neglected_one_R6_1_to_R6_6(cycle):
    good = factories.world(members=2, logins=False)
    hold_meeting(good, cycle)
    _complete(good, cycle)
    bad = factories.world(members=2, logins=False)
    hold_meeting(bad, cycle)
    measure(bad, cycle, due_on=date(2019, 5, 31))
    services.correction_issue(
        cycle=cycle, branch=bad.branch, township=bad.township, issued_on=date(2019, 9, 1), text="整改停滞"
    )
    result = selectors.checks(cycle=cycle, branches=[good.branch, bad.branch], day=TODAY)
    assert {c.rule: c.status for c in result[good.branch.pk]} == {f"R6.{i}": Status.PASS for i in range(1, 7)}
    assert {c.rule: c.status for c in result[bad.branch.pk]} == {
        "R6.1": Status.WARN,
        "R6.2": Status.FAIL,
        "R6.3": Status.FAIL,
        "R6.4": Status.FAIL,
        "R6.5": Status.WARN,
        "R6.6": Status.FAIL,
    }


def test_checks_of_a_filing_sent_back_warn_R6_2(held, cycle):
    measure(held, cycle)
    filing = public_and_filed(held, cycle)
    services.filing_return(filing=filing, township=held.township, on=date(2019, 1, 30), comment="不具体")
    r62 = next(
        c
        for c in selectors.checks(cycle=cycle, branches=[held.branch], day=TODAY)[held.branch.pk]
        if c.rule == "R6.2"
    )
    assert r62.status == Status.WARN and "退回" in r62.reason


@pytest.mark.parametrize("n", [2, 20])
def test_checks_use_a_constant_number_of_queries_R6_6(cycle, n, django_assert_num_queries):
    t = factories.township()
    for _ in range(n):
        rectifying_world(cycle, township_=t)
    branches = list(Branch.objects.filter(township=t))
    with django_assert_num_queries(8):
        result = selectors.checks(cycle=cycle, branches=branches, day=TODAY)
    assert len(result) == n and all(len(v) == 6 for v in result.values())


def test_archive_fragment_lists_measures_filing_and_reports_R7_2(held, cycle):
    _complete(held, cycle)
    html = render_to_string(
        "rectification/archive_rectification.html", selectors.archive_context(cycle=cycle, branch=held.branch)
    )
    for text in (
        "整改措施",
        "每月按时召开主题党日",
        "向镇党委报备",
        "镇党委已审阅",
        "半年整改情况通报",
        "2019年7月10日",
        "已兑现",
    ):
        assert text in html


def test_summary_counts_filed_and_overdue_measures_for_the_overview_R6_2_R6_3(cycle):
    filed = rectifying_world(cycle, township_=factories.township())
    public_and_filed(filed, cycle)
    late = rectifying_world(cycle, township_=factories.township())
    result = selectors.summary(cycle=cycle, branches=[filed.branch, late.branch], day=TODAY)
    assert result[filed.branch.pk] == {"filed": 1, "overdue": 1}
    assert result[late.branch.pk] == {"filed": 0, "overdue": 1}
    assert (
        selectors.summary(cycle=cycle, branches=[late.branch], day=date(2019, 6, 1))[late.branch.pk][
            "overdue"
        ]
        == 0
    )


# ---------------------------------------------------------------- one cycle seen from the next (issue 11)


def test_today_for_a_cycle_long_past_is_the_end_of_its_tail_R6():
    """Today is 2026-12-03: 2018 is judged as it stood on 2019-12-31, 2019 on 2020-12-31, a running cycle on today."""
    c2018 = factories.cycle_2018()
    c2019 = open_2019()
    assert dates.today_for(c2018, date(2026, 12, 3)) == c2018.tail_ends_on == date(2019, 12, 31)
    assert dates.today_for(c2019, date(2026, 12, 3)) == date(2020, 12, 31)
    assert dates.today_for(c2019, date(2020, 5, 1)) == date(2020, 5, 1)


def _a_year_of_rectification(size: int):
    """2018 of a branch of `size` members, as 2019 finds it: one measure done, one overdue, corrections, commitments
    of every member, quarterly reports of half of them; then 2019 opened."""
    cycle = factories.cycle_2018()
    w = factories.world(members=size)
    held_and_fixed(w, cycle)
    done = measure(w, cycle, text="每月按时召开主题党日", due_on=date(2019, 6, 30))
    services.measure_progress(
        measure=done, done_on=date(2019, 2, 20), text="二月主题党日到会28人", today=TODAY
    )
    services.measure_close(measure=done, closed_on=date(2019, 6, 1), evidence="主题党日每月召开", today=TODAY)
    late = measure(w, cycle, text="修缮党员活动室", due_on=date(2019, 5, 31))
    services.measure_progress(measure=late, done_on=date(2019, 3, 10), text="联系施工队", today=TODAY)
    c = services.correction_issue(
        cycle=cycle,
        branch=w.branch,
        township=w.township,
        issued_on=date(2019, 8, 1),
        text="活动室修缮原地打转",
        measure=late,
    )
    services.correction_answer(correction=c, answered_on=date(2019, 8, 5), answer="九月底前完工")
    services.correction_issue(
        cycle=cycle, branch=w.branch, township=w.township, issued_on=date(2019, 9, 1), text="季度报告不全"
    )
    for i, m in enumerate(w.members):
        commit(w, cycle, m, text=f"走访困难户{i + 1}户")
        for q in (1, 2, 3, 4) if i % 2 == 0 else (1,):
            report(w, cycle, m, q)
    return w, cycle, open_2019()


def test_last_year_annex_tells_2018_as_2019s_report_carries_it_R6_3_R4_1(db):
    w, _, c2019 = _a_year_of_rectification(2)
    first, second = w.members
    lines = selectors.last_year_annex(cycle=c2019, branch=w.branch)
    text = "\n".join(lines)
    assert lines[0] == "2018年度整改措施 2 条：已完成 1 条，未完成 1 条（其中逾期 1 条）。"
    assert (
        f"1. 修缮党员活动室（责任人：{w.secretary.name}，完成时限 2019-05-31）：逾期"
        "；最后进展：2019-03-10 联系施工队。"
    ) in lines
    assert (
        f"2. 每月按时召开主题党日（责任人：{w.secretary.name}，完成时限 2019-06-30）：已完成（2019-06-01）"
        "；最后进展：2019-02-20 二月主题党日到会28人；整改成效：主题党日每月召开（无照片）。"
    ) in lines
    assert (
        "   镇党委批评纠正（2019-08-01）：活动室修缮原地打转；支部答复（2019-08-05）：九月底前完工" in lines
    )
    assert "镇党委批评纠正（2019-09-01）：季度报告不全；支部尚未答复" in lines
    assert "半年整改情况通报：尚未通报（期限 2019-07-18）。" in lines
    assert "党员承诺兑现报告：2 名党员作出整改承诺。" in lines
    assert f"{first.name}：走访困难户1户——季度兑现报告已报告 4/4 个季度。" in text
    assert f"{second.name}：走访困难户2户——季度兑现报告已报告 1/4 个季度（第2、3、4季度未报告）。" in text


def test_last_year_annex_is_empty_without_a_previous_cycle_R6_3(held, cycle):
    measure(held, cycle)
    assert selectors.last_year_annex(cycle=cycle, branch=held.branch) == []
    assert selectors.commitments_beside(cycle=cycle, branch=held.branch) == {}


def test_a_later_move_changes_nothing_in_what_a_past_cycle_owes_R6_5(db):
    """A member who left in 2020 still owed 2018's quarters; one who left in May 2019 owed only the first two."""
    w, cycle, _ = _a_year_of_rectification(4)
    owes_all, owes_two = w.members[1], w.members[3]  # each reported the first quarter only
    branch_services.member_leave(member=owes_all, reason=Member.LeftReason.TRANSFERRED, on=date(2020, 3, 1))
    branch_services.member_leave(member=owes_two, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 5, 1))
    r = selectors.branches_rectification(cycle=cycle, branches=[w.branch], day=TODAY)[w.branch.pk]
    assert r.quarters_owed(owes_all.pk) == [2, 3, 4]
    assert r.quarters_owed(owes_two.pk) == [2]  # quarter 2 started 2019-04-18, before the move
    assert r.missing_quarterly == 4


def test_commitments_beside_flags_the_open_ones_R6_5_R5_1(db):
    w, _, c2019 = _a_year_of_rectification(2)
    first, second = w.members
    beside = selectors.commitments_beside(cycle=c2019, branch=w.branch)
    assert beside[first.pk] == [
        "2018年度承诺：走访困难户1户（2019-12-31 前兑现）",
        "2018年度季度兑现报告已报告 4/4 个季度",
    ]
    assert beside[second.pk] == [
        "【未兑现】2018年度承诺：走访困难户2户（2019-12-31 前兑现）",
        "2018年度季度兑现报告已报告 1/4 个季度（第2、3、4季度未报告）",
    ]
    assert w.secretary.pk not in beside


def test_owed_lists_what_2018_still_owes_with_2018_addresses_R6_4_R6_5_R6_6(db):
    w, cycle, _ = _a_year_of_rectification(2)
    late = Measure.objects.get(text="修缮党员活动室")
    with factories.under_year(2019):  # the 2019 dashboard asks
        owed = selectors.owed(cycle=cycle, branch=w.branch, day=date(2026, 12, 3))
    assert owed == [
        selectors.Owed(
            f"{w.members[1].name}：会后第2、3、4季度承诺兑现情况未报告", "/2018/rectification/quarterly/"
        ),
        selectors.Owed(
            "整改措施未完成：修缮党员活动室（已逾期，完成时限 2019-05-31）",
            f"/2018/rectification/measures/{late.pk}/",
        ),
        selectors.Owed("半年整改情况通报尚未登记（已过期限 2019-07-18）", "/2018/rectification/half-year/"),
        selectors.Owed(
            "镇党委批评纠正意见待答复：季度报告不全（2019-09-01 下达）", "/2018/rectification/corrections/"
        ),
    ]
    with pytest.raises(FrozenInstanceError):
        owed[0].text = ""


def test_owed_is_empty_once_the_tail_is_done_R6(held, cycle):
    m = measure(held, cycle)
    services.measure_close(measure=m, closed_on=date(2019, 5, 1), evidence="已完成", today=TODAY)
    services.half_year_report_record(
        cycle=cycle, branch=held.branch, reported_on=date(2019, 7, 1), means=Means.BOARD, today=TODAY
    )
    assert selectors.owed(cycle=cycle, branch=held.branch, day=TODAY) == []


@pytest.mark.parametrize("size", [5, 50])
def test_providers_query_counts_are_constant_at_5_and_50_members_R6(db, size, django_assert_num_queries):
    w, cycle, c2019 = _a_year_of_rectification(size)
    branch = Branch.objects.get(pk=w.branch.pk)
    with django_assert_num_queries(11):
        assert len(selectors.last_year_annex(cycle=c2019, branch=branch)) == 7 + size
    with django_assert_num_queries(11):
        assert len(selectors.commitments_beside(cycle=c2019, branch=branch)) == size
    with django_assert_num_queries(8):
        assert len(selectors.owed(cycle=cycle, branch=branch, day=TODAY)) == size // 2 + 3
