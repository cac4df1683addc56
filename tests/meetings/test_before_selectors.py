"""Reads before the meeting: coverage computed from the records (R1.2, R1.3, R2.1, R2.3, R2.4), the rule checks,
the archive fragment, and a constant number of queries at any branch size."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from branch.checks import Status
from meetings.models import Meeting, Problem, RequiredMaterial, StudyAttendance
from meetings.selectors import before as selectors
from meetings.services import before as services
from tests import factories
from tests.meetings.test_before_services import DAY, full_coverage, record_session, talk

pytestmark = pytest.mark.django_db


def by_name(members):
    return sorted(members, key=lambda m: m.name)


def by_rule(results):
    return {c.rule: c for c in results}


def test_material_coverage_names_what_is_not_yet_studied_R1_2(world, cycle):
    materials = list(RequiredMaterial.objects.filter(cycle=cycle))
    assert [mc.covered for mc in selectors.material_coverage(cycle=cycle, branch=world.branch)] == [
        False
    ] * len(materials)
    session = record_session(world, cycle, materials=materials[:2])
    cov = selectors.material_coverage(cycle=cycle, branch=world.branch)
    assert [mc.material for mc in cov if mc.covered] == materials[:2]
    assert [mc.material for mc in cov if not mc.covered] == materials[2:]
    assert cov[0].sessions == [session]


def test_deliveries_list_undelivered_absentees_first_R1_3(world, cycle):
    a, b = world.members[0], world.members[1]
    session = record_session(world, cycle, absent={a: "外出", b: "生病"})
    services.study_delivery_record(
        attendance=session.attendance.get(member=a),
        delivered_on=date(2018, 12, 4),
        method=StudyAttendance.Delivery.WECHAT,
        by=world.secretary,
    )
    rows = selectors.deliveries(cycle=cycle, branch=world.branch)
    assert [(r.member, r.delivered_on is None) for r in rows] == [(b, True), (a, False)]


def test_coverage_before_and_after_talks_R2_1(world, cycle):
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    assert len(cov.committee_pairs_missing) == 3  # 书记, 组织委员, 宣传委员: three pairs
    assert cov.members_without_talk == by_name(world.members)
    assert not cov.complete
    full_coverage(world, cycle)
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    assert cov.missing == []
    assert cov.complete
    assert all(row.covered for row in cov.rows)


def test_committee_pair_counts_in_either_direction_R2_1(world, cycle):
    c1, c2 = world.committee
    talk(world, cycle, c2, c1)
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    pairs = {frozenset((a.pk, b.pk)) for a, b in cov.committee_pairs_missing}
    assert frozenset((c1.pk, c2.pk)) not in pairs
    assert len(pairs) == 2


def test_each_member_needs_one_talk_with_any_committee_member_R2_1(world, cycle):
    m = world.members[0]
    talk(world, cycle, world.committee[1], m)
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    assert m not in cov.members_without_talk
    assert cov.members_without_talk == by_name(world.members[1:])
    missing = [x for x in cov.missing if x.rules == ("R2.1",) and x.by is None]
    assert [x.with_ for x in missing] == by_name(world.members[1:])
    assert missing[0].url.endswith(f"?with={by_name(world.members[1:])[0].pk}")


def test_focus_member_needs_a_talk_with_the_secretary_R2_3(world, cycle):
    focus = factories.member(world.branch, is_hardship=True)
    talk(world, cycle, world.committee[0], focus)
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    assert focus not in cov.members_without_talk  # R2.1 is met by the 组织委员
    assert cov.focus_without_secretary == [focus]  # R2.3 is not
    item = next(x for x in cov.missing if x.rules == ("R2.3",))
    assert item.by == world.secretary and "家庭生活困难党员" in item.text
    assert f"by={world.secretary.pk}" in item.url
    talk(world, cycle, world.secretary, focus, held_on=date(2018, 12, 5))
    assert selectors.talk_coverage(cycle=cycle, branch=world.branch).focus_without_secretary == []


def test_secretary_talks_with_every_committee_member_and_first_R2_4(world, cycle):
    sec, c1, c2 = world.secretary, *world.committee
    talk(world, cycle, c1, c2, held_on=date(2018, 12, 1))
    talk(world, cycle, sec, c1, held_on=date(2018, 12, 2))
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    assert cov.committee_without_secretary == [c2]
    assert not cov.secretary_leads  # the 组织委员 talked before the secretary
    talk(world, cycle, c2, sec, held_on=date(2018, 12, 3))
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    assert cov.committee_without_secretary == []
    checks = by_rule(selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk])
    assert checks["R2.4"].status == Status.WARN
    talk(world, cycle, sec, world.members[0], held_on=date(2018, 11, 30))
    checks = by_rule(selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk])
    assert checks["R2.4"].status == Status.PASS


def test_talk_after_the_meeting_does_not_count_R2_1(world, cycle):
    m = world.members[0]
    talk(world, cycle, world.committee[0], m, held_on=date(2019, 1, 20))
    assert m not in selectors.talk_coverage(cycle=cycle, branch=world.branch).members_without_talk
    # The meeting was held (or its date corrected) earlier: the talk no longer prepares it.
    Meeting.objects.create(
        cycle=cycle,
        branch=world.branch,
        planned_on=date(2019, 1, 18),
        held_on=date(2019, 1, 18),
        place="村部",
    )
    assert m in selectors.talk_coverage(cycle=cycle, branch=world.branch).members_without_talk


def test_matrix_marks_required_cells(world, cycle):
    focus = factories.member(world.branch, is_mobile=True, mobile_location="北京市")
    cov = selectors.talk_coverage(cycle=cycle, branch=world.branch)
    rows = {r.member.pk: r for r in cov.rows}
    assert [c.committee_member for c in rows[focus.pk].cells] == [world.secretary, *world.committee]
    assert [c.missing for c in rows[focus.pk].cells] == [True, False, False]
    assert [c.is_self for c in rows[world.secretary.pk].cells] == [True, False, False]
    assert [c.missing for c in rows[world.secretary.pk].cells] == [False, True, True]


@pytest.mark.parametrize("size", [5, 50])
def test_coverage_query_count_constant(django_assert_num_queries, cycle, size):
    w = factories.world(members=size, logins=False)
    w.members += [factories.member(w.branch, is_veteran=True) for _ in range(size // 5)]
    full_coverage(w, cycle)
    # +1 since issue 11: the cycle's own roster reads BranchCycle.roster_fixed_on first (branch.selectors.cycle_rosters).
    with django_assert_num_queries(5):
        cov = selectors.talk_coverage(cycle=cycle, branch=w.branch)
    assert cov.complete
    assert cov.talk_count == 3 + len(w.members)


def _problems(w, cycle, members):
    services.problem_record(cycle=cycle, branch=w.branch, area=Problem.Area.ORG_LIFE, text="组织生活不规范")
    for m in members:
        services.problem_record(
            cycle=cycle, branch=w.branch, member=m, area=Problem.Area.PROMISES, text="践诺不够"
        )


def test_checks_report_each_rule_before_and_after(world, cycle):
    before = by_rule(selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk])
    assert {r: c.status for r, c in before.items()} == {
        "R1.1": Status.FAIL,
        "R1.2": Status.FAIL,
        "R1.3": Status.PASS,
        "R2.1": Status.FAIL,
        "R2.3": Status.PASS,
        "R2.4": Status.FAIL,
        "R3.1": Status.FAIL,
        "R3.2": Status.WARN,
    }
    absentee = world.members[0]
    session = record_session(
        world, cycle, absent={absentee: "外出"}, materials=list(RequiredMaterial.objects.all())
    )
    mid = by_rule(selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk])
    assert mid["R1.3"].status == Status.FAIL and absentee.name in mid["R1.3"].reason
    services.study_delivery_record(
        attendance=session.attendance.get(member=absentee),
        delivered_on=DAY,
        method=StudyAttendance.Delivery.PHONE,
        by=world.secretary,
    )
    full_coverage(world, cycle)
    _problems(world, cycle, world.everyone)
    after = selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk]
    assert [c.status for c in after] == [Status.PASS] * 8
    assert all(c.url for c in after)


def test_checks_members_problems_warn_only_R3_2(world, cycle):
    _problems(world, cycle, world.everyone[:-1])
    result = by_rule(selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk])
    assert result["R3.1"].status == Status.PASS
    assert result["R3.2"].status == Status.WARN
    assert result["R3.2"].reason == "1名党员尚未记录查摆的问题"


@pytest.mark.parametrize("branches", [1, 3])
def test_checks_query_count_constant_for_any_number_of_branches(django_assert_num_queries, cycle, branches):
    worlds = [factories.world(members=5 * (i + 1), logins=False) for i in range(branches)]
    for w in worlds:
        record_session(w, cycle, absent={w.members[0]: "外出"})
        full_coverage(w, cycle)
        _problems(w, cycle, w.members[:2])
    # +1 since issue 11: the cycle's own roster reads BranchCycle.roster_fixed_on first (branch.selectors.cycle_rosters).
    with django_assert_num_queries(10):
        result = selectors.checks(cycle=cycle, branches=[w.branch for w in worlds])
    assert set(result) == {w.branch.pk for w in worlds}
    assert all(by_rule(r)["R2.1"].status == Status.PASS for r in result.values())


def test_archive_fragment_prints_study_talks_coverage_and_problems_R7_2(world, cycle):
    absentee = world.members[0]
    record_session(world, cycle, absent={absentee: "外出务工"})
    talk(world, cycle, world.secretary, world.members[1], opinions_on_branch="希望多组织技术培训")
    services.problem_record(
        cycle=cycle, branch=world.branch, area=Problem.Area.ORG_LIFE, text="三会一课不规范"
    )
    html = render_to_string(
        "meetings/archive_before.html", selectors.archive_context(cycle=cycle, branch=world.branch)
    )
    for text in (
        "集中学习",
        "外出务工",
        "未送学",
        "希望多组织技术培训",
        "三会一课不规范",
        "尚缺的谈话",
        "尚未学习",
    ):
        assert text in html, text
    assert "<html" not in html
