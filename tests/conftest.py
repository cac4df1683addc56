import os

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _no_axes_lockouts_between_tests(settings):
    # django-axes is on in production; tests that check it turn it back on themselves.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _addresses_under_2018():
    """Every page is a cycle's (/2018/dashboard/): `reverse()` in a test answers under the plan's year, as it does
    inside a 2018 request. A test of another year uses `tests.factories.under_year`."""
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    set_script_prefix("/2018/")
    yield
    set_script_prefix(before)


@pytest.fixture
def cycle(db):
    return factories.cycle_2018()


@pytest.fixture
def world(db):
    return factories.world()


@pytest.fixture
def other_world(db):
    """A second branch in another township: everything in it is outside `world`'s scope."""
    return factories.world()


@pytest.fixture
def client_for(client):
    """Log a test client in as a user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (no browser download: the system binary)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (375×740) against the live test server."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, username, password=factories.PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
