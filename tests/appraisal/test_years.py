"""Year after year (issue 11): each cycle's appraisal stands on that cycle's own roster, and a member sees every year."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appraisal import exports, selectors, services
from appraisal.models import Grade, GradeChoice
from branch import services as branch_services
from branch.models import BranchCycle, Cycle, Member, Scope
from meetings.models import StudyAttendance
from meetings.services.before import study_delivery_record, study_session_record, talk_record
from tests import factories
from tests.appraisal import fake_providers
from tests.appraisal import helpers as h

pytestmark = pytest.mark.django_db
G = GradeChoice
MEETING_2019 = date(2020, 1, 15)


def _cycle_2019() -> Cycle:
    return branch_services.cycle_create(year=2019, deadline=date(2020, 3, 20))


def _sheet_values(wb) -> list[list]:
    return [[c.value for c in row] for row in wb.active.iter_rows()]


def _snapshot(cycle_pk: int, branch) -> dict:
    """Everything of 2018's appraisal a user reads, through a fresh cycle object (nothing cached from before)."""
    cycle = Cycle.objects.get(pk=cycle_pk)
    rows = selectors.grading_rows(cycle=cycle, branch=branch)
    return {
        "tally": [(r.member.name, r.counts) for r in selectors.tally_rows(cycle=cycle, branch=branch)],
        "grades": [(r.member.name, r.grade.grade if r.grade else None) for r in rows],
        "totals": selectors.grade_totals(rows),
        "cap": selectors.cap_status(cycle=cycle, branch=branch),
        "checks": [
            (c.rule, c.status, c.reason) for c in selectors.checks(cycle=cycle, branches=[branch])[branch.pk]
        ],
        "ballot": [m.name for m in selectors.ballot_context(cycle=cycle, branch=branch, copies=1).members],
        "self_mutual": [
            (r.member.name, r.member.status) for r in selectors.self_mutual_rows(cycle=cycle, branch=branch)
        ],
        "tally_xlsx": _sheet_values(exports.tally_workbook(cycle=cycle, branch=branch)),
        "results_xlsx": _sheet_values(exports.results_workbook(cycle=cycle, branch=branch)),
    }


def test_2018_appraisal_unchanged_by_a_transfer_a_zhuanzheng_and_a_newcomer_in_2019_R7_2_R5_5_R5_8(cycle):
    """Once 2018's roster is fixed, its tally, grade summary, cap, checks and exports stay as they were, name no
    2019 newcomer, keep the member who transferred out graded, and keep the 2018 预备党员 ungraded (R5.8)."""
    w = factories.world(members=5, probationary=1, logins=False)
    probationary = w.members[-1]
    h.tally_by_ballots(w, cycle)
    branch_services.branch_cycle_fix_roster(cycle=cycle, branch=w.branch, on=h.HELD_ON)
    full = h.rated(w, cycle)
    assert len(full) == 8 and probationary not in full
    leaver = full[0]
    for m in full:
        g = h.grade(m, cycle, G.EXCELLENT if m in full[:2] else G.QUALIFIED)
        services.feedback_record(grade=g, given_on=date(2019, 1, 25), means="face", by=w.secretary)
    before = _snapshot(cycle.pk, w.branch)
    assert before["cap"] == {"rated": 8, "cap": 2, "excellent": 2}
    assert leaver.name in before["ballot"]

    c19 = _cycle_2019()
    branch_services.member_leave(member=leaver, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 3, 1))
    branch_services.member_update(
        member=probationary, status=Member.Status.FULL, full_member_on=date(2019, 6, 1)
    )
    newcomer = factories.member(w.branch, joined_on=date(2019, 7, 1))
    branch_services.participant_score_set(cycle=c19, member=probationary, stars=4, points=90)
    branch_services.branch_cycle_fix_roster(cycle=c19, branch=w.branch, on=MEETING_2019)

    after = _snapshot(cycle.pk, w.branch)
    assert after == before
    names = {n for n, _ in after["grades"]}
    assert leaver.name in names and dict(after["grades"])[leaver.name] == G.EXCELLENT
    assert probationary.name not in names  # 预备 on 2018's meeting day: appraised, not graded
    flat = [v for sheet in ("tally_xlsx", "results_xlsx") for row in after[sheet] for v in row]
    assert newcomer.name not in flat and leaver.name in flat
    assert dict(after["self_mutual"])[probationary.name] == Member.Status.PROBATIONARY
    # …while 2019 appraises the members of 2019 and rates its 正式党员.
    roster_2019 = {r.member.name for r in selectors.self_mutual_rows(cycle=c19, branch=w.branch)}
    assert newcomer.name in roster_2019 and leaver.name not in roster_2019
    rated_2019 = {m.name for m in selectors.rated_roster(cycle=c19, branch=w.branch)}
    assert probationary.name in rated_2019 and leaver.name not in rated_2019


