"""Guidance by branch type (R4.6, R7.1): the plan's simple flexible forms for 离退休, 流动党员, 非公有制经济组织 and
社会组织 branches — the meeting by party groups, 流动党员 taking part where they are (在外参加), timing around 元旦/春节 —
count only for those branches; a 农村 branch is held to the ordinary form with the same records."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branch import services as branch_services
from branch.checks import Status
from branch.models import Branch, Member
from meetings import holidays
from meetings.models import Meeting, MeetingAttendance, Speech
from meetings.selectors import meeting as selectors
from meetings.selectors import planner
from meetings.services import meeting as services
from meetings.services.meeting import AttendanceEntry
from tests import factories
from tests.meetings.test_meeting_selectors import full_record

pytestmark = pytest.mark.django_db

S = MeetingAttendance.Status
K = Speech.Kind
BY_GROUPS = Meeting.Form.BY_GROUPS
FIRST_GROUP_DAY = date(2019, 2, 2)  # 腊月廿八, 2019
LAST_GROUP_DAY = date(2019, 2, 10)  # 正月初六


def reclassify(branch: Branch, kind: str) -> Branch:
    """The township changes a branch's type (onboarding's page, another app's work): the records stay as they are."""
    Branch.objects.filter(pk=branch.pk).update(kind=kind)
    branch.refresh_from_db()
    return branch


def flexible_world(kind: str = Branch.Kind.MOBILE, *, members: int = 5, logins: bool = True):
    """A world() whose branch is of a flexible type, its people in two party groups, one ordinary member mobile."""
    w = factories.world(members=members, logins=logins)
    reclassify(w.branch, kind)
    first = branch_services.group_create(branch=w.branch, name="第一党小组")
    second = branch_services.group_create(branch=w.branch, name="第二党小组")
    for i, m in enumerate(w.everyone):
        branch_services.member_update(member=m, group=first if i % 2 == 0 else second)
    mobile = w.members[-1]
    branch_services.member_update(member=mobile, is_mobile=True, mobile_location="北京市朝阳区")
    w.mobile = Member.objects.get(pk=mobile.pk)
    return w


def plan_by_groups(w, cycle, **fields) -> Meeting:
    values = {
        "form": BY_GROUPS,
        "township_contacted_on": date(2019, 1, 14),
        "township_agreed_on": FIRST_GROUP_DAY,
        "township_agreed_form": "春节返乡期间按党小组分别召开",
        "township_invited": True,
        "members_notified_on": date(2019, 1, 18),
    }
    values.update(fields)
    return services.meeting_plan(
        cycle=cycle, branch=w.branch, planned_on=FIRST_GROUP_DAY, place="镇党群服务中心", **values
    )


def held_by_groups(w, cycle, **fields) -> Meeting:
    meeting = plan_by_groups(w, cycle, **fields)
    groups = list(w.branch.groups.order_by("name"))
    services.group_session_record(
        meeting=meeting, group_id=groups[0].pk, held_on=FIRST_GROUP_DAY, place="镇党群服务中心"
    )
    services.group_session_record(
        meeting=meeting, group_id=groups[1].pk, held_on=LAST_GROUP_DAY, place="村委会"
    )
    return services.meeting_hold(meeting=meeting, held_on=LAST_GROUP_DAY)


def away_entry() -> AttendanceEntry:
    return AttendanceEntry(
        0,
        S.AWAY,
        elsewhere_org="北京市朝阳区",
        elsewhere_on=FIRST_GROUP_DAY,
        away_means=MeetingAttendance.AwayMeans.WRITTEN,
    )


def record_attendance(w, meeting, special: dict[int, AttendanceEntry] | None = None):
    special = special or {}
    entries = []
    for m in w.everyone:
        e = special.get(m.pk)
        entries.append(
            AttendanceEntry(m.pk, e.status, e.reason, e.elsewhere_org, e.elsewhere_on, e.away_means)
            if e
            else AttendanceEntry(m.pk, S.PRESENT)
        )
    return services.attendance_record(meeting=meeting, entries=entries)


