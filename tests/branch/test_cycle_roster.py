"""Each cycle's own roster (R7.2): fixed on the meeting day, untouched by what happens to the members later."""

from datetime import date

import pytest

from branch import selectors, services
from branch.models import Cycle, Member
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_fixed_roster_keeps_status_and_people_as_of_its_day_in_every_later_year_R7_2():
    branch = factories.branch()
    c2018 = Cycle.objects.get(year=2018)
    stays = factories.member(branch, name="王树林")
    turns_full = factories.member(
        branch, name="阿拉坦", status=Member.Status.PROBATIONARY, joined_on=date(2018, 6, 1)
    )
    leaves = factories.member(branch, name="孙立军")
    services.branch_cycle_fix_roster(cycle=c2018, branch=branch, on=date(2019, 1, 18))

    # 2019: 转正, a transfer-out and a newcomer; then 2019's roster is fixed too.
    c2019 = services.cycle_create(year=2019, deadline=date(2020, 3, 20))
    services.member_update(member=turns_full, status=Member.Status.FULL, full_member_on=date(2019, 6, 1))
    services.member_leave(member=leaves, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 4, 15))
    newcomer = factories.member(
        branch, name="包晓燕", status=Member.Status.PROBATIONARY, joined_on=date(2019, 7, 1)
    )
    services.branch_cycle_fix_roster(cycle=c2019, branch=branch, on=date(2020, 1, 15))

    full_2018 = list(selectors.cycle_full_members(cycle=c2018, branch=branch))
    assert sorted(m.name for m in full_2018) == ["孙立军", "王树林"]  # each once, 阿拉坦 still 预备 in 2018
    assert {m.name: m.status for m in selectors.cycle_roster(cycle=c2018, branch=branch)} == {
        "王树林": "full",
        "阿拉坦": "probationary",
        "孙立军": "full",
    }
    full_2019 = sorted(m.name for m in selectors.cycle_full_members(cycle=c2019, branch=branch))
    assert full_2019 == ["王树林", "阿拉坦"]
    assert newcomer.pk in set(
        selectors.cycle_members(cycle=c2019, branch=branch).values_list("pk", flat=True)
    )
    assert stays.pk in set(selectors.cycle_members(cycle=c2018, branch=branch).values_list("pk", flat=True))


def test_scores_are_kept_per_cycle_R5_3():
    branch = factories.branch()
    c2018 = Cycle.objects.get(year=2018)
    m = factories.member(branch, stars=4, points=90)  # the branch's newest cycle: 2018
    c2019 = services.cycle_create(year=2019, deadline=date(2020, 3, 20))
    services.member_update(member=m, stars=5, points=98)  # now 2019 is the newest
    assert [(x.stars, x.points) for x in selectors.attach_scores([m], cycle=c2018)] == [(4, 90)]
    assert [(x.stars, x.points) for x in selectors.attach_scores([m], cycle=c2019)] == [(5, 98)]
