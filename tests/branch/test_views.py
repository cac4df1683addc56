import pytest
from django.urls import reverse

from branch.models import Member
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_role_lands_where_it_works(client_for, world):
    assert client_for(world.users["member"]).get("/").url == reverse("me")
    assert client_for(world.users["secretary"]).get("/", follow=True).status_code == 200


def test_roster_for_secretary_refused_for_member(client_for, world):
    """The roster is for the secretary and committee; a member who opens /members/ is refused."""
    r = client_for(world.users["secretary"]).get("/members/")
    assert r.status_code == 200
    assert world.members[1].name in r.content.decode()
    r = client_for(world.users["member"]).get("/members/")
    assert r.status_code == 403


def test_roster_filters_by_status(client_for, db):
    w = factories.world(members=3, probationary=2)
    r = client_for(w.users["secretary"]).get("/members/", {"status": Member.Status.PROBATIONARY})
    body = r.content.decode()
    assert "当前显示 2 人" in body
    assert w.members[0].name not in body


@pytest.mark.parametrize("size", [5, 50])
def test_roster_query_count_constant(client_for, django_assert_num_queries, size):
    w = factories.world(members=size)
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(10):
        r = c.get("/members/")
    assert r.status_code == 200


def test_member_detail_other_branch_is_404(client_for, world, other_world):
    c = client_for(world.users["secretary"])
    assert c.get(reverse("member_detail", args=[world.members[1].pk])).status_code == 200
    assert c.get(reverse("member_detail", args=[other_world.members[1].pk])).status_code == 404
