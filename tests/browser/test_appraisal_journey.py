"""Journey (R5.3–R5.6): tellers enter the ballots on a phone, the secretary grades and records the feedback,
the member logs in and sees their own result."""

import pytest

from appraisal import services
from tests import factories
from tests.appraisal import helpers as h
from tests.conftest import browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tellers_enter_ballots_secretary_grades_member_sees_result(browser, live_server):
    cycle = h.cycle_2018()
    w = factories.world(members=2)
    h.meeting(w, cycle)
    h.self_mutual_all(w, cycle)
    services.tally_open(cycle=cycle, branch=w.branch, issued=2, returned=2, invalid=0)
    rated = h.rated(w)
    me = w.members[0]

    def page_for(username, *, phone=True):
        size = {"width": 375, "height": 740} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=size, locale="zh-CN", base_url=live_server.url)
        page = context.new_page()
        browser_login(page, username)
        return page

    teller = page_for(w.users["committee"].username)
    for n in (1, 2):
        teller.goto("/2018/appraisal/tally/ballot/")
        assert f"现在录入第 {n} 张" in teller.inner_text("#progress")
        for m in rated:
            # One tap on the toggle button (the label); the radio behind it is a Bootstrap btn-check
            grade = "excellent" if m == me else "qualified"
            teller.click(f"input[name=m{m.pk}][value={grade}] + label")
            assert teller.is_checked(f"input[name=m{m.pk}][value={grade}]")
        teller.click("input[name=committee_mark][value=satisfied] + label")
        teller.click("text=保存本张，录入下一张")
        assert f"已录入第 {n} 张" in teller.content()
    teller.goto("/2018/appraisal/tally/")
    teller.click("button:has-text('计票完成')")
    assert "计票完成，可以进行组织评定" in teller.content()
    row = teller.locator("#tally tr", has_text=me.name)
    assert "2 100.0%" in row.inner_text()
    teller.context.close()

    secretary = page_for(w.users["secretary"].username, phone=False)
    secretary.goto(f"/2018/appraisal/grades/{me.pk}/")
    assert "测评建议（仅供参考）：优秀" in secretary.content()
    secretary.check("input[name=grade][value=qualified]")
    secretary.fill("textarea[name=opinion]", "按时参加组织生活，带头参加村容整治")
    secretary.click("button:has-text('保存评定')")
    assert "已保存" in secretary.content()
    secretary.goto(f"/2018/appraisal/grades/{me.pk}/feedback/")
    secretary.fill("input[name=given_on]", "2019-01-25")
    secretary.select_option("select[name=means]", "face")
    secretary.select_option("select[name=by]", str(w.secretary.pk))
    secretary.click("button:has-text('保存反馈')")
    assert "已记录向" in secretary.content()
    secretary.context.close()

    member = page_for(w.users["member"].username)
    member.goto("/2018/me/")
    text = member.inner_text("#my-appraisal")
    assert "合格" in text and "按时参加组织生活，带头参加村容整治" in text
    assert w.members[1].name not in member.content()
    member.context.close()
