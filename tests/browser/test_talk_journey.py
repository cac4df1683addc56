"""The committee member's journey on a phone: open the coverage, record the missing talk, see the coverage change (R2.1)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from branch.models import Cycle
from tests import factories
from tests.conftest import browser_login
from tests.meetings.test_before_services import full_coverage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_member_records_talk_on_phone_and_coverage_changes_R2_1(phone_page):
    # A transactional test before this one may have flushed the cycle the data migration made.
    cycle, _ = Cycle.objects.get_or_create(year=2018, defaults={"deadline": date(2019, 3, 20)})
    w = factories.world(members=4)
    full_coverage(w, cycle)
    newcomer = factories.member(
        w.branch
    )  # joined the roster after the talks: nobody has talked with them yet
    page = phone_page

    browser_login(page, w.users["committee"].username)
    page.goto("/2018/talks/coverage/")
    expect(page.locator("h1")).to_have_text("谈心谈话覆盖情况")
    missing = page.locator("#missing li")
    expect(missing).to_have_count(1)
    expect(missing.first).to_contain_text(f"党员{newcomer.name}尚未与任何支委谈话")
    assert (
        page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    )  # no sideways scrolling on a phone

    missing.first.get_by_role("link", name="登记").click()
    expect(page).to_have_url(re.compile(rf"/2018/talks/new/\?with={newcomer.pk}$"))
    expect(page.locator("select[name=with_member]")).to_have_value(str(newcomer.pk))
    expect(page.locator("select[name=by]")).to_have_value(str(w.committee[0].pk))
    page.fill("input[name=held_on]", "2018-12-06")
    page.fill("textarea[name=opinions_on_branch]", "希望支部多组织技术培训")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/2018/talks/coverage/$"))
    expect(page.locator(".alert-success").first).to_contain_text(
        f"已登记{w.committee[0].name}与{newcomer.name}的谈心谈话"
    )
    expect(page.locator("#missing li")).to_have_count(0)
    expect(page.locator("#complete")).to_contain_text("谈心谈话已全部覆盖")
