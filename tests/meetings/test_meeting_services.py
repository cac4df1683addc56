"""Services of the meeting (R4): every refusal is a Chinese message and leaves the database as it was."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from branch.models import Member
from meetings.models import Meeting, MeetingAttendance, Speech
from meetings.services import meeting as services
from meetings.services.meeting import AttendanceEntry
from tests import factories

pytestmark = pytest.mark.django_db

S = MeetingAttendance.Status
K = Speech.Kind
CONTACTED = date(2019, 1, 8)
HELD = date(2019, 1, 18)


def planned_meeting(world, cycle, **fields) -> Meeting:
    values = {
        "township_contacted_on": CONTACTED,
        "township_agreed_on": HELD,
        "township_agreed_form": "党员大会",
        "township_invited": True,
        "township_attendee": "镇党委组织委员 韩志刚",
        "members_notified_on": date(2019, 1, 11),
    }
    values.update(fields)
    return services.meeting_plan(
        cycle=cycle, branch=world.branch, planned_on=HELD, place="村委会会议室", **values
    )


def held_meeting(world, cycle, **fields) -> Meeting:
    return services.meeting_hold(meeting=planned_meeting(world, cycle, **fields), held_on=HELD)


def all_present(world, meeting, **special) -> list[MeetingAttendance]:
    """Everyone present but the members given as name -> AttendanceEntry (member_id filled in here)."""
    entries = []
    for m in Member.objects.filter(branch=world.branch).active():
        e = special.get(m.name)
        entries.append(
            AttendanceEntry(m.pk, e.status, e.reason, e.elsewhere_org, e.elsewhere_on)
            if e
            else AttendanceEntry(m.pk, S.PRESENT)
        )
    return services.attendance_record(meeting=meeting, entries=entries)


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# ---------------------------------------------------------------- planning (R4.5, R0.1, R0.2)


def test_plan_records_the_township_preparation_R4_5(world, cycle):
    assert Meeting.objects.count() == 0
    meeting = planned_meeting(world, cycle)
    meeting.refresh_from_db()
    assert meeting.form == "党员大会"
    assert meeting.township_contacted_on == CONTACTED
    assert meeting.township_invited and meeting.township_attendee == "镇党委组织委员 韩志刚"
    assert not meeting.is_held


def test_second_meeting_for_same_cycle_and_branch_refused_R0_2(world, cycle):
    planned_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        planned_meeting(world, cycle)
    assert "每个支部每年度只召开一次" in messages(exc)
    assert Meeting.objects.filter(branch=world.branch).count() == 1


def test_held_before_township_contact_refused_nothing_saved_R4_5(world, cycle):
    meeting = planned_meeting(world, cycle, township_contacted_on=date(2019, 1, 10))
    with pytest.raises(ValidationError) as exc:
        services.meeting_hold(meeting=meeting, held_on=date(2019, 1, 9))
    assert "不能早于与镇党委沟通的日期" in messages(exc)
    meeting.refresh_from_db()
    assert meeting.held_on is None


def test_planned_date_before_township_contact_refused_R4_5(world, cycle):
    with pytest.raises(ValidationError) as exc:
        planned_meeting(world, cycle, township_contacted_on=date(2019, 1, 20), township_agreed_on=None)
    assert "不能早于与镇党委沟通的日期" in messages(exc)
    assert not Meeting.objects.exists()


def test_attendee_without_invitation_refused_R4_5(world, cycle):
    with pytest.raises(ValidationError) as exc:
        planned_meeting(world, cycle, township_invited=False)
    assert "已邀请镇党委派员指导" in messages(exc)
    assert not Meeting.objects.exists()


def test_members_notified_after_the_meeting_refused_R4_5(world, cycle):
    meeting = planned_meeting(world, cycle, members_notified_on=date(2019, 1, 19))
    with pytest.raises(ValidationError) as exc:
        services.meeting_hold(meeting=meeting, held_on=HELD)
    assert "通知党员日期不能晚于会议召开日期" in messages(exc)


def test_meeting_after_deadline_allowed_R0_1(world, cycle):
    """Late is allowed (and flagged by the R0.1 check, see the selector tests); before the cycle's year is not."""
    meeting = planned_meeting(world, cycle, township_agreed_on=date(2019, 3, 25))
    meeting = services.meeting_hold(meeting=meeting, held_on=date(2019, 3, 25))
    assert meeting.held_on > cycle.deadline
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(meeting=meeting, planned_on=date(2017, 12, 30))
    assert "不能早于2018年度" in messages(exc)


def test_update_changes_the_meeting(world, cycle):
    meeting = planned_meeting(world, cycle)
    services.meeting_update(meeting=meeting, place="党员活动室")
    meeting.refresh_from_db()
    assert meeting.place == "党员活动室"


# ---------------------------------------------------------------- attendance (R4.4, R4.6, R4.7)


