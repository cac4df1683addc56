"""Login protection and sessions: lockout, unlock, password reset and change, inactivity timeout, privacy."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _logged_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" not in response["Location"]


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


def test_ten_wrong_passwords_lock_the_account_until_unlocked(world, axes_on, client_for):
    """Ten failures lock the account; the right password then still fails (Chinese page) until the secretary unlocks."""
    member = world.users["member"]
    client = Client()
    for _ in range(9):
        assert _login(client, member.username, "wrong-password").status_code == 200
    assert _logged_in(_login(Client(), member.username, factories.PASSWORD))  # 9 failures: not yet locked
    for _ in range(10):
        response = _login(client, member.username, "wrong-password")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()

    right = _login(Client(), member.username, factories.PASSWORD)
    assert not _logged_in(right)
    assert "账号已锁定" in right.content.decode()

    listing = client_for(world.users["secretary"]).get("/accounts/manage/")
    assert "已锁定" in listing.content.decode()
    unlock = client_for(world.users["secretary"]).post(f"/accounts/manage/{member.pk}/unlock/")
    assert unlock.status_code == 302
    assert _logged_in(_login(Client(), member.username, factories.PASSWORD))


def _login_via_proxy(client_address, username, password, forwarded=None):
    """A login as gunicorn sees it behind nginx: REMOTE_ADDR is the proxy, nginx appends the client's address."""
    chain = f"{forwarded}, {client_address}" if forwarded else client_address
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain)
    return client.post(reverse("login"), {"username": username, "password": password})


def test_one_guesser_behind_the_proxy_locks_out_nobody_else(world, axes_on):
    """Failures lock a login at the guesser's address only: the admin and members log in from elsewhere.

    Before: any ten failures from one address (behind nginx, every visitor's 127.0.0.1) locked every login.
    """
    admin = User.objects.create_superuser("admin", "", "Adm1n-pass-long")
    attacker = "203.0.113.9"
    for i in range(10):
        _login_via_proxy(attacker, f"guess{i}", "wrong-password")
    for _ in range(10):
        # A forged X-Forwarded-For does not change the address: nginx appends the real one at the right.
        _login_via_proxy(attacker, "admin", "wrong-password", forwarded=f"198.51.100.{_}")
    assert _login_via_proxy(attacker, "admin", "Adm1n-pass-long").status_code == 429

    assert _logged_in(_login_via_proxy("198.51.100.20", admin.username, "Adm1n-pass-long"))
    assert _logged_in(_login_via_proxy("198.51.100.21", world.users["member"].username, factories.PASSWORD))
    assert _logged_in(_login_via_proxy(attacker, world.users["member"].username, factories.PASSWORD))


def test_a_lock_ends_after_the_cool_off(world, axes_on):
    member = world.users["member"]
    for _ in range(10):
        _login_via_proxy("203.0.113.9", member.username, "wrong-password")
    locked = _login_via_proxy("203.0.113.9", member.username, factories.PASSWORD)
    assert locked.status_code == 429
    assert "30 分钟后可以再试" in locked.content.decode()

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert _logged_in(_login_via_proxy("203.0.113.9", member.username, factories.PASSWORD))


def test_failures_spread_over_addresses_do_not_show_as_locked(world, axes_on, client_for):
    """The secretary's list shows a login locked only when one address reached the limit."""
    member = world.users["member"]
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(6):
            _login_via_proxy(address, member.username, "wrong-password")
    listing = client_for(world.users["secretary"]).get(reverse("account_list")).content.decode()
    assert "已锁定" not in listing and "6 次" in listing
    for _ in range(4):
        _login_via_proxy("203.0.113.2", member.username, "wrong-password")
    listing = client_for(world.users["secretary"]).get(reverse("account_list")).content.decode()
    assert "已锁定" in listing