def by_rule(w, cycle) -> dict:
    return {c.rule: c for c in selectors.checks(cycle=cycle, branches=[w.branch])[w.branch.pk]}


# ---------------------------------------------------------------- the meeting by party groups (R0.2, R4.6, R7.1)


def test_meeting_by_groups_passes_for_a_flexible_branch_and_the_same_records_fail_for_a_rural_one_R4_6_R7_1(
    cycle,
):
    w = flexible_world()
    meeting = held_by_groups(w, cycle)
    record_attendance(w, meeting)
    full_record(w, meeting)

    checks = by_rule(w, cycle)
    assert checks["R0.2"].status == Status.PASS
    assert "第一党小组 2019-02-02、第二党小组 2019-02-10" in checks["R0.2"].reason
    assert checks["R4.5"].status == Status.PASS
    assert "利用2019年春节返乡时机召开" in checks["R4.6"].reason  # both groups met while members were home

    reclassify(w.branch, Branch.Kind.RURAL)
    checks = by_rule(w, cycle)
    assert checks["R0.2"].status == Status.FAIL
    assert "仅适用于离退休、流动党员、非公有制经济组织和社会组织党支部" in checks["R0.2"].reason
    assert "本支部为农村党支部，应以党支部党员大会形式召开" in checks["R0.2"].reason


def test_a_rural_branch_is_refused_the_meeting_by_groups_R4_6_R7_1(world, cycle):
    with pytest.raises(ValidationError) as exc:
        plan_by_groups(world, cycle)
    assert "本支部为农村党支部，请以党支部党员大会形式召开" in " ".join(exc.value.messages)
    assert not Meeting.objects.filter(branch=world.branch).exists()
    # Each flexible type is offered it.
    for kind in (Branch.Kind.RETIRED, Branch.Kind.NONPUBLIC, Branch.Kind.SOCIAL, Branch.Kind.MOBILE):
        assert factories.branch(kind=kind).uses_flexible_forms
    assert not factories.branch(kind=Branch.Kind.COMMUNITY).uses_flexible_forms


def test_meeting_by_groups_waits_for_every_group_and_is_held_on_the_last_groups_day_R0_2_R4_6(cycle):
    w = flexible_world()
    meeting = plan_by_groups(w, cycle)
    first, second = w.branch.groups.order_by("name")
    with pytest.raises(ValidationError) as exc:
        services.meeting_hold(meeting=meeting, held_on=LAST_GROUP_DAY)
    assert "请先登记各党小组开会的日期和地点" in " ".join(exc.value.messages)

    services.group_session_record(
        meeting=meeting, group_id=first.pk, held_on=FIRST_GROUP_DAY, place="镇党群服务中心"
    )
    check = by_rule(w, cycle)["R0.2"]
    assert check.status == Status.WARN and "尚未登记党小组会：第二党小组" in check.reason

    services.group_session_record(meeting=meeting, group_id=second.pk, held_on=LAST_GROUP_DAY, place="村委会")
    with pytest.raises(ValidationError) as exc:
        services.meeting_hold(meeting=meeting, held_on=FIRST_GROUP_DAY)
    assert "不能早于 2019-02-10" in " ".join(exc.value.messages)
    services.meeting_hold(meeting=meeting, held_on=LAST_GROUP_DAY)
    assert Meeting.objects.get(pk=meeting.pk).held_on == LAST_GROUP_DAY
    with pytest.raises(ValidationError) as exc:
        services.group_session_record(
            meeting=meeting, group_id=second.pk, held_on=date(2019, 2, 12), place="村委会"
        )
    assert "党小组会不能晚于这一天" in " ".join(exc.value.messages)


