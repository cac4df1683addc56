"""branch.access: each function returns what the allowed user asked for and refuses the others, in the same test.

One answer per question (issue 14): a township page's branch is one of the reviewer's own township, and an admin sees
any branch (access_township_branch); a page's branch is the staff's own or one the reviewer/admin names.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from branch import access
from branch.models import Member
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(f"admin{factories.n()}", password=factories.PASSWORD)


def test_require_secretary_lets_the_secretary_and_admin_write_and_refuses_committee_and_reviewer(
    world, other_world, admin_user
):
    access.require_secretary(world.users["secretary"], world.branch)
    access.require_secretary(admin_user, world.branch)
    for refused in (world.users["committee"], world.users["township"], world.users["member"]):
        with pytest.raises(PermissionDenied, match="仅支部书记可以进行此操作"):
            access.require_secretary(refused, world.branch)
    with pytest.raises(PermissionDenied, match="仅支部书记可以登记出席情况"):
        access.require_secretary(world.users["secretary"], other_world.branch, "仅支部书记可以登记出席情况")


def test_require_committee_lets_secretary_and_committee_record_and_refuses_member_reviewer_other_branch(
    world, other_world
):
    access.require_committee(world.users["secretary"], world.branch)
    access.require_committee(world.users["committee"], world.branch)
    for refused in (world.users["member"], world.users["township"]):
        with pytest.raises(PermissionDenied):
            access.require_committee(refused, world.branch)
    with pytest.raises(PermissionDenied, match="计票人"):
        access.require_committee(
            world.users["committee"], other_world.branch, "仅支部书记和支委委员（计票人）可以录入测评票"
        )


def test_access_viewed_branch_staff_get_their_own_reviewer_names_one_of_their_township(world, other_world):
    # The staff's own branch whatever ?branch= says; the reviewer only one of their township.
    assert access.access_viewed_branch(world.users["committee"], other_world.branch.pk) == world.branch
    assert access.access_viewed_branch(world.users["township"], world.branch.pk) == world.branch
    with pytest.raises(Http404):
        access.access_viewed_branch(world.users["township"], other_world.branch.pk)
    with pytest.raises(PermissionDenied):
        access.access_viewed_branch(world.users["member"], world.branch.pk)


def test_access_township_branch_reviewer_own_township_admin_any_branch_staff_refused(
    world, other_world, admin_user
):
    """The one answer for an admin: any branch. A reviewer: their township's only; the branch's own staff: refused."""
    assert access.access_township_branch(world.users["township"], world.branch.pk) == world.branch
    assert access.access_township_branch(admin_user, other_world.branch.pk) == other_world.branch
    with pytest.raises(Http404):
        access.access_township_branch(world.users["township"], other_world.branch.pk)
    with pytest.raises(PermissionDenied):
        access.access_township_branch(world.users["secretary"], world.branch.pk)


def test_access_township_reviewer_gets_their_own_admin_picks_any_others_refused(
    world, other_world, admin_user
):
    assert access.access_township(world.users["township"], other_world.township.pk) == world.township
    assert access.access_township(admin_user, other_world.township.pk) == other_world.township
    with pytest.raises(PermissionDenied):
        access.access_township(world.users["secretary"], world.township.pk)


def test_cycle_for_township_page_resolves_a_townships_own_cycle_for_admin_and_keeps_the_reviewers(
    world, other_world, admin_user, cycle
):
    from branch import services

    own = services.cycle_create(
        year=2019, deadline=cycle.deadline.replace(year=2020), township=other_world.township
    )
    request = RequestFactory().get("/")
    request.user, request.cycle = world.users["township"], cycle
    assert access.cycle_for_township_page(request, world.township) == cycle
    # An admin's 2019 address: the other township's own cycle; world's township has no 2019 (a 404, not theirs).
    request.user, request.cycle = admin_user, own
    assert access.cycle_for_township_page(request, other_world.township) == own
    with pytest.raises(Http404):
        access.cycle_for_township_page(request, world.township)


def test_access_branch_record_finds_a_record_in_scope_and_404s_outside_it(world, other_world):
    mine, theirs = world.members[0], other_world.members[0]
    members = Member.objects.select_related("branch")
    assert access.access_branch_record(world.users["committee"], members, mine.pk) == mine
    with pytest.raises(Http404):
        access.access_branch_record(world.users["committee"], members, theirs.pk)
    assert access.access_branch_record(world.users["secretary"], members, mine.pk, write=True) == mine
    with pytest.raises(PermissionDenied):
        access.access_branch_record(world.users["committee"], members, mine.pk, write=True)


def test_access_account_secretary_manages_their_members_logins_admin_all(world, other_world, admin_user):
    mine, theirs = world.users["member"], other_world.users["member"]
    assert access.access_account(world.users["secretary"], mine.pk) == mine
    assert access.access_account(admin_user, theirs.pk) == theirs
    with pytest.raises(Http404):
        access.access_account(world.users["secretary"], theirs.pk)
    with pytest.raises(Http404):
        access.access_account(world.users["secretary"], admin_user.pk)
    with pytest.raises(PermissionDenied):
        access.access_account(world.users["committee"], mine.pk)
