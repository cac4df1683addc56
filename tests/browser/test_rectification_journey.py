"""Journey (R6.1, R6.2): the secretary adds a measure aimed at a problem, makes it public and files it;
the township reviewer sends it back with a comment, and the secretary sees the comment."""

import pytest

from rectification.models import Filing, Measure
from tests.conftest import browser_login
from tests.rectification.builders import hold_meeting, problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_files_measures_township_sends_back_R6_1_R6_2(phone_page, world, cycle):
    page = phone_page
    hold_meeting(world, cycle)
    p = problem(world, cycle, text="三会一课不按时召开")

    browser_login(page, world.users["secretary"].username)
    page.goto("/2018/rectification/measures/new/")
    page.fill("#id_text", "每月固定主题党日，按时召开三会一课")
    page.select_option("#id_responsible", str(world.secretary.pk))
    page.fill("#id_due_on", "2019-06-30")
    page.check(f"input[name=problems][value='{p.pk}']")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url("**/rectification/")
    assert page.locator("#measures").get_by_text("每月固定主题党日，按时召开三会一课").is_visible()
    assert list(Measure.objects.get().problems.all()) == [p]

    page.goto("/2018/rectification/public/")
    page.fill("#id_published_on", "2019-01-25")
    page.select_option("#id_means", "board")
    page.click("button[type=submit]:has-text('保存')")
    assert page.locator("#publicity").get_by_text("公示栏").is_visible()

    page.goto("/2018/rectification/filing/")
    page.fill("#id_file-filed_on", "2019-01-28")
    page.click("button[type=submit]:has-text('报备')")
    assert "已报备，待审阅" in page.locator("#filing").inner_text()

    page.context.clear_cookies()
    browser_login(page, world.users["township"].username)
    page.goto("/2018/township/rectification/")
    section = page.locator(f"#branch-{world.branch.pk}")
    section.locator(f"#review-on-{world.branch.pk}").fill("2019-01-30")
    section.locator(f"#review-comment-{world.branch.pk}").fill("措施要写清每月几号召开")
    section.locator("button[value=return]").click()
    assert page.get_by_text("等待支部答复").is_visible()
    assert Filing.objects.get().status == Filing.Status.RETURNED

    page.context.clear_cookies()
    browser_login(page, world.users["secretary"].username)
    page.goto("/2018/rectification/filing/")
    assert page.locator("#comment").inner_text() == "措施要写清每月几号召开"
    assert page.get_by_text("答复镇党委的意见").is_visible()
