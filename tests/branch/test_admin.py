"""The admin through branch.access: a township reviewer reads their own township, read-only; another township is a 404."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from branch import services
from branch.models import Branch, CommitteePost, Member, PartyGroup, Scope, Township
from tests import factories

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:branch_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:branch_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password=factories.PASSWORD)


def test_reviewer_lists_and_opens_own_township_members_not_another_R7_1(client_for, world, other_world):
    """Allowed and refused in one test: own township's member 200 read-only, another township's member 404."""
    c = client_for(world.users["township"])
    r = c.get(changelist_url(Member))
    assertContains(r, world.members[1].name)
    assertNotContains(r, other_world.members[1].name)
    r = c.get(change_url(world.members[1]))
    assertContains(r, world.members[1].name)
    assertNotContains(r, 'name="_save"')  # read-only: no save button
    assert c.get(change_url(other_world.members[1])).status_code == 404


def test_reviewer_cannot_change_or_add_or_delete(client_for, world):
    target = world.members[1]
    c = client_for(world.users["township"])
    r = c.post(change_url(target), {"name": "改名", "gender": "M"})
    assert r.status_code == 403
    target.refresh_from_db()
    assert target.name != "改名"
    assert c.get(reverse("admin:branch_member_add")).status_code == 403
    assert c.post(reverse("admin:branch_member_delete", args=[target.pk]), {"post": "yes"}).status_code == 403
    assert Member.objects.filter(pk=target.pk).exists()


def test_reviewer_history_of_own_member_only(client_for, world, other_world):
    """simple_history's pages keep the scope too (they read the history table directly)."""
    mine, theirs = world.members[1], other_world.members[1]
    services.member_update(member=mine, phone="13900000001")
    services.member_update(member=theirs, phone="13900000002")
    c = client_for(world.users["township"])
    assert c.get(reverse("admin:branch_member_history", args=[mine.pk])).status_code == 200
    assert c.get(reverse("admin:branch_member_history", args=[theirs.pk])).status_code == 404
    version = theirs.history.first().history_id
    assert c.get(reverse("admin:branch_member_simple_history", args=[theirs.pk, version])).status_code == 404


@pytest.mark.parametrize(
    "model, own, other",
    [
        (Branch, lambda w: w.branch, lambda w: w.branch),
        (Township, lambda w: w.township, lambda w: w.township),
        (CommitteePost, lambda w: w.branch.posts.first(), lambda w: w.branch.posts.first()),
        (
            PartyGroup,
            lambda w: services.group_create(branch=w.branch, name="一组"),
            lambda w: services.group_create(branch=w.branch, name="一组"),
        ),
    ],
)
def test_reviewer_sees_own_township_records_of_each_model(client_for, world, other_world, model, own, other):
    mine, theirs = own(world), other(other_world)
    c = client_for(world.users["township"])
    r = c.get(changelist_url(model))
    assert r.status_code == 200
    shown = list(r.context["cl"].queryset)
    assert mine in shown
    assert theirs not in shown
    assert c.get(change_url(mine)).status_code == 200
    assert c.get(change_url(theirs)).status_code == 404


def test_scopes_for_the_superuser_only(client_for, world, superuser):
    scope = Scope.objects.get(user=world.users["secretary"])
    assert client_for(world.users["township"]).get(change_url(scope)).status_code == 403
    assert client_for(superuser).get(change_url(scope)).status_code == 200


def test_branch_logins_are_not_admin_users(client_for, world):
    """Secretary, committee and member logins work on the site, not in the admin."""
    for role in ("secretary", "committee", "member"):
        r = client_for(world.users[role]).get(changelist_url(Member))
        assert r.status_code == 302
        assert r.url.startswith(reverse("admin:login"))
    assert client_for(world.users["township"]).get(changelist_url(Member)).status_code == 200


def test_superuser_edits_with_chinese_labels_search_and_filters(client_for, world, other_world, superuser):
    c = client_for(superuser)
    r = c.get(changelist_url(Member), {"q": world.members[1].name})
    assert list(r.context["cl"].queryset) == [world.members[1]]
    r = c.get(changelist_url(Member), {"is_mobile__exact": "1"})
    assert r.status_code == 200
    r = c.get(change_url(other_world.members[1]))
    assertContains(r, "出生日期")
    assertContains(r, 'name="_save"')
    assertContains(c.get(reverse("admin:index")), "支委职务")
