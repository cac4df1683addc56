"""Levels above the township (issue 12 item 2): a banner (旗县委) and a city (市委) reviewer read every township and
branch below them — the rolled-up overview, each township's overview, the branches' dashboards and archives — and
write nothing; another banner's township or branch is a 404; a banner opens a year for its townships (R0.1, R7.1)."""

from datetime import date

import pytest
from django.test import Client

from branch import access
from branch.models import Cycle
from tests import factories
from xinyi import cycles

from . import records

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def two_banners(cycle):
    """奈曼旗 with two townships (one branch recorded fully), and 库伦旗 with one township of its own."""
    a = factories.world(members=3, township_=factories.township("甲镇党委"))
    b = factories.world(members=3, township_=factories.township("乙镇党委"))
    other = factories.world(members=3, township_=factories.township("丙镇党委", banner="库伦旗"))
    records.full_cycle_before_deadline(a, cycle)
    return a, b, other


def test_banner_sees_its_townships_rolled_up_and_not_another_banners_R7_1(two_banners):
    a, b, other = two_banners
    banner = factories.level_login(banner="奈曼旗")
    c = _as(banner)
    assert c.get("/2018/").url == "/2018/banner/"
    page = c.get("/2018/banner/").content.decode()
    assert "甲镇党委" in page and "乙镇党委" in page and "丙镇党委" not in page
    assert "奈曼旗合计" in page
    # each township's own overview, read-only; another banner's township is a 404
    township_page = c.get(f"/2018/township/?township={a.township.pk}")
    assert township_page.status_code == 200 and a.branch.name in township_page.content.decode()
    assert "生成全镇各支部档案 ZIP" not in township_page.content.decode()
    assert c.get(f"/2018/township/?township={other.township.pk}").status_code == 404
    # a branch's dashboard; another banner's branch is a 404
    assert c.get(f"/2018/township/branches/{b.branch.pk}/").status_code == 200
    assert c.get(f"/2018/township/branches/{other.branch.pk}/").status_code == 404
    # a township reviewer has no banner page; a secretary neither
    assert _as(a.users["township"]).get("/2018/banner/").status_code == 403
    assert _as(a.users["secretary"]).get("/2018/banner/").status_code == 403


def test_banner_totals_count_each_townships_branches_R7_1(two_banners):
    from xinyi import levels, progress

    a, b, _other = two_banners
    rows = levels.township_totals(year=2018, townships=[a.township, b.township], today=date(2019, 3, 1))
    done, empty = rows
    assert (done.name, done.branches, empty.branches) == ("甲镇党委", 1, 1)
    assert done.steps_done > empty.steps_done
    assert done.kinds == {"农村": 1} and empty.all_done == 0
    assert 0 < done.steps_done <= len(progress.STEPS)
    total = levels._sum("合计", rows)
    assert (total.branches, total.steps_done) == (2, done.steps_done + empty.steps_done)


def test_banner_and_city_write_nothing_R7_1(two_banners, cycle):
    a, _b, _other = two_banners
    for user in (factories.level_login(banner="奈曼旗"), factories.level_login(city="通辽市")):
        c = _as(user)
        r = c.post(f"/2018/township/branches/{a.branch.pk}/close/")
        assert r.status_code == 403 and "只能查看" in r.content.decode()
        assert c.post("/2018/township/archives/new/", {"township": a.township.pk}).status_code == 403
        assert not access.can_write_branch(user, a.branch)
    from branch.models import BranchCycle

    assert not BranchCycle.objects.filter(branch=a.branch, state="closed").exists()


def test_city_sees_every_banner_and_its_townships_R7_1(two_banners):
    a, _b, other = two_banners
    c = _as(factories.level_login(city="通辽市"))
    assert c.get("/2018/").url == "/2018/city/"
    page = c.get("/2018/city/").content.decode()
    assert "奈曼旗" in page and "库伦旗" in page and "丙镇党委" in page and "通辽市合计" in page
    assert c.get(f"/2018/township/?township={other.township.pk}").status_code == 200
    assert c.get(f"/2018/banner/?banner={other.township.banner_id}").status_code == 200
    # another city's banner is a 404
    factories.township("丁镇党委", banner="科尔沁区", city="别的市")
    from branch.models import Banner

    foreign = Banner.objects.get(name="科尔沁区")
    assert c.get(f"/2018/banner/?banner={foreign.pk}").status_code == 404