def test_member_transferred_after_the_meeting_is_still_graded_in_that_cycle_R5_4_R5_5(cycle):
    """Grading after a transfer-out: the member was on the meeting day's roster, so is graded and counts in the cap
    base; a member who left before the meeting is not on the roster and is refused."""
    w = factories.world(members=4, logins=False)
    gone_before = w.members[-1]
    branch_services.member_leave(
        member=gone_before, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 1, 10)
    )
    h.tally_by_ballots(w, cycle)
    branch_services.branch_cycle_fix_roster(cycle=cycle, branch=w.branch, on=h.HELD_ON)
    leaver = w.members[0]
    branch_services.member_leave(member=leaver, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 1, 19))
    assert selectors.cap_status(cycle=cycle, branch=w.branch)["rated"] == 6

    g = h.grade(leaver, cycle, G.EXCELLENT, decided_on=date(2019, 1, 20))

    assert g.grade == G.EXCELLENT
    assert [r.grade for r in selectors.grading_rows(cycle=cycle, branch=w.branch) if r.member == leaver] == [
        g
    ]
    with pytest.raises(ValidationError, match="不在2018年度参加评议的党员名单中"):
        h.grade(gone_before, cycle)


def test_writes_on_a_closed_cycle_are_refused_with_the_reason_R7_2(cycle):
    """A closed cycle is frozen: the services refuse a grade and a feedback, naming the year."""
    w = factories.world(members=3, logins=False)
    h.tally_by_ballots(w, cycle)
    m = w.members[0]
    g = h.grade(m, cycle, G.QUALIFIED)
    # No closing service on this branch yet (another part of issue 11): the state is what closing leaves behind.
    BranchCycle.objects.filter(cycle=cycle, branch=w.branch).update(state=BranchCycle.State.CLOSED)
    closed = Cycle.objects.get(pk=cycle.pk)
    g = Grade.objects.get(pk=g.pk)  # fresh: a cycle object keeps the branch's state for the request it serves

    with pytest.raises(ValidationError, match="2018年度已关闭，记录已封存，不能修改"):
        services.grade_set(
            cycle=closed, member=m, grade=G.BASIC, opinion="改", decided_on=date(2019, 1, 21), reason="复议"
        )
    with pytest.raises(ValidationError, match="2018年度已关闭"):
        services.feedback_record(grade=g, given_on=date(2019, 1, 25), means="face", by=w.secretary)
    g.refresh_from_db()
    assert g.grade == G.QUALIFIED and not hasattr(g, "feedback")


# ---- R5.3 daily performance beside the grade ----


def _year_2019_with_records(size: int):
    """2018 graded for everyone; 2019 opened with a study session (one absent, sent the materials), a talk, the
    meeting held, 星级/积分 and last year's commitments for the first member."""
    cycle = h.cycle_2018()
    w = factories.world(members=size)
    h.tally_by_ballots(w, cycle, ballots=3)
    for m in h.rated(w, cycle):
        h.grade(m, cycle, G.EXCELLENT if m == w.members[0] else G.QUALIFIED)
    c19 = _cycle_2019()
    m = w.members[0]
    others = [x for x in w.everyone if x != m]
    study_session_record(
        cycle=c19,
        branch=w.branch,
        held_on=date(2019, 4, 10),
        form="lecture",
        present=w.everyone,
        absent={},
        other_content="学习党章",
    )
    s2 = study_session_record(
        cycle=c19,
        branch=w.branch,
        held_on=date(2019, 6, 10),
        form="lecture",
        present=others,
        absent={m: "外出务工"},
        other_content="学习准则",
    )
    study_delivery_record(
        attendance=StudyAttendance.objects.get(session=s2, member=m),
        delivered_on=date(2019, 6, 12),
        method="wechat",
        by=w.secretary,
    )
    talk_record(cycle=c19, by=w.secretary, with_=m, held_on=date(2019, 9, 1))
    h.meeting(w, c19, held_on=MEETING_2019)
    branch_services.participant_score_set(cycle=c19, member=m, stars=4, points=88)
    fake_providers.COMMITMENTS[(c19.pk, m.pk)] = ["承诺：带头整治村容村貌；已报告3次季度践诺情况"]
    return w, c19, m


def test_grading_page_shows_each_members_daily_performance_R5_3(client_for):
    """Facts, not a score: study x/y and deliveries, talks, the meeting, this year's 星级/积分, last year's grade and how
    the commitments were reported. The committee still decides: nothing computed from them proposes a grade."""
    w, c19, m = _year_2019_with_records(3)
    with factories.under_year(2019):
        url = reverse("appraisal_grades")
    html = client_for(w.users["secretary"]).get(url).content.decode()
    row = html[html.index(f'<tr id="m{m.pk}"') :].split("</tr>")[0]
    assert "集中学习：出席 1/2 次，缺席 1 次、已送学 1 次" in row
    assert "谈心谈话：1 次" in row
    assert "组织生活会：出席" in row
    assert "4星 / 88分" in row
    assert "上年度评定：2018年度 优秀" in row
    assert "承诺：带头整治村容村貌；已报告3次季度践诺情况" in row
    other = html[html.index(f'<tr id="m{w.members[1].pk}"') :].split("</tr>")[0]
    assert "集中学习：出席 2/2 次" in other and "谈心谈话：0 次" in other and "2018年度 合格" in other
    with factories.under_year(2019):
        form = client_for(w.users["secretary"]).get(reverse("appraisal_grade_edit", args=[m.pk]))
    assert "2019年度星级/积分：4 星 / 88 分" in form.content.decode()
    assert "上年度评定：2018年度 优秀" in form.content.decode()


