"""Journey at 375×812 (issue 13 "Fewer taps"): the secretary of a 15-member branch records 个人自评/党员互评, the
组织评定 and the 反馈 on one page each; a table over the R5.5 cap is refused whole with its rows marked; every page
fits the phone and no name wraps."""

import pytest

from appraisal import services
from appraisal.models import Feedback, Grade, SelfMutual
from tests import factories
from tests.appraisal import helpers as h
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    """The document is no wider than the phone, and every name sits on one line."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    tall = page.evaluate(
        """() => [...document.querySelectorAll('.wt tbody th')].filter(th => {
            const name = th.firstChild; const r = document.createRange(); r.selectNodeContents(name);
            return r.getClientRects().length > 1; }).map(th => th.firstChild.textContent)"""
    )
    assert tall == []


def test_secretary_records_self_mutual_grades_and_feedback_for_15_members_on_a_phone_R5_1_R5_4_R5_5_R5_6(
    browser, live_server
):
    cycle = h.cycle_2018()
    w = factories.world(members=12)  # 15 members, all 正式: 优秀 at most 5
    h.meeting(w, cycle)
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    browser_login(page, w.users["secretary"].username)

    page.goto("/2018/appraisal/self-mutual/")
    _fits(page)
    for box in page.locator("input[type=checkbox]").all():
        box.check()  # two taps a member, one save for all
    page.click("button:has-text('保存全部自评互评情况')")
    page.wait_for_url("**/self-mutual/")
    assert "已保存自评互评情况（15 人有改动）" in page.content()
    assert SelfMutual.objects.filter(self_done=True, mutual_done=True).count() == 15

    tally = services.tally_open(cycle=cycle, branch=w.branch, issued=3, returned=3, invalid=0)
    rated = h.rated(w)
    for _ in range(3):
        services.ballot_enter(
            tally=tally, marks={m.pk: "qualified" for m in rated}, committee_mark="satisfied"
        )
    services.tally_close(tally=tally)

    page.goto("/2018/appraisal/grades/")
    _fits(page)
    assert page.get_by_label("评定日期（本次新评或改动的行）").is_visible()
    for i, m in enumerate(rated):
        page.select_option(f"select[name=g{m.pk}]", "excellent" if i < 6 else "qualified")
        page.fill(f"input[name=o{m.pk}]", "能够发挥党员作用")
    page.click("button:has-text('保存全部评定')")
    errors = page.inner_text("#errors")
    assert "优秀已满，不能再评为优秀" in errors and "参评正式党员 15 人，优秀最多 5 人" in errors
    assert page.locator("tr.err").count() == 6
    assert not Grade.objects.exists()
    _fits(page)
    page.select_option(f"select[name=g{rated[5].pk}]", "qualified")  # typed values kept: one change
    page.click("button:has-text('保存全部评定')")
    page.wait_for_url("**/grades/")
    assert "已保存组织评定（15 人有改动）" in page.content()
    assert Grade.objects.filter(grade="excellent").count() == 5

    page.click("text=登记反馈")
    _fits(page)
    page.click("button:has-text('勾选全部未反馈的党员')")
    page.get_by_label("反馈日期").fill("2019-01-25")
    page.get_by_label("反馈方式").select_option("face")
    page.get_by_label("反馈人").select_option(str(w.secretary.pk))
    page.click("button:has-text('保存反馈情况')")
    assert "已记录向 15 名党员反馈评定意见" in page.content()
    assert Feedback.objects.count() == 15
    context.close()
