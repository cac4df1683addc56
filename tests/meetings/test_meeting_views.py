"""Pages of the meeting as the secretary, a committee member and a member see them (R4.1–R4.7)."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from meetings.models import Meeting, MeetingAttendance, Speech
from meetings.services import meeting as services
from tests import factories
from tests.meetings.test_meeting_selectors import full_record
from tests.meetings.test_meeting_services import all_present, held_meeting, planned_meeting

pytestmark = pytest.mark.django_db

S = MeetingAttendance.Status
K = Speech.Kind

PLAN = {
    "planned_on": "2019-01-18",
    "place": "村委会会议室",
    "form": "党员大会",
    "township_contacted_on": "2019-01-08",
    "township_agreed_on": "2019-01-18",
    "township_agreed_form": "党员大会",
    "township_invited": "on",
    "township_attendee": "镇党委组织委员 韩志刚",
    "members_notified_on": "2019-01-11",
}


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def attendance_post(members, **override) -> dict:
    data = {f"status_{m.pk}": S.PRESENT for m in members}
    data.update(override)
    return data


# ---------------------------------------------------------------- who may do what


def test_meeting_page_secretary_writes_committee_reads_member_refused_R4_5(client_for, world, cycle):
    r = client_for(world.users["secretary"]).get(reverse("meeting_detail"))
    assert r.status_code == 200
    assert 'id="meeting-form"' in r.content.decode()
    r = client_for(world.users["committee"]).get(reverse("meeting_detail"))
    assert r.status_code == 200
    assert 'id="meeting-form"' not in r.content.decode()
    assert client_for(world.users["committee"]).post(reverse("meeting_detail"), PLAN).status_code == 403
    assert not Meeting.objects.exists()
    assert client_for(world.users["member"]).get(reverse("meeting_detail")).status_code == 403
    assert client_for(world.users["township"]).get(reverse("meeting_detail")).status_code == 403


def test_attendance_post_by_committee_refused_secretary_saves_R4_7(client_for, world, cycle):
    held_meeting(world, cycle)
    data = attendance_post(world.everyone)
    assert client_for(world.users["committee"]).post(reverse("meeting_attendance"), data).status_code == 403
    assert not MeetingAttendance.objects.exists()
    r = client_for(world.users["secretary"]).post(reverse("meeting_attendance"), data)
    assert r.status_code == 302
    assert MeetingAttendance.objects.count() == len(world.everyone)


def test_nav_links_to_the_meeting(client_for, world):
    r = client_for(world.users["secretary"]).get(reverse("member_list"))
    assert reverse("meeting_detail") in r.content.decode()


# ---------------------------------------------------------------- preparation (R4.5)


def test_secretary_plans_the_meeting_and_sees_readiness_R4_5(client_for, world, cycle):
    c = client_for(world.users["secretary"])
    r = c.get(reverse("meeting_detail"))
    assert "尚未登记与镇党委沟通的日期" in r.content.decode()
    r = c.post(reverse("meeting_detail"), PLAN)
    assert r.status_code == 302
    meeting = Meeting.objects.get(branch=world.branch)
    assert meeting.township_attendee == "镇党委组织委员 韩志刚"
    body = c.get(reverse("meeting_detail")).content.decode()
    assert "2019-01-08 沟通" in body and "依据工作方案 R4.5" in body


def test_meeting_dated_before_township_contact_shows_message_nothing_saved_R4_5(client_for, world, cycle):
    c = client_for(world.users["secretary"])
    r = c.post(reverse("meeting_detail"), {**PLAN, "planned_on": "2019-01-05", "township_agreed_on": ""})
    assert r.status_code == 200
    assert "会议计划日期不能早于与镇党委沟通的日期" in r.content.decode()
    assert not Meeting.objects.exists()


def test_hold_before_contact_refused_with_message_R4_5(client_for, world, cycle):
    meeting = planned_meeting(world, cycle)
    c = client_for(world.users["secretary"])
    r = c.post(reverse("meeting_hold"), {"held_on": "2019-01-02"}, follow=True)
    assert "会议召开日期不能早于与镇党委沟通的日期" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.held_on is None
    c.post(reverse("meeting_hold"), {"held_on": "2019-01-18"})
    meeting.refresh_from_db()
    assert meeting.held_on == date(2019, 1, 18)


def test_notice_pdf_generated_from_the_facts_R4_5(client_for, world, cycle, tmp_path):
    planned_meeting(world, cycle)
    r = client_for(world.users["committee"]).get(reverse("meeting_notice_pdf"))
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path)
    for piece in ("关于召开2018年度组织生活会的通知", "村委会会议室", "会议议程", "韩志刚"):
        assert piece in text.replace("\n", "")


# ---------------------------------------------------------------- attendance (R4.4, R4.6, R4.7)


def test_attendance_page_shows_leading_cadre_as_member_with_badge_R4_4(client_for, world, cycle):
    cadre = factories.member(world.branch, is_leading_cadre=True)
    held_meeting(world, cycle)
    body = client_for(world.users["secretary"]).get(reverse("meeting_attendance")).content.decode()
    row = body[body.index(f'data-member="{cadre.pk}"') :]
    row = row[: row.index("</fieldset>")]
    assert "党员领导干部" in row and f'name="status_{cadre.pk}"' in row
    assert "列席" not in body and "嘉宾" not in body


def test_attendance_for_someone_not_in_branch_shows_message_nothing_saved_R4_7(
    client_for, world, other_world, cycle
):
    held_meeting(world, cycle)
    stranger = other_world.members[0]
    data = attendance_post(world.everyone, **{f"status_{stranger.pk}": S.PRESENT})
    r = client_for(world.users["secretary"]).post(reverse("meeting_attendance"), data)
    assert r.status_code == 200
    assert f"{stranger.name} 不是{world.branch}的在册党员" in r.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_absent_without_reason_shows_message_and_keeps_input_R4_7(client_for, world, cycle):
    held_meeting(world, cycle)
    m = world.members[0]
    data = attendance_post(world.everyone, **{f"status_{m.pk}": S.ABSENT})
    r = client_for(world.users["secretary"]).post(reverse("meeting_attendance"), data)
    body = r.content.decode()
    assert f"{m.name}：缺席须填写原因" in body
    # What was entered is shown again, not the stored default ("出席")
    assert re.search(rf'id="s{m.pk}_absent" value="absent"\s+checked', body)
    assert not re.search(rf'id="s{m.pk}_present" value="present"\s+checked', body)
    assert not MeetingAttendance.objects.exists()


def test_mobile_member_elsewhere_via_page_and_quorum_shown_R4_6(client_for, world, cycle):
    mobile = factories.member(world.branch, is_mobile=True, mobile_location="呼和浩特市赛罕区")
    held_meeting(world, cycle)
    c = client_for(world.users["secretary"])
    body = c.get(reverse("meeting_attendance")).content.decode()
    assert f'name="org_{mobile.pk}"' in body
    assert f'name="org_{world.members[0].pk}"' not in body  # only mobile members have the "elsewhere" fields
    data = attendance_post(
        [world.secretary, *world.committee, *world.members, mobile],
        **{
            f"status_{mobile.pk}": S.ELSEWHERE,
            f"org_{mobile.pk}": "赛罕区某非公企业党支部",
            f"on_{mobile.pk}": "2019-01-16",
        },
    )
    c.post(reverse("meeting_attendance"), data)
    assert MeetingAttendance.objects.get(member=mobile).elsewhere_org == "赛罕区某非公企业党支部"
    body = c.get(reverse("meeting_attendance")).content.decode()
    n = len(world.everyone)
    assert f"应到 <strong>{n}</strong> 人，实到 <strong>{n}</strong> 人" in body


@pytest.mark.parametrize("size", [5, 50])
def test_attendance_page_query_count_constant(client_for, django_assert_num_queries, cycle, size):
    w = factories.world(members=size)
    meeting = held_meeting(w, cycle)
    all_present(w, meeting)
    c = client_for(w.users["secretary"])
    # +1 since issue 11: the cycle's own roster reads BranchCycle.roster_fixed_on first (branch.selectors.cycle_rosters).
    with django_assert_num_queries(12):
        r = c.get(reverse("meeting_attendance"))
    assert r.status_code == 200
    assert r.content.decode().count('class="border rounded p-2 mb-2 attendance-row"') == size + 3


def test_signin_sheet_pdf_lists_the_roster_R4_7(client_for, world, cycle, tmp_path):
    planned_meeting(world, cycle)
    r = client_for(world.users["secretary"]).get(reverse("meeting_signin_pdf"))
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path)
    assert "签到表" in text and world.members[4].name in text


def test_signin_sheet_marks_a_leading_cadre_as_an_ordinary_member_R4_4(client_for, world, cycle, tmp_path):
    """党员领导干部 sign in on their own branch's sheet like everyone else, marked as such, never as guests."""
    from branch import services as branch_services

    cadre = world.members[2]
    branch_services.member_update(member=cadre, is_leading_cadre=True)
    planned_meeting(world, cycle)
    text = pdf_text(client_for(world.users["secretary"]).get(reverse("meeting_signin_pdf")).content, tmp_path)
    assert "党员领导干部（普通党员身份）" in text
    assert text.count("党员领导干部（普通党员身份）") == 1
    assert cadre.name in text


