"""Issue 12 journey: the township reviewer onboards a new branch and its secretary; the secretary logs in the first
time, must change the temporary password, and imports the roster, which links the login to their member record."""

from io import BytesIO

import pytest
from openpyxl import Workbook

from tests import factories
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _roster(tmp_path) -> str:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "入党日期", "人员类别"])
    ws.append(["韩冬梅", "女", "1972-05-01", "1998-07-01", "正式党员"])
    ws.append(["格日勒", "男", "1980-03-03", "2006-07-01", "正式党员"])
    ws.append(["于海", "男", "1990-09-09", "2018-06-01", "预备党员"])
    buf = BytesIO()
    wb.save(buf)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(buf.getvalue())
    return str(path)


def test_township_onboards_a_branch_and_its_secretary_starts_work_R7_1(browser, live_server, tmp_path):
    from branch.models import Member

    w = factories.world(members=2)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = desk.new_page()
    browser_login(page, w.users["township"].username)
    page.wait_for_url("**/township/")
    page.get_by_role("link", name="党支部和账号").click()
    page.get_by_label("党支部名称").fill("红光社区党支部")
    page.get_by_label("类型").select_option(label="社区")
    page.get_by_label("书记姓名").fill("韩冬梅")
    page.get_by_label("书记手机号（可选，作登录名）").fill("13955550001")
    page.get_by_role("button", name="新增").click()
    page.wait_for_url("**/manage/done/")
    password = page.locator("#new-logins code.fs-5").inner_text()
    assert page.get_by_role("link", name="打印账号纸条（PDF，每位书记一张）").is_visible()
    desk.close()

    phone = browser.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    page = phone.new_page()
    browser_login(page, "13955550001", password)
    page.wait_for_url("**/password_change/**")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "Hongguang#2019")
    page.fill("input[name=new_password2]", "Hongguang#2019")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_load_state()
    page.goto("/2018/members/import/")
    page.set_input_files("input[type=file]", _roster(tmp_path))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url("**/members/")
    assert page.get_by_text("格日勒").first.is_visible()
    secretary = Member.objects.get(name="韩冬梅", branch__name="红光社区党支部")
    assert secretary.user.username == "13955550001"
    phone.close()