@pytest.mark.parametrize("size", [5, 50])
def test_grading_page_with_daily_performance_query_count_constant_R5_3(
    client_for, django_assert_num_queries, size
):
    w, c19, m = _year_2019_with_records(size)
    with factories.under_year(2019):
        url = reverse("appraisal_grades")
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(20):
        r = c.get(url)
    assert r.status_code == 200


def test_grading_page_without_a_commitments_provider_shows_no_commitments_R5_3(client_for, settings):
    w, c19, m = _year_2019_with_records(3)
    settings.XINYI_PROVIDERS = {
        k: v for k, v in settings.XINYI_PROVIDERS.items() if k != "commitments_beside"
    }
    with factories.under_year(2019):
        html = client_for(w.users["secretary"]).get(reverse("appraisal_grades")).content.decode()
    assert "集中学习：出席 1/2 次" in html and "上年度承诺践诺" not in html


# ---- R5.1 last year's commitments beside this year's self-appraisal ----


def test_last_years_open_commitments_beside_the_self_appraisal_R5_1_R6_5(client_for, cycle, settings):
    w = factories.world(members=2)
    c19 = _cycle_2019()
    m = w.members[0]
    fake_providers.COMMITMENTS[(c19.pk, m.pk)] = ["2018年承诺：帮扶困难户2户（尚未兑现）"]
    c = client_for(w.users["secretary"])
    with factories.under_year(2019):
        listing, edit = reverse("appraisal_self_mutual"), reverse("appraisal_self_mutual_edit", args=[m.pk])
    html = c.get(listing).content.decode()
    assert "上年度承诺及践诺情况" in html
    row = html[html.index(f'<tr id="m{m.pk}"') :].split("</tr>")[0]
    assert "2018年承诺：帮扶困难户2户（尚未兑现）" in row
    assert "2018年承诺：帮扶困难户2户（尚未兑现）" in c.get(edit).content.decode()
    # 2018's own page asks about 2017, which has nothing here.
    assert "上年度承诺及践诺情况" not in c.get("/2018/appraisal/self-mutual/").content.decode()
    settings.XINYI_PROVIDERS = {
        **settings.XINYI_PROVIDERS,
        "commitments_beside": "tests.appraisal.fake_providers.nothing",
    }
    assert "上年度承诺及践诺情况" not in c.get(listing).content.decode()


# ---- R5.6 /me/: every year's own result ----


def _two_members_two_years():
    cycle = h.cycle_2018()
    w = factories.world(members=2)
    a, b = w.members
    w.users["b"] = factories.login(role=Scope.Role.MEMBER, member_=b)
    h.tally_by_ballots(w, cycle, ballots=3)
    for m, opinion in ((a, "甲2018：带头学习"), (b, "乙2018：按时交纳党费")):
        g = h.grade(m, cycle, opinion=opinion)
        services.feedback_record(grade=g, given_on=date(2019, 1, 25), means="face", by=w.secretary)
    branch_services.branch_cycle_fix_roster(cycle=cycle, branch=w.branch, on=h.HELD_ON)
    c19 = _cycle_2019()
    h.tally_by_ballots(w, c19, ballots=3, held_on=MEETING_2019)
    g = h.grade(a, c19, G.EXCELLENT, opinion="甲2019：带领群众致富", decided_on=date(2020, 1, 16))
    services.feedback_record(grade=g, given_on=date(2020, 1, 20), means="face", by=w.secretary)
    h.grade(b, c19, opinion="乙2019：尚未反馈", decided_on=date(2020, 1, 16))  # not fed back yet (R5.6)
    return w, a, b


def test_me_lists_each_years_own_result_newest_first_and_no_one_elses_R5_6(client_for):
    w, a, b = _two_members_two_years()
    with factories.under_year(2019):
        url = reverse("me")
    html = client_for(w.users["member"]).get(url).content.decode()
    assert html.index("甲2019：带领群众致富") < html.index("甲2018：带头学习")
    assert "2019年度" in html and "2018年度" in html
    assert "乙2018" not in html and "乙2019" not in html

    html = client_for(w.users["b"]).get(url).content.decode()
    assert "乙2018：按时交纳党费" in html  # 2018's result while 2019 is open
    assert "乙2019" not in html  # graded but not yet fed back
    assert "甲2018" not in html and "甲2019" not in html
    # The 2018 address shows the same list.
    assert "乙2018：按时交纳党费" in client_for(w.users["b"]).get("/2018/me/").content.decode()


def test_own_results_every_cycle_in_constant_queries_R5_6(django_assert_num_queries):
    w, a, b = _two_members_two_years()
    a = Member.objects.select_related("branch").get(pk=a.pk)
    with django_assert_num_queries(4):
        results = selectors.own_results(member=a)
    assert [(r.cycle.year, r.grade.opinion) for r in results] == [
        (2019, "甲2019：带领群众致富"),
        (2018, "甲2018：带头学习"),
    ]