# ---------------------------------------------------------------- speeches and minutes (R4.1–R4.3)


def test_speech_before_meeting_held_shows_message_nothing_saved_R4_3(client_for, world, cycle):
    planned_meeting(world, cycle)
    c = client_for(world.users["secretary"])
    data = {"kind": K.MEMBER_SELF, "speaker": world.members[0].pk, "matter": "学习迟到"}
    r = c.post(reverse("meeting_speeches"), data)
    assert r.status_code == 200
    assert "会议尚未召开，不能登记发言和批评意见" in r.content.decode()
    assert not Speech.objects.exists()


def test_secretary_records_report_points_first_cycle_statement_R4_1(client_for, world, cycle):
    held_meeting(world, cycle)
    c = client_for(world.users["secretary"])
    body = c.get(reverse("meeting_speeches") + "?kind=rect_report").content.decode()
    assert "本年度为首次在系统中记录，无上年度整改事项" in body
    r = c.post(
        reverse("meeting_speeches"),
        {"kind": K.REPORT, "speaker": world.secretary.pk, "matter": "全年学习4次"},
    )
    assert r.status_code == 302
    r = c.post(
        reverse("meeting_speeches"), {"kind": K.REPORT, "speaker": world.members[0].pk, "matter": "代述职"}
    )
    assert "述职由党支部书记代表支部委员会进行" in r.content.decode()
    assert list(Speech.objects.values_list("matter", flat=True)) == ["全年学习4次"]
    assert client_for(world.users["committee"]).post(reverse("meeting_speeches"), {}).status_code == 403