def test_notice_must_come_before_the_first_groups_day_R4_5(cycle):
    w = flexible_world()
    held_by_groups(w, cycle, members_notified_on=date(2019, 2, 5))  # before the last group, after the first
    check = by_rule(w, cycle)["R4.5"]
    assert check.status == Status.FAIL
    assert "通知日期不早于第一个党小组会 2019-02-02" in check.reason


# ---------------------------------------------------------------- 在外参加 (R4.6, R7.1)


def test_away_counts_as_taking_part_only_for_a_flexible_branch_R4_6_R7_1(cycle):
    w = flexible_world()
    meeting = held_by_groups(w, cycle)
    record_attendance(w, meeting, {w.mobile.pk: away_entry()})
    full_record(w, meeting)
    rows = selectors.attendance_rows(meeting=meeting)
    everyone = len(w.everyone)

    q = selectors.quorum(rows, flexible=True)
    assert (q.should_attend, q.present, q.away, q.taking_part) == (everyone, everyone - 1, 1, everyone)
    checks = by_rule(w, cycle)
    assert checks["R4.6"].status == Status.PASS and "在外参加 1 人（简便灵活方式）" in checks["R4.6"].reason
    assert checks["R4.7"].status == Status.PASS and "在外参加 1 人" in checks["R4.7"].reason

    reclassify(w.branch, Branch.Kind.RURAL)
    assert selectors.quorum(rows, flexible=w.branch.uses_flexible_forms).taking_part == everyone - 1
    check = by_rule(w, cycle)["R4.6"]
    assert check.status == Status.FAIL
    assert "请改登为在流入地党组织参加或返乡后补课参加" in check.reason and w.mobile.name in check.reason


def test_away_refused_for_a_rural_branch_and_for_a_member_not_mobile_R4_6(world, cycle):
    mobile = factories.member(world.branch, is_mobile=True, mobile_location="北京市")
    meeting = services.meeting_hold(
        meeting=services.meeting_plan(
            cycle=cycle, branch=world.branch, planned_on=date(2019, 1, 18), place="村委会"
        ),
        held_on=date(2019, 1, 18),
    )
    entries = [AttendanceEntry(m.pk, S.PRESENT) for m in world.everyone]
    e = away_entry()
    entries.append(AttendanceEntry(mobile.pk, e.status, "", e.elsewhere_org, e.elsewhere_on, e.away_means))
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=meeting, entries=entries)
    assert f"{mobile.name}：在外参加是简便灵活方式" in " ".join(exc.value.messages)
    assert not MeetingAttendance.objects.filter(meeting=meeting).exists()

    w = flexible_world()
    meeting = held_by_groups(w, cycle)
    settled = w.members[0]
    with pytest.raises(ValidationError) as exc:
        record_attendance(w, meeting, {settled.pk: away_entry()})
    assert f"{settled.name}：不是流动党员，不能登记为在外参加" in " ".join(exc.value.messages)
    incomplete = AttendanceEntry(0, S.AWAY)
    with pytest.raises(ValidationError) as exc:
        record_attendance(w, meeting, {w.mobile.pk: incomplete})
    text = " ".join(exc.value.messages)
    assert "请填写在外参加的所在地" in text and "请选择在外参加的方式" in text


def test_a_member_away_in_a_flexible_branch_speaks_in_writing_R4_3_R4_6(cycle):
    w = flexible_world()
    meeting = held_by_groups(w, cycle)
    record_attendance(w, meeting, {w.mobile.pk: away_entry()})
    speech = services.speech_add(
        meeting=meeting, kind=K.MEMBER_SELF, speaker=w.mobile, matter="书面自评：学习少"
    )
    assert speech.pk


# ---------------------------------------------------------------- pages (R4.6, R7.1)


