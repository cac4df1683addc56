"""Reads of rectification: derived status, stale measures, the half-year countdown, the quarterly grid, checks, archive."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from branch.checks import Status
from branch.models import Branch
from rectification import dates, selectors, services
from rectification.models import Means, QuarterlyReport
from tests import factories

from .builders import HELD_ON, TODAY, hold_meeting, measure, public_and_filed, rectifying_world

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
