"""The secretary, on a phone, logs in and finds the mobile members through the roster's filter (R2.3)."""

import pytest

from branch import services
from tests.conftest import browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_finds_mobile_member_by_filter_on_a_phone_R2_3(phone_page, world):
    away = services.member_update(member=world.members[2], is_mobile=True, mobile_location="呼和浩特")
    stay = world.members[3]
    page = phone_page
    browser_login(page, world.users["secretary"].username)
    page.wait_for_load_state()
    # On a phone the menu is folded behind the toggler.
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="党员名册").click()
    page.wait_for_url("**/members/")
    roster = page.locator("#roster")
    assert roster.get_by_text(stay.name).is_visible()
    page.get_by_label("重点类别").select_option(label="流动党员")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/members/?*focus=is_mobile*")
    assert page.get_by_text("当前显示 1 人").is_visible()
    assert roster.get_by_role("link", name=away.name).is_visible()
    assert roster.get_by_text(stay.name).count() == 0
    # The member's page says where they are now.
    roster.get_by_role("link", name=away.name).click()
    assert page.get_by_text("现在呼和浩特").is_visible()