def test_attendance_records_whole_roster_R4_7(world, cycle):
    meeting = held_meeting(world, cycle)
    absent = world.members[1]
    all_present(world, meeting, **{absent.name: AttendanceEntry(0, S.ABSENT, reason="住院治疗")})
    rows = {a.member_id: a for a in MeetingAttendance.objects.filter(meeting=meeting)}
    assert len(rows) == len(world.everyone)
    assert rows[absent.pk].status == S.ABSENT and rows[absent.pk].reason == "住院治疗"
    # Recording again updates the rows, it does not add more.
    all_present(world, meeting)
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == len(world.everyone)
    assert MeetingAttendance.objects.get(meeting=meeting, member=absent).status == S.PRESENT


def test_attendance_for_someone_not_in_branch_refused_nothing_saved_R4_7(world, other_world, cycle):
    meeting = held_meeting(world, cycle)
    stranger = other_world.members[0]
    entries = [AttendanceEntry(m.pk, S.PRESENT) for m in world.everyone] + [
        AttendanceEntry(stranger.pk, S.PRESENT)
    ]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=meeting, entries=entries)
    assert f"{stranger.name} 不是{world.branch}的在册党员" in messages(exc)
    assert not MeetingAttendance.objects.exists()


def test_absence_without_reason_refused_nothing_saved_R4_7(world, cycle):
    meeting = held_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        all_present(world, meeting, **{world.members[0].name: AttendanceEntry(0, S.ABSENT)})
    assert "缺席须填写原因" in messages(exc)
    assert not MeetingAttendance.objects.exists()


def test_roster_member_left_out_refused_R4_7(world, cycle):
    meeting = held_meeting(world, cycle)
    entries = [AttendanceEntry(m.pk, S.PRESENT) for m in world.everyone[:-1]]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=meeting, entries=entries)
    assert f"以下党员未登记出席情况：{world.everyone[-1].name}" in messages(exc)
    assert not MeetingAttendance.objects.exists()


def test_attendance_before_meeting_held_refused(world, cycle):
    meeting = planned_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        all_present(world, meeting)
    assert "会议尚未召开" in messages(exc)
    assert not MeetingAttendance.objects.exists()


def test_mobile_member_takes_part_where_he_works_R4_6(world, cycle):
    mobile = factories.member(world.branch, is_mobile=True, mobile_location="呼和浩特市赛罕区")
    meeting = held_meeting(world, cycle)
    all_present(
        world,
        meeting,
        **{
            mobile.name: AttendanceEntry(
                0, S.ELSEWHERE, elsewhere_org="赛罕区某非公企业党支部", elsewhere_on=date(2019, 1, 16)
            )
        },
    )
    row = MeetingAttendance.objects.get(meeting=meeting, member=mobile)
    assert (row.status, row.elsewhere_org, row.elsewhere_on) == (
        S.ELSEWHERE,
        "赛罕区某非公企业党支部",
        date(2019, 1, 16),
    )


def test_elsewhere_needs_organisation_and_date_R4_6(world, cycle):
    mobile = factories.member(world.branch, is_mobile=True)
    meeting = held_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        all_present(world, meeting, **{mobile.name: AttendanceEntry(0, S.ELSEWHERE)})
    assert "请填写参加组织生活会的流入地党组织" in messages(exc)
    assert "请填写在流入地参加的日期" in messages(exc)
    assert not MeetingAttendance.objects.exists()


def test_elsewhere_refused_for_member_not_mobile_R4_6(world, cycle):
    meeting = held_meeting(world, cycle)
    entry = AttendanceEntry(0, S.ELSEWHERE, elsewhere_org="某党支部", elsewhere_on=date(2019, 1, 16))
    with pytest.raises(ValidationError) as exc:
        all_present(world, meeting, **{world.members[0].name: entry})
    assert "不是流动党员" in messages(exc)
    assert not MeetingAttendance.objects.exists()


def test_later_session_at_spring_festival_needs_a_date_after_the_meeting_R4_6(world, cycle):
    meeting = held_meeting(world, cycle)
    away = world.members[2]
    with pytest.raises(ValidationError) as exc:
        all_present(
            world, meeting, **{away.name: AttendanceEntry(0, S.LATER, elsewhere_on=date(2019, 1, 10))}
        )
    assert "补课参加日期不能早于本次会议召开日期" in messages(exc)
    all_present(world, meeting, **{away.name: AttendanceEntry(0, S.LATER, elsewhere_on=date(2019, 2, 8))})
    assert MeetingAttendance.objects.get(meeting=meeting, member=away).elsewhere_on == date(2019, 2, 8)


# ---------------------------------------------------------------- speeches (R4.1–R4.4)


def test_speech_for_meeting_not_yet_held_refused_nothing_saved_R4_3(world, cycle):
    meeting = planned_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        services.speech_add(
            meeting=meeting, kind=K.MEMBER_SELF, speaker=world.members[0], matter="学习迟到两次"
        )
    assert "会议尚未召开" in messages(exc)
    assert not Speech.objects.exists()


def test_secretary_reports_for_the_committee_R4_1(world, cycle):
    meeting = held_meeting(world, cycle)
    s = services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.secretary, matter="全年集中学习4次")
    assert s.order == 1
    with pytest.raises(ValidationError) as exc:
        services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.committee[0], matter="代书记述职")
    assert "述职由党支部书记代表支部委员会进行" in messages(exc)
    assert Speech.objects.count() == 1


