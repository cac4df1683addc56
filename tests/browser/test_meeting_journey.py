"""The secretary's journey through the meeting on a phone (R4.1, R4.5, R4.7)."""

from __future__ import annotations

import pytest

from meetings.models import Meeting, MeetingAttendance, Speech
from tests import factories
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_prepares_prints_takes_attendance_and_records_report_R4_5_R4_7_R4_1(phone_page):
    w = factories.world(members=5)
    page = phone_page
    browser_login(page, w.users["secretary"].username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # the login has landed before we move on

    # Prepare the meeting (R4.5)
    page.goto("/2018/meeting/")
    page.fill("input[name=planned_on]", "2019-01-18")
    page.fill("input[name=place]", "村委会会议室")
    page.fill("input[name=township_contacted_on]", "2019-01-08")
    page.fill("input[name=township_agreed_on]", "2019-01-18")
    page.fill("input[name=township_agreed_form]", "党员大会")
    page.check("input[name=township_invited]")
    page.fill("input[name=township_attendee]", "镇党委组织委员 韩志刚")
    page.fill("input[name=members_notified_on]", "2019-01-11")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("#meeting-summary")
    assert "已保存组织生活会的安排" in page.content()
    assert "2019-01-08 沟通" in page.inner_text("#readiness")

    # Print the notice: the link gives a PDF
    href = page.get_attribute("#notice-link", "href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"

    # Hold it, then take attendance on the phone (R4.7)
    page.fill("#hold-form input[name=held_on]", "2019-01-18")
    page.click("#hold-form button[type=submit]")
    page.wait_for_url("**/meeting/attendance/")
    absent = w.members[2]
    page.check(f"#s{absent.pk}_absent")
    page.fill(f"input[name=reason_{absent.pk}]", "住院治疗")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_selector("#quorum")
    assert "出席情况已保存" in page.content()
    quorum = page.inner_text("#quorum")
    assert "应到 8 人，实到 7 人" in quorum
    meeting = Meeting.objects.get(branch=w.branch)
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 8
    assert MeetingAttendance.objects.get(meeting=meeting, member=absent).reason == "住院治疗"
    # No horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Record the 述职 points (R4.1)
    page.goto("/2018/meeting/speeches/")
    for matter in ("全年组织集中学习4次", "谈心谈话全覆盖"):
        page.select_option("select[name=kind]", Speech.Kind.REPORT)
        page.select_option("select[name=speaker]", str(w.secretary.pk))
        page.fill("textarea[name=matter]", matter)
        page.click("#speech-form button[type=submit]")
        page.wait_for_selector(f"#speeches >> text={matter}")
    assert list(
        Speech.objects.filter(meeting=meeting).values_list("matter", flat=True).order_by("order")
    ) == [
        "全年组织集中学习4次",
        "谈心谈话全覆盖",
    ]
    page.goto("/2018/meeting/minutes/")
    assert "全年组织集中学习4次" in page.content()
