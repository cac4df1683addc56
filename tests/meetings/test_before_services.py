"""Writes before the meeting (R1–R3): each rule, and bad input refused in Chinese with nothing saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from branch import services as branch_services
from branch.models import CommitteePost
from meetings.models import Meeting, Problem, RequiredMaterial, StudyAttendance, StudySession, Talk
from meetings.services import before as services

pytestmark = pytest.mark.django_db

DAY = date(2018, 12, 3)


# ---------------------------------------------------------------- helpers shared by the before_* tests


def record_session(w, cycle, *, absent=None, held_on=DAY, materials=None, **kwargs):
    """A session with the whole roster of world `w`: everyone present except `absent` ({member: reason})."""
    absent = absent or {}
    if materials is None:
        materials = list(RequiredMaterial.objects.filter(cycle=cycle)[:1])
    return services.study_session_record(
        cycle=cycle,
        branch=w.branch,
        held_on=held_on,
        form=StudySession.Form.LECTURE,
        leader=w.secretary,
        materials=materials,
        present=[m for m in w.everyone if m not in absent],
        absent=absent,
        **kwargs,
    )


def talk(w, cycle, by, with_, held_on=DAY, **kwargs):
    return services.talk_record(cycle=cycle, by=by, with_=with_, held_on=held_on, **kwargs)


def full_coverage(w, cycle, held_on=DAY):
    """Talks that satisfy R2.1, R2.3 and R2.4 for world `w` (the secretary talks first)."""
    sec, c1, c2 = w.secretary, *w.committee
    talk(w, cycle, sec, c1, held_on)
    talk(w, cycle, sec, c2, held_on)
    talk(w, cycle, c1, c2, held_on)
    for m in w.members:
        talk(w, cycle, sec if m.is_focus else c1, m, held_on)


def refused(fn, message_part: str, **kwargs):
    with pytest.raises(ValidationError) as exc:
        fn(**kwargs)
    text = "；".join(exc.value.messages)
    assert message_part in text, text
    return text


# ---------------------------------------------------------------- R1 study


def test_study_session_records_form_and_whole_roster_attendance_R1_1(world, cycle):
    assert StudySession.objects.count() == 0
    absentee = world.members[2]
    session = record_session(world, cycle, absent={absentee: "外出务工"}, place="村党员活动室")
    assert session.form == StudySession.Form.LECTURE
    rows = {a.member_id: a for a in session.attendance.all()}
    assert set(rows) == {m.pk for m in world.everyone}
    assert rows[absentee.pk].present is False
    assert rows[absentee.pk].absence_reason == "外出务工"
    assert sum(a.present for a in rows.values()) == len(world.everyone) - 1


def test_session_without_any_attendee_refused_nothing_saved_R1_1(world, cycle):
    refused(
        record_session,
        "至少要有一名党员出席",
        w=world,
        cycle=cycle,
        absent={m: "外出" for m in world.everyone},
    )
    assert StudySession.objects.count() == 0
    assert StudyAttendance.objects.count() == 0


def test_session_must_mark_every_member_of_the_roster_R1_3(world, cycle):
    forgotten = world.members[-1]
    with pytest.raises(ValidationError) as exc:
        services.study_session_record(
            cycle=cycle,
            branch=world.branch,
            held_on=DAY,
            form=StudySession.Form.SEMINAR,
            materials=list(RequiredMaterial.objects.filter(cycle=cycle)[:1]),
            present=[m for m in world.everyone if m != forgotten],
            absent={},
        )
    assert forgotten.name in exc.value.messages[0]
    assert "尚未登记" in exc.value.messages[0]
    assert StudySession.objects.count() == 0


def test_session_absence_needs_a_reason_R1_3(world, cycle):
    refused(record_session, "缺席须写明原因", w=world, cycle=cycle, absent={world.members[0]: "  "})
    assert StudySession.objects.count() == 0


def test_session_refuses_member_of_another_branch(world, other_world, cycle):
    stranger = other_world.members[0]
    with pytest.raises(ValidationError) as exc:
        services.study_session_record(
            cycle=cycle,
            branch=world.branch,
            held_on=DAY,
            form=StudySession.Form.SEMINAR,
            materials=list(RequiredMaterial.objects.filter(cycle=cycle)[:1]),
            present=[*world.everyone, stranger],
            absent={},
        )
    assert "不是本支部在册党员" in exc.value.messages[0]
    assert StudyAttendance.objects.count() == 0


@pytest.mark.parametrize("held_on", [date(2017, 12, 31), date(2019, 3, 21)])
def test_session_date_outside_cycle_refused_R0_1(world, cycle, held_on):
    refused(record_session, "日期须在本年度组织生活会期间", w=world, cycle=cycle, held_on=held_on)
    assert StudySession.objects.count() == 0


def test_session_needs_content_and_materials_of_its_cycle_R1_2(world, cycle):
    refused(record_session, "请选择学习的必学内容", w=world, cycle=cycle, materials=[])
    other_cycle = branch_services.cycle_create(year=2019, deadline=date(2020, 3, 20))
    foreign = RequiredMaterial.objects.create(cycle=other_cycle, title="2019年必学")
    refused(record_session, "必学内容不属于本年度", w=world, cycle=cycle, materials=[foreign])
    assert StudySession.objects.count() == 0
    session = record_session(world, cycle, materials=[], other_content="观看警示教育片")
    assert session.other_content == "观看警示教育片"


def test_delivery_to_absent_member_records_when_how_by_whom_R1_3(world, cycle):
    absentee = world.members[1]
    session = record_session(world, cycle, absent={absentee: "外出务工"})
    row = session.attendance.get(member=absentee)
    assert row.delivered_on is None
    services.study_delivery_record(
        attendance=row,
        delivered_on=date(2018, 12, 5),
        method=StudyAttendance.Delivery.WECHAT,
        by=world.committee[0],
    )
    row.refresh_from_db()
    assert (row.delivered_on, row.delivery_method, row.delivered_by) == (
        date(2018, 12, 5),
        StudyAttendance.Delivery.WECHAT,
        world.committee[0],
    )
    refused(
        services.study_delivery_record,
        "不能重复登记",
        attendance=row,
        delivered_on=date(2018, 12, 6),
        method=StudyAttendance.Delivery.PHONE,
        by=world.secretary,
    )


def test_delivery_bad_input_refused_nothing_saved_R1_3(world, other_world, cycle):
    absentee = world.members[1]
    session = record_session(world, cycle, absent={absentee: "外出务工"})
    absent_row = session.attendance.get(member=absentee)
    present_row = session.attendance.get(member=world.members[0])
    ok = {"delivered_on": date(2018, 12, 5), "method": StudyAttendance.Delivery.HOME, "by": world.secretary}
    refused(services.study_delivery_record, "无需送学", **{**ok, "attendance": present_row})
    refused(
        services.study_delivery_record,
        "不能早于集中学习日期",
        **{**ok, "attendance": absent_row, "delivered_on": date(2018, 12, 1)},
    )
    refused(
        services.study_delivery_record,
        "须是本支部党员",
        **{**ok, "attendance": absent_row, "by": other_world.secretary},
    )
    refused(services.study_delivery_record, "送学方式", **{**ok, "attendance": absent_row, "method": "fax"})
    absent_row.refresh_from_db()
    assert absent_row.delivered_on is None


# ---------------------------------------------------------------- R2 talks


def test_committee_member_talks_with_member_and_notes_are_optional_R2_1_R2_2(world, cycle):
    t = talk(world, cycle, world.committee[0], world.members[0])
    assert (t.branch, t.by, t.with_member, t.held_on) == (
        world.branch,
        world.committee[0],
        world.members[0],
        DAY,
    )
    assert t.opinions_on_branch == ""
    t2 = talk(
        world,
        cycle,
        world.secretary,
        world.members[1],
        opinions_on_branch=" 希望多组织技术培训 ",
        opinions_on_committee="支委入户少",
        member_situation="思想稳定",
    )
    assert (t2.opinions_on_branch, t2.opinions_on_committee, t2.member_situation) == (
        "希望多组织技术培训",
        "支委入户少",
        "思想稳定",
    )


def test_talk_bad_input_refused_nothing_saved_R2_1(world, other_world, cycle):
    c1 = world.committee[0]
    cases = [
        ({"by": c1, "with_": c1}, "不能与本人谈心谈话"),
        ({"by": c1, "with_": other_world.members[0]}, "同一党支部"),
        ({"by": world.members[0], "with_": world.members[1]}, "不是支部委员"),
        ({"by": c1, "with_": world.members[0], "held_on": date(2017, 12, 31)}, "日期须在本年度"),
        ({"by": c1, "with_": world.members[0], "held_on": date(2019, 3, 21)}, "日期须在本年度"),
    ]
    for kwargs, message in cases:
        refused(services.talk_record, message, cycle=cycle, **{"held_on": DAY, **kwargs})
    assert Talk.objects.count() == 0


def test_talk_by_former_committee_member_refused_R2_1(world, cycle):
    post = CommitteePost.objects.get(member=world.committee[1])
    branch_services.post_end(post=post, on=date(2018, 6, 30))
    refused(
        services.talk_record,
        "不是支部委员",
        cycle=cycle,
        by=world.committee[1],
        with_=world.members[0],
        held_on=DAY,
    )
    assert talk(world, cycle, world.committee[1], world.members[0], held_on=date(2018, 6, 1)).pk


def test_duplicate_talk_same_pair_same_day_refused_either_order_R2_1(world, cycle):
    sec, c1 = world.secretary, world.committee[0]
    talk(world, cycle, sec, c1)
    refused(services.talk_record, "当天的谈话已经登记过", cycle=cycle, by=sec, with_=c1, held_on=DAY)
    # The same conversation seen from the other side is the same talk.
    refused(services.talk_record, "当天的谈话已经登记过", cycle=cycle, by=c1, with_=sec, held_on=DAY)
    assert Talk.objects.count() == 1
    talk(world, cycle, c1, sec, held_on=date(2018, 12, 4))
    assert Talk.objects.count() == 2


def test_talk_after_the_meeting_refused_for_this_cycle_R2_1(world, cycle):
    # The meeting step has its own services (another issue); a held meeting is all this rule needs.
    Meeting.objects.create(
        cycle=cycle,
        branch=world.branch,
        planned_on=date(2019, 1, 18),
        held_on=date(2019, 1, 18),
        place="村部",
    )
    assert talk(world, cycle, world.committee[0], world.members[0], held_on=date(2019, 1, 18)).pk
    text = refused(
        services.talk_record,
        "组织生活会已于2019年1月18日召开",
        cycle=cycle,
        by=world.committee[0],
        with_=world.members[1],
        held_on=date(2019, 1, 19),
    )
    assert "不计入本年度" in text
    assert Talk.objects.count() == 1


# ---------------------------------------------------------------- R3 problems


def test_committee_problem_in_one_of_six_areas_R3_1(world, cycle):
    p = services.problem_record(
        cycle=cycle, branch=world.branch, area=Problem.Area.SERVE_MASSES, text="入户走访少"
    )
    assert p.is_committee
    refused(
        services.problem_record,
        "R3.1",
        cycle=cycle,
        branch=world.branch,
        area=Problem.Area.DISCIPLINE,
        text="遵规守纪不够",
    )
    assert Problem.objects.count() == 1


def test_member_problem_against_member_areas_R3_2(world, other_world, cycle):
    m = world.members[0]
    p = services.problem_record(
        cycle=cycle, branch=world.branch, member=m, area=Problem.Area.REAL_WORK, text="参加环境整治不主动"
    )
    assert p.member == m
    refused(
        services.problem_record,
        "R3.2",
        cycle=cycle,
        branch=world.branch,
        member=m,
        area=Problem.Area.WORK_STYLE,
        text="作风",
    )
    refused(
        services.problem_record,
        "不属于本支部",
        cycle=cycle,
        branch=world.branch,
        member=other_world.members[0],
        area=Problem.Area.REAL_WORK,
        text="不主动",
    )
    refused(
        services.problem_record,
        "请填写问题",
        cycle=cycle,
        branch=world.branch,
        member=m,
        area=Problem.Area.REAL_WORK,
        text="   ",
    )
    assert Problem.objects.count() == 1


def test_talk_opinion_becomes_or_links_to_a_problem_R3_3(world, other_world, cycle):
    t = talk(world, cycle, world.committee[0], world.members[0], opinions_on_branch="组织生活流于形式")
    p = services.problem_from_talk(talk=t, area=Problem.Area.ORG_LIFE, text="组织生活有时流于形式")
    assert list(p.talks.all()) == [t]
    assert p.is_committee and p.branch == world.branch
    t2 = talk(world, cycle, world.secretary, world.members[1], opinions_on_branch="组织生活要结合实际")
    services.problem_link_talk(problem=p, talk=t2)
    assert set(p.talks.all()) == {t, t2}
    refused(services.problem_link_talk, "已关联", problem=p, talk=t2)
    # A member's own problem from a talk stays with one of the two who talked.
    refused(
        services.problem_from_talk,
        "谈话双方之一",
        talk=t,
        member=world.members[3],
        area=Problem.Area.REAL_WORK,
        text="x",
    )
    foreign = talk(other_world, cycle, other_world.committee[0], other_world.members[0])
    refused(services.problem_link_talk, "只能关联本支部", problem=p, talk=foreign)
    assert p.talks.count() == 2
    assert Problem.objects.count() == 1
