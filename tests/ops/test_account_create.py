"""The secretary opens logins for the branch's members, so that members can see their own result (R5.6)."""

import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User

from branch.models import Scope

pytestmark = pytest.mark.django_db


def _password_on(page: str) -> str:
    return re.search(r"user-select-all[^>]*>([^<]+)<", page).group(1).strip()


def test_secretary_opens_a_login_for_a_member_committee_cannot(world, client_for):
    member = world.members[1]
    assert member.user_id is None
    committee = client_for(world.users["committee"])
    assert (
        committee.post(f"/accounts/manage/members/{member.pk}/new/", {"username": "wang1"}).status_code == 403
    )
    assert not User.objects.filter(username="wang1").exists()

    secretary = client_for(world.users["secretary"])
    listing = secretary.get("/accounts/manage/").content.decode()
    assert "尚未开通登录账号的党员" in listing and member.name in listing
    page = secretary.post(
        f"/accounts/manage/members/{member.pk}/new/", {"username": "wang1"}
    ).content.decode()
    assert f"已为{member.name}开通账号 wang1" in page
    user = User.objects.get(username="wang1")
    member.refresh_from_db()
    assert member.user_id == user.pk and user.scope.role == Scope.Role.MEMBER
    assert authenticate(username="wang1", password=_password_on(page)) == user
    assert member.name not in secretary.get("/accounts/manage/").content.decode().split("尚未开通")[-1]


def test_another_branchs_member_is_404_and_a_taken_username_saves_nothing(world, other_world, client_for):
    secretary = client_for(world.users["secretary"])
    stranger = other_world.members[1]
    assert (
        secretary.post(f"/accounts/manage/members/{stranger.pk}/new/", {"username": "x1"}).status_code == 404
    )
    taken = world.users["member"].username
    before = User.objects.count()
    response = secretary.post(
        f"/accounts/manage/members/{world.members[2].pk}/new/", {"username": taken}, follow=True
    )
    assert "用户名已存在" in response.content.decode()
    assert User.objects.count() == before
    world.members[2].refresh_from_db()
    assert world.members[2].user_id is None


def test_temporary_password_must_be_changed_at_first_login_own_password_is_not(world, client_for):
    """Issue 13 fault 14: the member given a temporary password reaches no page but the password change until they
    choose their own; a member with their own password goes straight to their page."""
    from django.test import Client

    member = world.members[1]
    page = client_for(world.users["secretary"]).post(
        f"/accounts/manage/members/{member.pk}/new/", {"username": "wang1"}
    )
    temporary = _password_on(page.content.decode())

    c = Client()
    r = c.post("/accounts/login/", {"username": "wang1", "password": temporary}, follow=True)
    assert r.redirect_chain[-1][0] == "/accounts/password_change/"
    assert "您正在使用临时密码，请先设置自己的新密码" in r.content.decode()
    r = c.get("/2018/me/")
    assert (r.status_code, r["Location"]) == (302, "/accounts/password_change/")

    new = "Xinyi-own-2019"
    r = c.post(
        "/accounts/password_change/",
        {"old_password": temporary, "new_password1": new, "new_password2": new},
    )
    assert r.status_code == 302
    assert c.get("/2018/me/").status_code == 200
    assert authenticate(username="wang1", password=new) is not None

    own = Client()  # a login with its own password is never sent there
    own.force_login(world.users["member"])
    assert own.get("/2018/me/").status_code == 200


def test_password_reset_by_the_secretary_is_temporary_too(world, client_for):
    from django.test import Client

    user = world.users["member"]
    page = client_for(world.users["secretary"]).post(f"/accounts/manage/{user.pk}/password/")
    temporary = _password_on(page.content.decode())
    c = Client()
    c.post("/accounts/login/", {"username": user.username, "password": temporary})
    r = c.get("/2018/me/")
    assert (r.status_code, r["Location"]) == (302, "/accounts/password_change/")