def test_committee_self_and_mutual_criticism_only_by_committee_R4_2(world, cycle):
    meeting = held_meeting(world, cycle)
    a, b = world.committee
    services.speech_add(meeting=meeting, kind=K.COMMITTEE_SELF, speaker=a, matter="发展党员计划性不强")
    services.speech_add(
        meeting=meeting, kind=K.COMMITTEE_MUTUAL, speaker=a, target=b, matter="宣传只转发文件"
    )
    with pytest.raises(ValidationError) as exc:
        services.speech_add(
            meeting=meeting, kind=K.COMMITTEE_SELF, speaker=world.members[0], matter="学习不够"
        )
    assert "不是支部委员会委员" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.speech_add(
            meeting=meeting, kind=K.COMMITTEE_MUTUAL, speaker=a, target=world.members[0], matter="迟到"
        )
    assert "支委相互批评针对支委" in messages(exc)
    assert Speech.objects.count() == 2


def test_each_point_names_a_concrete_person_or_matter_R4_3(world, cycle):
    meeting = held_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        services.speech_add(
            meeting=meeting, kind=K.MEMBER_MUTUAL, speaker=world.members[0], matter="带头不够"
        )
    assert "相互批评须指明批评的是谁" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.speech_add(meeting=meeting, kind=K.ON_COMMITTEE, speaker=world.members[0], matter="   ")
    assert "请写明具体的人或具体的事" in messages(exc)
    with pytest.raises(ValidationError):
        services.speech_add(
            meeting=meeting,
            kind=K.MEMBER_MUTUAL,
            speaker=world.members[0],
            target=world.members[0],
            matter="x",
        )
    assert not Speech.objects.exists()
    services.speech_add(
        meeting=meeting,
        kind=K.MEMBER_MUTUAL,
        speaker=world.members[0],
        target=world.members[1],
        matter="党费迟交",
    )
    assert Speech.objects.get().target == world.members[1]


def test_leading_cadre_speaks_as_an_ordinary_member_R4_4(world, cycle):
    cadre = factories.member(world.branch, is_leading_cadre=True)
    meeting = held_meeting(world, cycle)
    services.speech_add(meeting=meeting, kind=K.MEMBER_SELF, speaker=cadre, matter="回村参加组织生活少")
    services.speech_add(meeting=meeting, kind=K.ON_COMMITTEE, speaker=cadre, matter="主题党日内容单一")
    with pytest.raises(ValidationError) as exc:
        services.speech_add(meeting=meeting, kind=K.COMMITTEE_SELF, speaker=cadre, matter="作为领导干部检查")
    assert "不是支部委员会委员" in messages(exc)
    assert [s.kind for s in Speech.objects.order_by("order")] == [K.MEMBER_SELF, K.ON_COMMITTEE]


def test_member_recorded_absent_cannot_have_spoken_R4_7(world, cycle):
    meeting = held_meeting(world, cycle)
    absent = world.members[0]
    all_present(world, meeting, **{absent.name: AttendanceEntry(0, S.ABSENT, reason="外出")})
    with pytest.raises(ValidationError) as exc:
        services.speech_add(meeting=meeting, kind=K.MEMBER_SELF, speaker=absent, matter="学习少")
    assert "未在本次会议上发言" in messages(exc)


def test_speaker_from_another_branch_refused(world, other_world, cycle):
    meeting = held_meeting(world, cycle)
    with pytest.raises(ValidationError) as exc:
        services.speech_add(
            meeting=meeting, kind=K.MEMBER_SELF, speaker=other_world.members[0], matter="学习少"
        )
    assert "不是本支部在册党员" in messages(exc)


def test_points_reordered_and_deleted_keep_a_gapless_order_R4_1(world, cycle):
    meeting = held_meeting(world, cycle)
    a = services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.secretary, matter="述职一")
    b = services.speech_add(meeting=meeting, kind=K.MEMBER_SELF, speaker=world.members[0], matter="迟到")
    c = services.speech_add(meeting=meeting, kind=K.MEMBER_SELF, speaker=world.members[1], matter="党费")
    services.speech_move(speech=c, up=True)
    assert list(meeting.speeches.order_by("order").values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    with pytest.raises(ValidationError):
        services.speeches_reorder(meeting=meeting, speech_ids=[a.pk, b.pk])
    services.speech_delete(speech=a)
    assert list(meeting.speeches.order_by("order").values_list("order", flat=True)) == [1, 2]


def test_saving_attendance_again_writes_only_changed_rows_R4_7(world, cycle):
    meeting = held_meeting(world, cycle)
    all_present(world, meeting)
    history = MeetingAttendance.history.count()
    assert history == len(world.everyone)
    all_present(world, meeting)
    assert MeetingAttendance.history.count() == history
    all_present(world, meeting, **{world.members[0].name: AttendanceEntry(0, S.ABSENT, reason="外出")})
    assert MeetingAttendance.history.count() == history + 1
