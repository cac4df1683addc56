"""The branch dashboard (R0.1): steps with state and dates against the deadline, the rule checks, who may see it."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

from . import records

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_eight_steps_and_the_deadline_R0_1(client_for, world):
    r = client_for(world.users["secretary"]).get(reverse("dashboard"))
    assert r.status_code == 200
    body = r.content.decode()
    for title in (
        "精心组织学习",
        "开展谈心谈话",
        "查摆突出问题",
        "会前准备",
        "召开组织生活会",
        "开展民主评议",
        "抓好整改落实",
        "整理档案资料",
    ):
        assert title in body
    assert "2019年3月20日" in body
    assert reverse("dashboard_archive") in body


def test_done_steps_show_their_date_against_the_deadline_R0_1(client_for, world, cycle, monkeypatch):
    """xinyi's own reading of the records (the steps' rule checks left out here: the demo test composes them)."""
    from xinyi import checks

    monkeypatch.setattr(checks, "REGISTRY", [])
    before = client_for(world.users["secretary"]).get(reverse("dashboard")).content.decode()
    assert "2019年3月10日完成" not in before
    records.full_cycle_before_deadline(world, cycle)
    body = client_for(world.users["secretary"]).get(reverse("dashboard")).content.decode()
    assert "2019年3月10日完成" in body  # the meeting
    assert "提前 10 天完成" in body
    assert "2019年1月10日完成" in body and "提前 69 天完成" in body  # study


def test_unfinished_step_of_a_past_cycle_is_overdue_as_of_its_tail_end_R0_1(client_for, world, cycle):
    """A cycle long past is judged on its reference day (the end of its rectification year, 2019-12-31), not on a
    count that grows every day: the 2018 cycle's unfinished steps read 逾期 286 天, and the page says which day counts."""
    from django.utils import timezone

    assert timezone.localdate() > cycle.tail_ends_on
    body = client_for(world.users["secretary"]).get(reverse("dashboard")).content.decode()
    assert f"逾期 {(date(2019, 12, 31) - cycle.deadline).days} 天" in body
    assert f"逾期 {(timezone.localdate() - cycle.deadline).days} 天" not in body
    assert "本年度的整改期已于2019年12月31日结束" in body


def test_rule_checks_listed_with_result_and_reason_R0_1(client_for, world, cycle):
    records.meeting(world, cycle, held_on=date(2019, 3, 25))
    body = client_for(world.users["committee"]).get(reverse("dashboard")).content.decode()
    assert "未通过" in body and "超过2019年3月20日的期限 5 天" in body


def test_dashboard_for_secretary_and_committee_refused_for_member(client_for, world):
    assert client_for(world.users["secretary"]).get(reverse("dashboard")).status_code == 200
    assert client_for(world.users["committee"]).get(reverse("dashboard")).status_code == 200
    assert client_for(world.users["member"]).get(reverse("dashboard")).status_code == 403


def test_home_sends_the_secretary_to_the_dashboard(client_for, world):
    assert client_for(world.users["secretary"]).get("/").url == reverse("dashboard")


def test_township_reads_own_branch_dashboard_not_another_townships_R7_1(client_for, world, other_world):
    c = client_for(world.users["township"])
    r = c.get(reverse("township_branch_dashboard", args=[world.branch.pk]))
    assert r.status_code == 200 and "（只读）" in r.content.decode()
    assert c.get(reverse("township_branch_dashboard", args=[other_world.branch.pk])).status_code == 404


def test_secretary_cannot_use_the_township_branch_pages(client_for, world):
    assert (
        client_for(world.users["township"])
        .get(reverse("township_branch_dashboard", args=[world.branch.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(world.users["secretary"])
        .get(reverse("township_branch_dashboard", args=[world.branch.pk]))
        .status_code
        == 403
    )


def test_dashboard_query_count_constant_at_5_and_50_members_R0_1(client_for, cycle):
    """The same number of queries for 5 and 50 members (the number itself grows with each step that lands)."""
    counts = []
    for size in (5, 50):
        w = factories.world(members=size)
        records.full_cycle_before_deadline(w, cycle)
        c = client_for(w.users["secretary"])
        c.get(reverse("dashboard"))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("dashboard")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.browser
# The 2018 cycle of the data migration comes back after other transactional tests' flush (branch.apps post_migrate).
@pytest.mark.django_db(transaction=True)
def test_secretary_on_a_phone_sees_the_steps_and_the_archive_button_R0_1(phone_page):
    from tests.conftest import browser_login

    w = factories.world(members=5)
    browser_login(phone_page, w.users["secretary"].username)
    phone_page.wait_for_url("**/dashboard/")
    assert phone_page.locator("#steps li").count() == 8
    assert phone_page.locator("#archive-button").is_visible()
    # phone-first: nothing wider than the screen
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.screenshot(path="/tmp/dashboard_phone.png", full_page=True)


def test_steps_done_are_not_counted_overdue_R0_1(world, cycle, monkeypatch):
    from xinyi import checks, progress

    monkeypatch.setattr(checks, "REGISTRY", [])
    records.full_cycle_before_deadline(world, cycle)
    state = progress.for_branch(cycle=cycle, branch=world.branch)
    done = [s for s in state.steps if s.is_done]
    assert {s.key for s in done} >= {"study", "talks", "preparation", "meeting"}
    assert not [s for s in done if s in state.overdue]
