"""Long work shows progress (issue 13): a button that starts work cannot be pressed twice and says it is working;
the township's ZIP shows its progress in place, without reloading the page (htmx served from our static files)."""

import pytest

from tests import factories
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_zip_button_sends_once_and_its_progress_updates_in_place_R7_2(desk_page):
    from xinyi import tasks
    from xinyi.models import ArchiveBundle

    w = factories.world(members=3)
    page = desk_page
    browser_login(page, w.users["township"].username)
    page.wait_for_url("**/township/")
    page.goto("/2018/township/archives/")
    posts = []
    # Two presses in a row: the page sends the form once (a listener after ours counts what would be sent, and
    # keeps this first try from leaving the page).
    sent = page.evaluate(
        """() => {
        let sent = 0;
        window.addEventListener("submit", (e) => { if (!e.defaultPrevented) sent++; e.preventDefault(); });
        const b = document.querySelector("#bundle button[type=submit]");
        b.click(); b.click(); b.click();
        return [sent, b.innerText, b.getAttribute("aria-disabled")];
    }"""
    )
    assert sent == [1, "正在处理…", "true"]
    page.reload()
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.locator("#bundle button[type=submit]").click()
    page.wait_for_selector("#bundle-live")
    assert len([u for u in posts if u.endswith("/township/archives/new/")]) == 1
    assert ArchiveBundle.objects.count() == 1
    # A marker on this very document: a reload would lose it.
    page.evaluate("window.sameDocument = 1")
    assert page.locator("#bundle").get_attribute("hx-trigger") == "every 2s"
    tasks.build_bundle.call(ArchiveBundle.objects.get().pk)
    page.get_by_role("link", name="下载 ZIP").wait_for(timeout=15000)
    assert page.evaluate("window.sameDocument") == 1
    assert page.locator('script[src*="/static/django_htmx/htmx"]').count() == 1
