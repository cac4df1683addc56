from datetime import date

import pytest
from django.template.loader import render_to_string

from appraisal import selectors, services
from appraisal.models import GradeChoice
from branch.checks import Status
from tests import factories
from tests.appraisal import helpers as h

pytestmark = pytest.mark.django_db
G = GradeChoice


def _ballots(world, cycle, rows):
    """rows: one dict per ballot {member: grade}; the tally is closed afterwards."""
    h.meeting(world, cycle)
    h.self_mutual_all(world, cycle)
    n = len(rows)
    tally = services.tally_open(cycle=cycle, branch=world.branch, issued=n + 1, returned=n + 1, invalid=1)
    for row in rows:
        services.ballot_enter(
            tally=tally, marks={m.pk: g for m, g in row.items()}, committee_mark="satisfied"
        )
    return services.tally_close(tally=tally)


def test_tally_counts_and_shares_per_member_R5_3(cycle, world):
    a, b = world.members[0], world.members[1]
    tally = _ballots(
        world,
        cycle,
        [{a: G.EXCELLENT, b: G.QUALIFIED}, {a: G.EXCELLENT, b: G.BASIC}, {a: G.QUALIFIED}, {a: G.EXCELLENT}],
    )
    rows = {r.member: r for r in selectors.tally_rows(cycle=cycle, branch=world.branch, tally=tally)}
    assert rows[a].cells[0] == ("优秀", 3, 75.0)
    assert rows[b].cells[1:3] == [("合格", 1, 25.0), ("基本合格", 1, 25.0)]
    assert rows[b].marked == 2  # two ballots left b blank


def test_suggestion_is_the_plurality_and_only_a_suggestion_R5_4(cycle, world):
    a, b = world.members[0], world.members[1]
    tally = _ballots(
        world, cycle, [{a: G.EXCELLENT, b: G.BASIC}, {a: G.EXCELLENT, b: G.QUALIFIED}, {a: G.QUALIFIED}]
    )
    rows = {r.member: r for r in selectors.tally_rows(cycle=cycle, branch=world.branch, tally=tally)}
    assert rows[a].suggestion == "优秀"
    assert rows[b].suggestion == "合格"  # a tie goes to the better grade
    # the committee decides otherwise (不唯票数): nothing stops it
    assert h.grade(a, cycle, G.QUALIFIED).grade == G.QUALIFIED


def test_checks_pass_when_complete_and_name_the_gaps_R5_4_R5_5_R5_6_R5_7_R5_8(
    cycle, world, django_assert_num_queries
):
    gap = factories.world(members=2, township_=world.township, logins=False)
    h.tally_by_ballots(world, cycle)
    for i, m in enumerate(h.rated(world)):
        grade = h.grade(m, cycle, G.EXCELLENT if i < 2 else G.QUALIFIED)
        services.feedback_record(grade=grade, given_on=date(2019, 1, 25), means="face", by=world.secretary)
        if i < 2:
            services.follow_up_record(grade=grade, commendation="党员大会通报表扬")
        else:
            services.follow_up_record(grade=grade, hopes="多为群众办实事")
    # one branch with its roster fixed and one without: each kind of roster is read once
    with django_assert_num_queries(6):
        result = selectors.checks(cycle=cycle, branches=[world.branch, gap.branch])
    done = {c.rule: c.status for c in result[world.branch.pk]}
    assert done == {r: Status.PASS for r in ("R5.1", "R5.4", "R5.5", "R5.6", "R5.7", "R5.8", "R5.9")}
    gaps = {c.rule: c for c in result[gap.branch.pk]}
    assert gaps["R5.4"].status == Status.FAIL and "5 人未评定" in gaps["R5.4"].reason
    assert gaps["R5.1"].status == Status.WARN


def test_checks_query_count_does_not_grow_with_branches(cycle, django_assert_num_queries):
    worlds = [factories.world(members=2, logins=False) for _ in range(5)]
    with django_assert_num_queries(5):
        selectors.checks(cycle=cycle, branches=[w.branch for w in worlds[:1]])
    with django_assert_num_queries(5):
        selectors.checks(cycle=cycle, branches=[w.branch for w in worlds])


def test_own_result_only_after_feedback_and_only_ones_own_R5_6(cycle, world):
    h.tally_by_ballots(world, cycle)
    me, other = world.members[0], world.members[1]
    mine = h.grade(me, cycle, G.QUALIFIED)
    theirs = h.grade(other, cycle, G.BASIC)
    services.feedback_record(grade=theirs, given_on=date(2019, 1, 25), means="face", by=world.secretary)
    assert selectors.own_result(member=me, cycle=cycle) is None
    services.feedback_record(grade=mine, given_on=date(2019, 1, 26), means="face", by=world.secretary)
    assert selectors.own_result(member=me, cycle=cycle) == mine


def test_committee_result_and_commendation_pool_for_the_township_R5_7_R5_9(cycle, world, other_world):
    h.tally_by_ballots(world, cycle)
    h.tally_by_ballots(other_world, cycle)
    star = h.grade(world.members[0], cycle, G.EXCELLENT)
    h.grade(other_world.members[0], cycle, G.EXCELLENT)
    pool = list(selectors.commendation_pool(cycle=cycle, township=world.township))
    assert pool == [star]  # another township's 优秀 is not in this pool
    (result,) = selectors.committee_results(cycle=cycle, branches=[world.branch])
    n = result.tally.valid
    assert result.cells[0] == ("满意", n, 100.0)


def test_archive_fragment_has_tally_results_and_no_ballot_numbers_R7_2(cycle, world):
    h.tally_by_ballots(world, cycle)
    grade = h.grade(world.members[0], cycle, G.QUALIFIED, opinion="工作踏实肯干")
    services.feedback_record(grade=grade, given_on=date(2019, 1, 25), means="phone", by=world.secretary)
    html = render_to_string(
        "appraisal/archive_appraisal.html", selectors.archive_context(cycle=cycle, branch=world.branch)
    )
    assert "民主测评统计表" in html and "评议结果汇总表" in html
    assert "工作踏实肯干" in html and "电话" in html
    assert "票号" not in html and "第 1 张" not in html


def test_summary_for_the_township_overview_R5_9(cycle, world, django_assert_num_queries):
    gap = factories.world(members=2, township_=world.township, logins=False)
    h.tally_by_ballots(world, cycle, ballots=4)
    h.grade(world.members[0], cycle, G.EXCELLENT)
    h.grade(world.members[1], cycle, G.QUALIFIED)
    with django_assert_num_queries(2):
        result = selectors.summary(cycle=cycle, branches=[world.branch, gap.branch])
    assert result[world.branch.pk] == {
        "graded": 2,
        "excellent": 1,
        "committee": "满意 4、基本满意 0、不满意 0",
    }
    assert result[gap.branch.pk] == {"graded": 0, "excellent": 0, "committee": ""}