def test_only_own_branch_secretary_or_admin_unlocks_and_resets(world, other_world, client_for):
    member = world.users["member"]
    admin = User.objects.create_superuser("root-admin", "", "Adm1n-pass-long")
    for refused in (other_world.users["secretary"], world.users["committee"], world.users["township"]):
        client = client_for(refused)
        assert client.post(f"/accounts/manage/{member.pk}/unlock/").status_code in (403, 404)
        assert client.post(f"/accounts/manage/{member.pk}/password/").status_code in (403, 404)
    assert (
        client_for(world.users["secretary"]).post(f"/accounts/manage/{member.pk}/unlock/").status_code == 302
    )
    assert client_for(admin).post(f"/accounts/manage/{member.pk}/unlock/").status_code == 302
    listing = client_for(world.users["secretary"]).get("/accounts/manage/").content.decode()
    assert member.username in listing and other_world.users["member"].username not in listing


def test_secretary_resets_a_members_password_shown_once(world, client_for):
    """A temporary password that Django's validators accept; the old one stops working."""
    member = world.users["member"]
    response = client_for(world.users["secretary"]).post(f"/accounts/manage/{member.pk}/password/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    password = re.search(r"user-select-all[^>]*>([A-Za-z0-9]{12})<", response.content.decode()).group(1)
    member.refresh_from_db()
    assert member.check_password(password) and not member.check_password(factories.PASSWORD)
    assert (
        client_for(world.users["secretary"]).get(f"/accounts/manage/{member.pk}/password/").status_code == 405
    )


def test_member_changes_own_password_with_validators(world, client_for):
    member = world.users["member"]
    client = client_for(member)
    assert "修改密码" in client.get("/2018/me/").content.decode()
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    weak = client.post(
        "/accounts/password_change/",
        {"old_password": factories.PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200  # refused by the validators, shown on the form
    member.refresh_from_db()
    assert member.check_password(factories.PASSWORD)
    ok = client.post(
        "/accounts/password_change/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Hong-qi-2019x",
            "new_password2": "Hong-qi-2019x",
        },
    )
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Hong-qi-2019x")
    assert "密码已修改" in client.get(ok["Location"]).content.decode()


def test_session_ends_after_two_hours_of_inactivity_not_after_login(world, settings):
    """SESSION_COOKIE_AGE 2h, refreshed on every request: activity keeps the session, 2h idle ends it."""
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = Client()
    start = timezone.now()

    def at(minutes):
        return mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=minutes))

    with at(0):
        assert _logged_in(_login(client, world.users["member"].username, factories.PASSWORD))
    with at(110):
        assert client.get("/2018/me/").status_code == 200
    with at(220):  # 3h40 after login, 1h50 after the last request: still in
        assert client.get("/2018/me/").status_code == 200
    with at(345):  # 2h05 idle: out
        response = client.get("/2018/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_page_shows_another_members_phone_or_birth_date_to_a_member(world, client_for):
    """Members see only /me/: another member's phone and birth date appear nowhere they can open."""
    other = world.members[1]
    other.phone = "13812345678"
    other.save()
    me = world.members[0]
    client = client_for(world.users["member"])
    own = client.get("/2018/me/").content.decode()
    assert me.name in own
    for url in (
        "/2018/me/",
        "/2018/members/",
        f"/2018/members/{other.pk}/",
        f"/2018/branches/{world.branch.pk}/",
    ):
        body = client.get(url).content.decode()
        assert "13812345678" not in body
        assert other.birth_date.isoformat() not in body
        assert f"{other.birth_date.year}年{other.birth_date.month}月{other.birth_date.day}日" not in body
    # The secretary does see them, so the search above looks at the right text.
    detail = client_for(world.users["secretary"]).get(f"/2018/members/{other.pk}/").content.decode()
    assert "13812345678" in detail


def test_every_form_page_carries_a_csrf_token(world, client_for):
    client = client_for(world.users["secretary"])
    for url in ("/accounts/password_change/", "/accounts/manage/"):
        body = client.get(url).content.decode()
        assert body.count("<form") == body.count("csrfmiddlewaretoken")
