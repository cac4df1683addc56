"""At 375 px the pages of two years fit the screen: both dashboards (one closed and frozen), the year switcher,
the township's overview with 年度状态 and 历年对比, and the page that opens the next year (R0.1, R7.1, R7.2)."""

from datetime import date

import pytest

from tests import factories
from tests.conftest import browser_login
from tests.xinyi import records
from xinyi import cycles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, path):
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, (path, width)


def test_two_years_fit_a_phone_for_the_secretary_and_the_township_R7_2(phone_page, browser):
    from branch.models import Cycle

    w = factories.world(members=8)
    c2018 = Cycle.objects.get(year=2018)
    records.full_cycle_before_deadline(w, c2018)
    cycles.branch_cycle_close(cycle=c2018, branch=w.branch, by=None, today=date(2020, 1, 1))
    cycles.cycle_open(year=2019, deadline=date(2020, 3, 20), township=w.township)

    browser_login(phone_page, w.users["secretary"].username)
    phone_page.wait_for_url("**/2019/dashboard/")
    assert (
        phone_page.get_by_role("button", name="切换年度").count()
        + phone_page.get_by_label("切换年度").count()
        >= 1
    )
    for path in ("/2019/dashboard/", "/2018/dashboard/", "/2018/meeting/", "/2018/appraisal/grades/"):
        _fits(phone_page, path)

    township = browser.new_context(
        viewport={"width": 375, "height": 740}, base_url=phone_page.url.split("/2019")[0]
    )
    page = township.new_page()
    browser_login(page, w.users["township"].username)
    page.wait_for_url("**/2019/township/")
    for path in ("/2019/township/", "/2018/township/", "/2019/township/open-next/"):
        _fits(page, path)
    township.close()
