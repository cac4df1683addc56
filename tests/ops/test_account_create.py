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