def test_speech_moved_up_by_secretary_R4_1(client_for, world, cycle):
    meeting = held_meeting(world, cycle)
    a = services.speech_add(meeting=meeting, kind=K.MEMBER_SELF, speaker=world.members[0], matter="甲")
    b = services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.secretary, matter="乙")
    assert (
        client_for(world.users["committee"])
        .post(reverse("meeting_speech_move", args=[b.pk]), {"direction": "up"})
        .status_code
        == 403
    )
    client_for(world.users["secretary"]).post(
        reverse("meeting_speech_move", args=[b.pk]), {"direction": "up"}
    )
    assert list(meeting.speeches.order_by("order").values_list("pk", flat=True)) == [b.pk, a.pk]


def test_minutes_pdf_gives_back_chinese_text_R4_1_R4_2_R4_3(client_for, world, cycle, tmp_path):
    meeting = held_meeting(world, cycle)
    all_present(world, meeting)
    full_record(world, meeting)
    c = client_for(world.users["committee"])
    assert "机井维修慢" in c.get(reverse("meeting_minutes")).content.decode()
    r = c.get(reverse("meeting_minutes_pdf"))
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path).replace("\n", "")
    for piece in (
        "会议记录",
        "书记述职",
        "全年集中学习4次",
        "支委相互批评",
        "党费迟交",
        "韩志刚",
        world.secretary.name,
    ):
        assert piece in text
    path = tmp_path / "out.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded


RULE_TAG = re.compile(r"[（(]\s*(依据工作方案\s*)?R\d|R\d+(\.\d+)?\s*[：:]|依据工作方案\s*R\d")


def test_notice_and_minutes_on_paper_carry_no_rule_tags_the_page_keeps_them(
    client_for, world, cycle, tmp_path
):
    """Issue 13 fault 10: "（R4.1）" helps the secretary on screen; the notice and the minutes members sign show none."""
    meeting = held_meeting(world, cycle)
    all_present(world, meeting)
    full_record(world, meeting)
    c = client_for(world.users["secretary"])
    assert "R4.5" in c.get(reverse("meeting_detail")).content.decode()
    for name in ("meeting_notice_pdf", "meeting_minutes_pdf"):
        text = pdf_text(c.get(reverse(name)).content, tmp_path)
        assert "组织生活会" in text
        assert not RULE_TAG.search(text), (name, RULE_TAG.search(text).group(0), text)


def test_minutes_refused_for_member(client_for, world, cycle):
    held_meeting(world, cycle)
    assert client_for(world.users["member"]).get(reverse("meeting_minutes_pdf")).status_code == 403
    assert client_for(world.users["committee"]).get(reverse("meeting_minutes")).status_code == 200
