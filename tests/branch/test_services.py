"""Member and committee-post rules, written once in branch.services."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branch import selectors, services
from branch.models import CommitteePost, Member, Participant, PartyGroup
from tests import factories

pytestmark = pytest.mark.django_db
P = CommitteePost.Post


@pytest.fixture
def branch(db):
    return factories.branch()


def test_member_create_keeps_the_facts(branch):
    m = factories.member(
        branch, name="哈斯巴根", ethnicity="蒙古族", is_mobile=True, mobile_location="鄂尔多斯"
    )
    m.refresh_from_db()
    assert (m.name, m.ethnicity, m.is_mobile, m.mobile_location, m.is_focus) == (
        "哈斯巴根",
        "蒙古族",
        True,
        "鄂尔多斯",
        True,
    )
    assert m.focus_labels == ["流动党员"]


def test_probationary_member_has_no_full_membership_date(branch):
    with pytest.raises(ValidationError) as e:
        factories.member(branch, status=Member.Status.PROBATIONARY, full_member_on=date(2019, 1, 1))
    assert e.value.message_dict["full_member_on"] == ["预备党员不应填写转正日期"]
    assert not Member.objects.filter(branch=branch).exists()


def test_joined_after_birth_and_full_after_joined(branch):
    with pytest.raises(ValidationError) as e:
        factories.member(branch, birth_date=date(1970, 1, 1), joined_on=date(1969, 1, 1))
    assert "入党日期必须晚于出生日期" in e.value.message_dict["joined_on"]
    with pytest.raises(ValidationError) as e:
        factories.member(branch, joined_on=date(2000, 1, 1), full_member_on=date(1999, 1, 1))
    assert "转正日期不能早于入党日期" in e.value.message_dict["full_member_on"]


def test_only_a_mobile_member_records_where_they_are_R4_6(branch):
    with pytest.raises(ValidationError) as e:
        factories.member(branch, is_mobile=False, mobile_location="北京")
    assert "只有流动党员填写流动所在地" in e.value.message_dict["mobile_location"]


def test_party_group_of_another_branch_is_refused(branch):
    other = PartyGroup.objects.create(branch=factories.branch(), name="一组")
    with pytest.raises(ValidationError) as e:
        factories.member(branch, group=other)
    assert "党小组不属于本支部" in e.value.message_dict["group"]


def test_same_name_and_birth_date_twice_in_a_branch_is_refused(branch):
    factories.member(branch, name="王树林", birth_date=date(1968, 3, 5))
    with pytest.raises(ValidationError):
        factories.member(branch, name="王树林", birth_date=date(1968, 3, 5))
    factories.member(
        factories.branch(), name="王树林", birth_date=date(1968, 3, 5)
    )  # another branch: another person
    assert Member.objects.filter(name="王树林").count() == 2


def test_member_update_changes_and_checks(branch):
    m = factories.member(branch, status=Member.Status.PROBATIONARY, joined_on=date(2018, 6, 1))
    services.member_update(member=m, status=Member.Status.FULL, full_member_on=date(2019, 6, 1))
    m.refresh_from_db()
    assert (m.status, m.full_member_on) == (Member.Status.FULL, date(2019, 6, 1))
    with pytest.raises(ValidationError):
        services.member_update(member=m, stars=6)
    assert not Participant.objects.filter(member=m, stars__isnull=False).exists()


def test_unknown_field_is_a_programming_error(branch):
    m = factories.member(branch)
    with pytest.raises(TypeError):
        services.member_update(member=m, branch=factories.branch())


def test_leave_keeps_the_record_and_ends_posts(branch):
    """A member who transfers out or dies is marked with a date, never deleted; their open post ends that day."""
    m = factories.member(branch)
    post = services.post_assign(branch=branch, member=m, post=P.SECRETARY, term_start=date(2016, 11, 1))
    assert list(selectors.roster(branch=branch)) == [m]
    day = date(2018, 12, 1)
    services.member_leave(member=m, reason=Member.LeftReason.TRANSFERRED, on=day)
    m.refresh_from_db()
    post.refresh_from_db()
    assert (m.left_on, m.left_reason, m.is_active) == (day, Member.LeftReason.TRANSFERRED, False)
    assert Member.objects.filter(pk=m.pk).exists()
    assert post.term_end == day
    assert list(selectors.roster(branch=branch)) == []
    assert list(selectors.roster(branch=branch, include_left=True)) == [m]
    assert selectors.roster_counts(branch=branch)["left"] == 1


def test_leave_twice_before_joining_or_in_the_future_is_refused(branch):
    m = factories.member(branch, joined_on=date(2000, 7, 1))
    with pytest.raises(ValidationError):
        services.member_leave(member=m, reason=Member.LeftReason.DECEASED, on=date(1999, 1, 1))
    with pytest.raises(ValidationError) as e:
        services.member_leave(
            member=m, reason=Member.LeftReason.DECEASED, on=timezone.localdate() + timedelta(days=1)
        )
    assert "离开日期不能晚于今天" in e.value.message_dict["left_on"]
    with pytest.raises(ValidationError):
        services.member_leave(member=m, reason="moved", on=date(2018, 1, 1))
    services.member_leave(member=m, reason=Member.LeftReason.DECEASED, on=date(2018, 1, 1))
    with pytest.raises(ValidationError):
        services.member_leave(member=m, reason=Member.LeftReason.DECEASED, on=date(2018, 2, 1))


def test_one_holder_per_post_and_one_post_per_member(branch):
    a, b = factories.member(branch), factories.member(branch)
    services.post_assign(branch=branch, member=a, post=P.SECRETARY, term_start=date(2016, 11, 1))
    with pytest.raises(ValidationError) as e:
        services.post_assign(branch=branch, member=b, post=P.SECRETARY, term_start=date(2017, 1, 1))
    assert "本支部已有在任书记" in e.value.message_dict["post"][0]
    with pytest.raises(ValidationError) as e:
        services.post_assign(branch=branch, member=a, post=P.ORGANISATION, term_start=date(2017, 1, 1))
    assert "该党员已担任支委职务" in e.value.message_dict["member"]
    assert CommitteePost.objects.filter(branch=branch).count() == 1


def test_post_for_member_of_another_branch_or_who_left_is_refused(branch):
    stranger = factories.member(factories.branch())
    with pytest.raises(ValidationError):
        services.post_assign(branch=branch, member=stranger, post=P.SECRETARY, term_start=date(2016, 11, 1))
    gone = factories.member(branch)
    services.member_leave(member=gone, reason=Member.LeftReason.DECEASED, on=date(2018, 1, 1))
    with pytest.raises(ValidationError):
        services.post_assign(branch=branch, member=gone, post=P.SECRETARY, term_start=date(2018, 6, 1))


def test_end_a_term_then_a_successor_takes_the_post(branch):
    a, b = factories.member(branch), factories.member(branch)
    post = services.post_assign(branch=branch, member=a, post=P.SECRETARY, term_start=date(2016, 11, 1))
    with pytest.raises(ValidationError):
        services.post_end(post=post, on=date(2016, 11, 1))
    services.post_end(post=post, on=date(2018, 5, 31))
    services.post_assign(branch=branch, member=b, post=P.SECRETARY, term_start=date(2018, 6, 1))
    assert selectors.secretary_of(branch=branch, day=date(2018, 1, 1)) == a
    assert selectors.secretary_of(branch=branch, day=date(2018, 7, 1)) == b
    with pytest.raises(ValidationError):
        services.post_end(post=post, on=date(2018, 6, 30))
    assert [p.member for p in selectors.posts_of(branch=branch)] == [b, a]  # current first


def test_committee_warnings_follow_the_norm(branch):
    """No secretary; 7+ full members need a committee of 3–5 (支部工作条例)."""
    members = [factories.member(branch) for _ in range(7)]

    def warnings():
        posts = selectors.committee_on(branch=branch)
        full = selectors.roster_counts(branch=branch)["full"]
        return [w.text for w in selectors.committee_warnings(branch=branch, posts=posts, full_members=full)]

    assert "本支部没有在任书记" in warnings()
    start = date(2016, 11, 1)
    services.post_assign(branch=branch, member=members[0], post=P.SECRETARY, term_start=start)
    assert warnings() == ["正式党员 7 人（7 人以上）应设支部委员会 3–5 人，现有 1 人"]
    services.post_assign(branch=branch, member=members[1], post=P.ORGANISATION, term_start=start)
    services.post_assign(branch=branch, member=members[2], post=P.PUBLICITY, term_start=start)
    assert warnings() == []


def test_probationary_member_cannot_hold_a_committee_post(branch):
    """A 预备党员 has no right to be elected (党章第七条): appointing one 副书记 is refused, nothing saved."""
    p = factories.member(branch, status=Member.Status.PROBATIONARY, joined_on=date(2018, 6, 1))
    with pytest.raises(ValidationError) as e:
        services.post_assign(branch=branch, member=p, post=P.DEPUTY, term_start=date(2018, 12, 1))
    assert "预备党员，不能担任副书记" in e.value.message_dict["member"][0]
    assert not CommitteePost.objects.filter(member=p).exists()


def test_post_backdated_to_before_the_member_became_full_is_refused(branch):
    """Full today, but 预备 on the day the term would start: refused, with the 转正 date to aim for."""
    m = factories.member(branch, joined_on=date(2017, 6, 1), full_member_on=date(2018, 6, 1))
    with pytest.raises(ValidationError) as e:
        services.post_assign(branch=branch, member=m, post=P.DEPUTY, term_start=date(2018, 1, 1))
    assert "2018年6月1日转正后方可任命" in e.value.message_dict["member"][0]
    services.post_assign(branch=branch, member=m, post=P.DEPUTY, term_start=date(2018, 6, 1))
    assert CommitteePost.objects.filter(member=m, post=P.DEPUTY).count() == 1


def test_post_term_cannot_start_before_the_member_joined(branch):
    m = factories.member(branch, joined_on=date(2010, 7, 1))
    with pytest.raises(ValidationError) as e:
        services.post_assign(branch=branch, member=m, post=P.SECRETARY, term_start=date(2009, 11, 1))
    assert "任期开始日期不能早于" in e.value.message_dict["term_start"][0]
    assert "2010年7月1日" in e.value.message_dict["term_start"][0]
    assert not CommitteePost.objects.filter(member=m).exists()