def test_banner_opens_the_next_year_for_its_townships_keeping_one_opened_already_R0_1(two_banners):
    a, b, other = two_banners
    cycles.cycle_open(year=2019, deadline=date(2020, 3, 20), township=b.township)  # 乙镇 opened its own
    banner_user = factories.level_login(banner="奈曼旗")
    c = _as(banner_user)
    form = c.get("/2018/banner/open-next/")
    assert form.status_code == 200 and "面向奈曼旗所属各镇党委" in form.content.decode()
    r = c.post(
        "/2018/banner/open-next/",
        {
            "year": 2019,
            "deadline": "2020-03-20",
            "title": "2019年度组织生活会和民主评议党员",
            "materials": "党章",
        },
    )
    assert r.status_code == 302 and r.url == "/2019/banner/"
    mine = Cycle.objects.get(year=2019, township=a.township)
    assert mine.opened_by == banner_user and mine.materials.count() == 1
    assert Cycle.objects.filter(year=2019, township=b.township).count() == 1  # kept its own
    assert not Cycle.objects.filter(year=2019, township=other.township).exists()  # another banner's
    # a township reviewer and the city cannot open for the banner
    assert _as(a.users["township"]).get("/2018/banner/open-next/").status_code == 403
    city = _as(factories.level_login(city="通辽市"))
    assert city.post("/2018/banner/open-next/", {"year": 2020}).status_code == 403


def test_banner_overview_query_count_is_constant_R7_1(cycle):
    """One cycle shared by every township: the page's queries do not grow with townships or branches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(townships, branches):
        for _ in range(townships):
            t = factories.township()
            for _ in range(branches):
                factories.world(members=2, township_=t, logins=False)

    add(2, 1)
    c = _as(factories.level_login(banner="奈曼旗"))

    def count():
        c.get("/2018/banner/")
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/2018/banner/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    add(3, 3)
    assert count() == small


def test_cycle_open_command_for_a_banner_R0_1(two_banners):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    a, b, other = two_banners
    out = StringIO()
    call_command("cycle_open", "--year", "2019", "--deadline", "2020-03-20", "--banner", "奈曼旗", stdout=out)
    assert "甲镇党委" in out.getvalue() and "乙镇党委" in out.getvalue()
    assert Cycle.objects.filter(year=2019, township__banner__name="奈曼旗").count() == 2
    assert not Cycle.objects.filter(year=2019, township=other.township).exists()
    with pytest.raises(CommandError, match="都已开启2019年度"):
        call_command("cycle_open", "--year", "2019", "--deadline", "2020-03-20", "--banner", "奈曼旗")
    with pytest.raises(CommandError, match="找不到旗县委"):
        call_command("cycle_open", "--year", "2019", "--deadline", "2020-03-20", "--banner", "无此旗")


def test_seed_scale_builds_a_measurable_banner_and_refuses_a_real_database(cycle):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from branch.models import Branch, Member

    factories.township("真实镇党委", banner="库伦旗")
    with pytest.raises(CommandError, match="已有演示以外的镇党委"):
        call_command("seed_scale", "--townships", "2", "--branches", "3", "--members", "5", stdout=StringIO())
    call_command(
        "seed_scale", "--townships", "2", "--branches", "3", "--members", "5", "--force", stdout=StringIO()
    )
    assert Branch.objects.filter(township__banner__name="规模测试旗").count() == 6
    assert Member.objects.filter(branch__township__banner__name="规模测试旗").count() == 30
    c = _as(get_user("scale-banner"))
    page = c.get("/2018/banner/").content.decode()
    assert "规模测试旗第1镇党委" in page and "规模测试旗第2镇党委" in page


def get_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