def test_meeting_page_offers_the_form_choice_only_to_a_flexible_branch_R4_6_R7_1(client_for, world, cycle):
    rural = client_for(world.users["secretary"]).get(reverse("meeting_detail"))
    assert rural.status_code == 200
    assert "按党小组分别召开" not in rural.content.decode()
    assert 'id="flexible-guidance"' not in rural.content.decode()

    w = flexible_world(Branch.Kind.RETIRED)
    page = client_for(w.users["secretary"]).get(reverse("meeting_detail"))
    html = page.content.decode()
    assert "按党小组分别召开（简便灵活方式）" in html
    assert "本支部为离退休党支部，依据工作方案 R4.6、R7.1 可采取简便灵活方式" in html


def test_secretary_records_group_sessions_on_the_page_and_a_bad_one_keeps_the_input_R4_6(client_for, cycle):
    w = flexible_world()
    client = client_for(w.users["secretary"])
    plan_by_groups(w, cycle)
    first, second = w.branch.groups.order_by("name")
    ok = client.post(
        reverse("meeting_group_session"),
        {"group": first.pk, "held_on": "2019-02-02", "place": "镇党群服务中心"},
    )
    assert ok.status_code == 302
    bad = client.post(
        reverse("meeting_group_session"), {"group": second.pk, "held_on": "2019-01-10", "place": "村委会"}
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "党小组开会日期不能早于与镇党委沟通的日期" in html and 'value="村委会"' in html
    page = client.get(reverse("meeting_detail")).content.decode()
    assert "第一党小组：2019-02-02，镇党群服务中心" in page and "尚未开会的党小组：第二党小组" in page
    # The committee member reads the page but may not write.
    refused = client_for(w.users["committee"]).post(
        reverse("meeting_group_session"), {"group": second.pk, "held_on": "2019-02-10", "place": "村委会"}
    )
    assert refused.status_code == 403


def test_attendance_page_offers_away_only_to_a_flexible_branchs_mobile_member_R4_6(client_for, world, cycle):
    mobile = factories.member(world.branch, is_mobile=True)
    services.meeting_hold(
        meeting=services.meeting_plan(
            cycle=cycle, branch=world.branch, planned_on=date(2019, 1, 18), place="村委会"
        ),
        held_on=date(2019, 1, 18),
    )
    html = client_for(world.users["secretary"]).get(reverse("meeting_attendance")).content.decode()
    assert f'id="s{mobile.pk}_elsewhere"' in html and f'id="s{mobile.pk}_away"' not in html

    w = flexible_world()
    held_by_groups(w, cycle)
    client = client_for(w.users["secretary"])
    html = client.get(reverse("meeting_attendance")).content.decode()
    assert f'id="s{w.mobile.pk}_away"' in html and f'id="s{w.members[0].pk}_away"' not in html
    data = {f"status_{m.pk}": "present" for m in w.everyone}
    data.update(
        {
            f"status_{w.mobile.pk}": "away",
            f"org_{w.mobile.pk}": "北京市朝阳区",
            f"means_{w.mobile.pk}": "written",
            f"on_{w.mobile.pk}": "2019-02-02",
        }
    )
    assert client.post(reverse("meeting_attendance"), data).status_code == 302
    html = client.get(reverse("meeting_attendance")).content.decode()
    assert f"实到 <strong>{len(w.everyone)}</strong> 人" in html and "其中在外参加 1 人" in html


# ---------------------------------------------------------------- the 春节 window planner (R4.6)


def test_holiday_table_and_window_R4_6():
    assert holidays.spring_festival(2019) == date(2019, 2, 5)
    assert set(holidays.SPRING_FESTIVAL) == set(range(2018, 2036))
    assert all(date(y, 1, 21) <= d <= date(y, 2, 20) for y, d in holidays.SPRING_FESTIVAL.items())
    window = holidays.spring_window(2019)
    assert (window.starts_on, window.ends_on) == (date(2019, 1, 29), date(2019, 2, 19))  # 小年前后 … 正月十五
    assert (
        window.lunar_label(date(2019, 2, 19)) == "正月十五" and window.lunar_label(date(2019, 2, 4)) == "除夕"
    )
    assert holidays.window_of(date(2019, 3, 1)) is None
    assert holidays.window_of(date(2018, 12, 31)).name == "2019年元旦"


def test_planner_proposes_days_home_for_spring_festival_before_the_deadline_and_lists_members_away_R4_6(
    cycle,
):
    w = flexible_world()
    plan = planner.spring_festival_plan(cycle=cycle, branch=w.branch, today=date(2018, 12, 20))
    assert plan.proposals
    spring = holidays.spring_window(2019)
    family = {date(2019, 2, 4), date(2019, 2, 5), date(2019, 2, 6), date(2019, 2, 7)}  # 除夕, 初一–初三
    for p in plan.proposals:
        assert cycle.starts_on <= p.day <= cycle.deadline
        assert spring.starts_on <= p.day <= spring.ends_on
        assert p.day not in family
    weekends = [p.weekend for p in plan.proposals]
    assert weekends == sorted(weekends, reverse=True)  # weekends first
    assert plan.proposals[0].day == date(2019, 2, 2)  # the first weekend day at home: 2019-02-02, 星期六
    assert [(a.member.name, a.location) for a in plan.away] == [(w.mobile.name, "北京市朝阳区")]
    text = "".join(plan.explanation)
    assert (
        "2019年春节为2019年2月5日（正月初一）" in text and "周末优先" in text and "可按党小组分别召开" in text
    )


def test_planner_for_a_deadline_before_spring_festival_and_for_a_cycle_long_past_R4_6(cycle):
    w = flexible_world()
    short = branch_services.cycle_create(year=2019, deadline=date(2020, 1, 10), township=w.township)
    plan = planner.spring_festival_plan(cycle=short, branch=w.branch, today=date(2019, 6, 1))
    # 2020's 春节 (25 January) comes after the deadline: only the 元旦 days are left.
    assert [p.day for p in plan.proposals] == [date(2019, 12, 30), date(2019, 12, 31), date(2020, 1, 1)]
    assert "早于2020年春节返乡时间（约2020年1月18日起）" in "".join(plan.explanation)
    plan = planner.spring_festival_plan(cycle=short, branch=w.branch, today=date(2020, 1, 5))
    assert plan.proposals == []
    text = "".join(plan.explanation)
    assert "之前已没有元旦、春节返乡的日子（下一个春节为2020年1月25日）" in text
    assert "不能返回的流动党员可以协调在流入地党组织参加" in text

    meeting = held_by_groups(w, cycle)
    record_attendance(w, meeting, {w.mobile.pk: away_entry()})
    past = planner.spring_festival_plan(cycle=cycle, branch=w.branch, today=date(2026, 5, 1))
    assert past.past and past.proposals == []
    text = "".join(past.explanation)
    assert "2018年度的完成期限（2019年3月20日）已过，不再建议召开日期" in text
    assert "本支部会议于2019年2月10日召开，在2019年春节返乡期间" in text
    assert past.away[0].attendance.startswith("在外参加")


def test_planner_page_secretary_and_committee_read_member_refused_R4_6(client_for, cycle):
    w = flexible_world()
    url = reverse("meeting_planner")
    assert url == "/2018/meeting/planner/"
    for role in ("secretary", "committee"):
        page = client_for(w.users[role]).get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "外出党员（流动党员）" in html and "北京市朝阳区" in html and "不再建议召开日期" in html
    assert client_for(w.users["member"]).get(url).status_code == 403


def test_planner_page_township_reads_its_branch_another_townships_is_404_R7_1(client_for, cycle, other_world):
    w = flexible_world()
    client = client_for(w.users["township"])
    assert client.get(reverse("meeting_planner"), {"branch": w.branch.pk}).status_code == 200
    assert client.get(reverse("meeting_planner"), {"branch": other_world.branch.pk}).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_planner_page_query_count_constant(client_for, django_assert_num_queries, cycle, size):
    w = flexible_world(members=size)
    for m in w.members[:-1]:
        branch_services.member_update(member=m, is_mobile=True, mobile_location="呼和浩特市")
    meeting = held_by_groups(w, cycle)
    record_attendance(w, meeting)
    client = client_for(w.users["secretary"])
    client.get(reverse("meeting_planner"))  # warm the session
    # The planner's own four (the meeting, the roster's two, the attendance of those away) plus what every page of a
    # year costs (session, login, scope, cycles, navigation): the same at 3 and 30 members.
    with django_assert_num_queries(12):
        page = client.get(reverse("meeting_planner"))
    assert page.content.decode().count("呼和浩特市") == size - 1


# ---------------------------------------------------------------- the township's overview (R7.1)


@pytest.mark.parametrize("branches", [2, 12])
def test_meeting_forms_one_query_whatever_the_number_of_branches_R7_1(
    cycle, django_assert_num_queries, branches
):
    township = factories.township()
    rural = [factories.world(members=1, township_=township, logins=False) for _ in range(branches // 2)]
    for w in rural:
        services.meeting_plan(cycle=cycle, branch=w.branch, planned_on=date(2019, 1, 18), place="村委会")
    flexible = [flexible_world(members=2, logins=False) for _ in range(branches // 2)]
    for w in flexible:
        held_by_groups(w, cycle)
    unplanned = factories.branch(township_=township)
    everyone = [w.branch for w in rural + flexible] + [unplanned]
    with django_assert_num_queries(1):
        forms = selectors.meeting_forms(cycle=cycle, branches=everyone)
    assert forms[rural[0].branch.pk] == "党员大会（集中召开）"
    assert forms[flexible[0].branch.pk] == "按党小组分别召开（已开 2 个党小组会）"
    assert forms[unplanned.pk] == "尚未安排"


@pytest.mark.parametrize("branches", [1, 4])
def test_checks_with_meetings_by_groups_one_more_query_whatever_the_number_R4_6(
    cycle, django_assert_num_queries, branches
):
    worlds = [flexible_world(members=2, logins=False) for _ in range(branches)]
    for w in worlds:
        meeting = held_by_groups(w, cycle)
        record_attendance(w, meeting)
    with django_assert_num_queries(8):
        result = selectors.checks(cycle=cycle, branches=[w.branch for w in worlds])
    assert all({c.rule: c for c in checks}["R0.2"].status == Status.PASS for checks in result.values())


# ---------------------------------------------------------------- the demo


def test_demo_mobile_branch_held_by_groups_around_spring_festival_and_seeding_twice_adds_nothing_R4_6(cycle):
    from branch import demo
    from meetings import demo_flexible

    ctx = demo.seed()
    demo_flexible.seed(ctx)
    demo_flexible.seed(ctx)  # idempotent
    branch = Branch.objects.get(name=demo_flexible.BRANCH_NAME)
    assert branch.township == ctx.township and branch.kind == Branch.Kind.MOBILE
    assert Meeting.objects.filter(branch=branch).count() == 1
    assert Member.objects.filter(branch=branch).count() == len(demo_flexible.ROSTER)
    checks = {c.rule: c for c in selectors.checks(cycle=cycle, branches=[branch])[branch.pk]}
    assert all(
        checks[r].status == Status.PASS for r in ("R0.2", "R4.1", "R4.2", "R4.3", "R4.5", "R4.6", "R4.7")
    )
    assert "在外参加 1 人" in checks["R4.6"].reason and "春节返乡时机" in checks["R4.6"].reason
    forms = selectors.meeting_forms(cycle=cycle, branches=[branch, ctx.main])
    assert forms == {branch.pk: "按党小组分别召开（已开 2 个党小组会）", ctx.main.pk: "尚未安排"}
