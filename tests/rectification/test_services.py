"""Writes of rectification: each rule R6.1–R6.6, and bad input refused with a Chinese message and nothing saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from branch.models import Cycle
from rectification import services
from rectification.models import (
    Commitment,
    Correction,
    Filing,
    HalfYearReport,
    Means,
    Measure,
    ProgressEntry,
    Publicity,
    QuarterlyReport,
)
from tests import factories

from .builders import (
    HELD_ON,
    TODAY,
    close,
    commit,
    held_and_fixed,
    hold_meeting,
    measure,
    open_2019,
    problem,
    public_and_filed,
    report,
    talk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, cycle):
    hold_meeting(world, cycle)
    return world


def test_measure_aimed_at_no_problem_is_refused_R6_1(held, cycle):
    with pytest.raises(ValidationError) as exc:
        services.measure_create(
            cycle=cycle,
            branch=held.branch,
            text="加强学习",
            responsible=held.secretary,
            due_on=date(2019, 6, 30),
        )
    assert "至少一个查摆出的问题" in str(exc.value)
    assert Measure.objects.count() == 0


def test_measure_aimed_at_a_problem_and_an_opinion_is_saved_R6_1(held, cycle):
    p, t = problem(held, cycle), talk(held, cycle)
    assert Measure.objects.count() == 0
    m = services.measure_create(
        cycle=cycle,
        branch=held.branch,
        text="每月走访困难户",
        responsible=held.committee[0],
        due_on=date(2019, 6, 30),
        problems=[p],
        talks=[t],
    )
    assert list(m.problems.all()) == [p]
    assert list(m.talks.all()) == [t]
    assert m.get_status_display() == "未开始"


def test_measure_aimed_at_an_opinion_only_is_saved_R6_1(held, cycle):
    m = services.measure_create(
        cycle=cycle,
        branch=held.branch,
        text="答复群众意见",
        responsible=held.secretary,
        due_on=date(2019, 6, 30),
        talks=[talk(held, cycle)],
    )
    assert m.problems.count() == 0 and m.talks.count() == 1


def test_measure_deadline_before_the_meeting_is_refused_R6_1(held, cycle):
    with pytest.raises(ValidationError) as exc:
        measure(held, cycle, due_on=date(2019, 1, 10))
    assert "不能早于组织生活会召开日期（2019-01-18）" in str(exc.value)
    assert Measure.objects.count() == 0


def test_measure_before_the_meeting_is_held_is_refused_R6_1(world, cycle):
    with pytest.raises(ValidationError) as exc:
        measure(world, cycle)
    assert "尚未登记组织生活会" in str(exc.value)
    assert Measure.objects.count() == 0


def test_measure_aimed_at_another_branchs_problem_is_refused_R6_1(held, other_world, cycle):
    foreign = problem(other_world, cycle)
    with pytest.raises(ValidationError) as exc:
        measure(held, cycle, problems=[foreign])
    assert "不属于本支部" in str(exc.value)
    assert Measure.objects.count() == 0


def test_progress_moves_a_measure_forward_R6_3(held, cycle):
    m = measure(held, cycle)
    assert m.status == Measure.Status.NOT_STARTED
    services.measure_progress(measure=m, done_on=date(2019, 2, 1), text="制定计划", today=TODAY)
    m.refresh_from_db()
    assert m.status == Measure.Status.IN_PROGRESS
    assert m.progress.count() == 1


def test_progress_on_a_closed_measure_is_refused_R6_3(held, cycle):
    m = measure(held, cycle)
    services.measure_close(measure=m, closed_on=date(2019, 5, 1), evidence="按月召开", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.measure_progress(measure=m, done_on=date(2019, 5, 2), text="再补一条", today=TODAY)
    assert "已完成销号，不能再登记进展" in str(exc.value)
    assert ProgressEntry.objects.count() == 0


def test_closing_needs_evidence_and_records_the_status_history_R6_1(held, cycle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    m = measure(held, cycle)
    with pytest.raises(ValidationError) as exc:
        services.measure_close(measure=m, closed_on=date(2019, 5, 1), evidence="  ", today=TODAY)
    assert "整改成效" in str(exc.value)
    m.refresh_from_db()
    assert m.closed_on is None
    services.measure_close(measure=m, closed_on=date(2019, 5, 1), evidence="主题党日按月召开", today=TODAY)
    m.refresh_from_db()
    assert (m.status, m.closed_on) == (Measure.Status.DONE, date(2019, 5, 1))
    assert [h.status for h in m.history.order_by("history_date")] == ["not_started", "done"]


def test_commitment_due_before_the_meeting_is_refused_R6_1(held, cycle):
    with pytest.raises(ValidationError) as exc:
        services.commitment_create(
            cycle=cycle, member=held.members[0], text="走访5户", due_on=date(2019, 1, 1)
        )
    assert "兑现时限不能早于组织生活会召开日期" in str(exc.value)
    assert Commitment.objects.count() == 0


def test_filing_with_no_public_date_is_refused_R6_2(held, cycle):
    measure(held, cycle)
    with pytest.raises(ValidationError) as exc:
        services.filing_submit(cycle=cycle, branch=held.branch, filed_on=date(2019, 1, 28), today=TODAY)
    assert "尚未向党员群众公开" in str(exc.value)
    assert Filing.objects.count() == 0


def test_publicity_without_measures_is_refused_R6_2(held, cycle):
    with pytest.raises(ValidationError):
        services.publicity_record(
            cycle=cycle, branch=held.branch, published_on=date(2019, 1, 25), means=Means.BOARD, today=TODAY
        )
    assert Publicity.objects.count() == 0


def test_filing_returned_answered_and_filed_again_R6_2(held, cycle):
    measure(held, cycle)
    filing = public_and_filed(held, cycle)
    assert filing.status == Filing.Status.FILED
    services.filing_return(
        filing=filing, township=held.township, on=date(2019, 1, 30), comment="措施不够具体"
    )
    with pytest.raises(ValidationError) as exc:
        services.filing_submit(cycle=cycle, branch=held.branch, filed_on=date(2019, 2, 1), today=TODAY)
    assert "请先答复" in str(exc.value)
    services.filing_answer(filing=filing, on=date(2019, 2, 1), answer="已细化到每月")
    filing = services.filing_submit(cycle=cycle, branch=held.branch, filed_on=date(2019, 2, 2), today=TODAY)
    assert (filing.status, filing.times_filed, filing.comment) == (Filing.Status.FILED, 2, "措施不够具体")
    services.filing_acknowledge(filing=filing, township=held.township, on=date(2019, 2, 3))
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACKNOWLEDGED
    statuses = [h.status for h in filing.history.order_by("history_date")]
    assert statuses == ["filed", "returned", "answered", "filed", "acknowledged"]


def test_only_the_branchs_own_township_reviews_the_filing_R6_2(held, other_world, cycle):
    measure(held, cycle)
    filing = public_and_filed(held, cycle)
    with pytest.raises(ValidationError) as exc:
        services.filing_return(
            filing=filing, township=other_world.township, on=date(2019, 1, 30), comment="x"
        )
    assert "本镇党委所辖" in str(exc.value)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FILED


def test_sending_back_needs_a_comment_R6_2(held, cycle):
    measure(held, cycle)
    filing = public_and_filed(held, cycle)
    with pytest.raises(ValidationError) as exc:
        services.filing_return(filing=filing, township=held.township, on=date(2019, 1, 30), comment=" ")
    assert "退回时请写明意见" in str(exc.value)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FILED


def test_half_year_report_recorded_once_R6_4(held, cycle):
    services.half_year_report_record(
        cycle=cycle,
        branch=held.branch,
        reported_on=date(2019, 7, 10),
        means=Means.GENERAL_MEETING,
        today=TODAY,
    )
    with pytest.raises(ValidationError) as exc:
        services.half_year_report_record(
            cycle=cycle, branch=held.branch, reported_on=date(2019, 7, 11), means=Means.BOARD, today=TODAY
        )
    assert "已经登记" in str(exc.value)
    assert HalfYearReport.objects.count() == 1


def test_quarterly_report_for_a_quarter_not_started_is_refused_R6_5(held, cycle):
    member = held.members[0]
    services.commitment_create(cycle=cycle, member=member, text="走访5户", due_on=date(2019, 12, 31))
    # Quarter 2 after a meeting held 2019-01-18 starts on 2019-04-18.
    with pytest.raises(ValidationError) as exc:
        services.quarterly_report_record(
            cycle=cycle,
            member=member,
            quarter=2,
            reported_on=date(2019, 4, 10),
            venue=QuarterlyReport.Venue.GROUP_MEETING,
            kept="已走访",
            today=date(2019, 4, 10),
        )
    assert "会后第2季度（2019-04-18起）尚未开始" in str(exc.value)
    assert QuarterlyReport.objects.count() == 0
    services.quarterly_report_record(
        cycle=cycle,
        member=member,
        quarter=1,
        reported_on=date(2019, 4, 10),
        venue=QuarterlyReport.Venue.GROUP_MEETING,
        kept="已走访",
        today=date(2019, 4, 10),
    )
    assert QuarterlyReport.objects.count() == 1


def test_quarterly_report_without_a_commitment_is_refused_R6_5(held, cycle):
    with pytest.raises(ValidationError) as exc:
        services.quarterly_report_record(
            cycle=cycle,
            member=held.members[0],
            quarter=1,
            reported_on=date(2019, 3, 1),
            venue=QuarterlyReport.Venue.GENERAL_MEETING,
            kept="无",
            today=TODAY,
        )
    assert "没有整改承诺" in str(exc.value)
    assert QuarterlyReport.objects.count() == 0


def test_correction_issued_by_the_township_and_answered_by_the_branch_R6_6(held, other_world, cycle):
    m = measure(held, cycle)
    with pytest.raises(ValidationError):
        services.correction_issue(
            cycle=cycle, branch=held.branch, township=other_world.township, issued_on=TODAY, text="整改停滞"
        )
    assert Correction.objects.count() == 0
    c = services.correction_issue(
        cycle=cycle,
        branch=held.branch,
        township=held.township,
        issued_on=date(2019, 6, 1),
        text="整改停滞",
        measure=m,
    )
    assert not c.is_answered
    services.correction_answer(correction=c, answered_on=date(2019, 6, 5), answer="已召开专题会推进")
    c.refresh_from_db()
    assert c.is_answered and c.answer == "已召开专题会推进"


def test_a_second_branch_meeting_does_not_move_this_ones_dates(held, cycle):
    other = factories.world(members=1, logins=False)
    hold_meeting(other, cycle, held_on=date(2019, 3, 1))
    m = measure(held, cycle, due_on=HELD_ON)
    assert m.due_on == HELD_ON


def test_measures_may_follow_a_planned_meeting_reports_wait_for_the_held_one_R6_1_R6_4(world, cycle):
    from meetings.models import Meeting

    Meeting.objects.create(cycle=cycle, branch=world.branch, planned_on=date(2019, 3, 15), place="活动室")
    with pytest.raises(ValidationError) as exc:
        measure(world, cycle, due_on=date(2019, 3, 1))
    assert "不能早于组织生活会计划召开日期（2019-03-15）" in str(exc.value)
    m = measure(world, cycle, due_on=date(2019, 5, 31))
    assert m.pk is not None
    with pytest.raises(ValidationError) as exc:
        services.half_year_report_record(
            cycle=cycle, branch=world.branch, reported_on=date(2019, 7, 10), means=Means.BOARD, today=TODAY
        )
    assert "组织生活会尚未召开" in str(exc.value)
    assert HalfYearReport.objects.count() == 0


# ---------------------------------------------------------------- two years at once (issue 11)


def test_services_refuse_a_closed_cycle_but_not_its_open_tail_R6(world, cycle):
    """The admin, imports and commands call services directly: a closed cycle is frozen there too."""
    held_and_fixed(world, cycle)
    m = measure(world, cycle)
    commit(world, cycle, world.members[0])
    open_2019()
    report(world, cycle, world.members[0], 1)  # the tail is open while 2019 is: allowed
    close(world, cycle)
    cycle = Cycle.objects.get(pk=cycle.pk)  # a fresh look at the branch's part in it
    with pytest.raises(ValidationError, match="2018年度已关闭，记录已封存"):
        report(world, cycle, world.members[0], 2)
    with pytest.raises(ValidationError, match="2018年度已关闭"):
        services.measure_progress(measure=m, done_on=date(2019, 3, 1), text="制定计划", today=TODAY)
    assert QuarterlyReport.objects.count() == 1
    assert not ProgressEntry.objects.exists()


def test_a_report_dated_after_the_cycles_tail_names_the_tail_R6_5(held, cycle):
    """A 2018 report dated in 2020 is past 2018's rectification (it ends 2019-12-31), not "in the future"."""
    commit(held, cycle, held.members[0])
    with pytest.raises(ValidationError, match=r"不能晚于2018年度整改落实期限（2019-12-31）"):
        services.quarterly_report_record(
            cycle=cycle,
            member=held.members[0],
            quarter=4,
            reported_on=date(2020, 1, 10),
            venue=QuarterlyReport.Venue.GROUP_MEETING,
            kept="已走访",
            today=date(2020, 1, 12),
        )
    assert not QuarterlyReport.objects.exists()
