"""Year after year (issue 11): opening the next cycle, closing and freezing a branch's cycle, last year's debts on the
dashboard, year against year on the overview, and the year in every address."""

import hashlib
import io
import zipfile
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branch import services
from branch.models import BranchCycle, Cycle, Member
from branch.selectors import cycle_for_township
from meetings.models import RequiredMaterial
from rectification import services as rect_services
from tests import factories
from xinyi import cycles, tasks
from xinyi.models import ArchiveBundle

from . import records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def materials(cycle) -> list[str]:
    return list(RequiredMaterial.objects.filter(cycle=cycle).values_list("title", flat=True))


def open_2019(world) -> Cycle:
    return cycles.cycle_open(year=2019, deadline=date(2020, 3, 20), township=world.township)


def as_user(user):
    """A client of its own: `client_for` logs the one shared client in again, so two users in a test need two."""
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def state_of(w, cycle) -> str:
    return (
        BranchCycle.objects.filter(branch=w.branch, cycle=cycle).values_list("state", flat=True).first()
        or BranchCycle.State.OPEN
    )


def admin():
    from django.contrib.auth.models import User

    return User.objects.create_superuser(f"admin{factories.n()}", password=factories.PASSWORD)


# ---------------------------------------------------------------- opening a year (item 2)


def test_reviewer_opens_next_year_from_the_page_with_last_years_materials_R1_2(client_for, world, cycle):
    last_year = materials(cycle)
    assert last_year, "the plan's 2018 materials"
    c = client_for(world.users["township"])
    overview = c.get(reverse("township_overview")).content.decode()
    assert "开启2019年度" in overview and reverse("cycle_open") in overview
    page = c.get(reverse("cycle_open"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["year"].value() == 2019 and form["deadline"].value() == date(2020, 3, 20)
    assert form["materials"].value().splitlines() == last_year
    assert cycle_for_township(township_id=world.township.pk, year=2019) is None

    edited = "\n".join([*last_year[1:], "  新增：学习新修订的党章  ", ""])
    r = c.post(
        reverse("cycle_open"),
        {"year": 2019, "deadline": "2020-03-20", "title": "", "materials": edited},
    )

    assert r.status_code == 302 and r.url == "/2019/township/"
    new = Cycle.objects.get(year=2019)
    assert new.township == world.township and new.opened_by == world.users["township"]
    assert materials(new) == [*last_year[1:], "新增：学习新修订的党章"]
    assert materials(cycle) == last_year  # last year's list is untouched
    assert (
        "2019年度组织生活会和民主评议党员" in client_for(world.users["township"]).get(r.url).content.decode()
    )


def test_open_page_refuses_an_existing_year_and_an_early_deadline_in_chinese_R0_1(client_for, world, cycle):
    c = client_for(world.users["township"])
    r = c.post(reverse("cycle_open"), {"year": 2018, "deadline": "2019-03-20", "materials": ""})
    assert r.status_code == 200 and "2018年度已经开启" in r.content.decode()
    r = c.post(reverse("cycle_open"), {"year": 2019, "deadline": "2019-12-31", "materials": ""})
    assert r.status_code == 200 and "完成期限须在2020年1月1日或以后" in r.content.decode()
    assert not Cycle.objects.filter(year=2019).exists()


def test_open_page_for_reviewer_and_admin_refused_for_secretary(client_for, world, cycle):
    assert client_for(world.users["secretary"]).get(reverse("cycle_open")).status_code == 403
    assert "开启" not in client_for(world.users["secretary"]).get(reverse("dashboard")).content.decode()
    r = client_for(admin()).post(
        reverse("cycle_open"), {"year": 2019, "deadline": "2020-03-20", "materials": "学习党章"}
    )
    assert r.status_code == 302
    common = Cycle.objects.get(year=2019)
    assert common.township is None and materials(common) == ["学习党章"]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cycle_open_command_copies_materials_and_refuses_clearly_R0_1(world, cycle):
    with pytest.raises(CommandError, match="2018年度已经开启"):
        call_command("cycle_open", "--year", "2018", "--deadline", "2019-03-20")
    with pytest.raises(CommandError, match="完成期限须在2020年1月1日或以后"):
        call_command("cycle_open", "--year", "2019", "--deadline", "2019-12-20")
    with pytest.raises(CommandError, match="找不到镇党委“无此镇”"):
        call_command("cycle_open", "--year", "2019", "--deadline", "2020-03-20", "--township", "无此镇")
    assert not Cycle.objects.filter(year=2019).exists()

    out = run("cycle_open", "--year", "2019", "--deadline", "2020-03-20", "--township", world.township.name)

    new = Cycle.objects.get(year=2019)
    assert new.township == world.township and new.deadline == date(2020, 3, 20)
    assert materials(new) == materials(cycle)
    assert f"沿用必学内容 {len(materials(cycle))} 项" in out


def test_cycle_open_command_is_a_non_zero_exit_from_the_shell(world, cycle):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "cycle_open", "--year", "2018", "--deadline", "2019-03-20"]).execute()
    assert exc.value.code != 0


# ---------------------------------------------------------------- closing freezes a cycle (item 5)


def test_closed_archive_is_the_same_file_after_a_roster_change_and_a_transfer_R7_2(
    client_for, world, cycle, tmp_path
):
    records.full_cycle_before_deadline(world, cycle)
    reviewer = client_for(world.users["township"])
    r = reviewer.post(reverse("township_branch_close", args=[world.branch.pk]))
    assert r.status_code == 302
    bc = BranchCycle.objects.get(branch=world.branch, cycle=cycle)
    assert bc.state == BranchCycle.State.CLOSED and bc.closed_by == world.users["township"] and bc.closed_at
    assert bc.roster_fixed_on == date(2019, 3, 10)
    stored = bc.archive.read()
    assert hashlib.sha256(stored).hexdigest() == bc.archive_sha256
    assert {c["rule"] for c in bc.checks} >= {"R0.1"} and all(
        {"rule", "ok", "text"} <= set(c) for c in bc.checks
    )

    open_2019(world)
    services.member_leave(member=world.members[0], reason=Member.LeftReason.TRANSFERRED, on=date(2019, 5, 1))
    factories.member(world.branch, joined_on=date(2019, 6, 1), status=Member.Status.PROBATIONARY)
    services.member_update(member=world.members[1], is_veteran=True, name="改名后党员")

    r = reviewer.get(reverse("township_branch_archive", args=[world.branch.pk]))
    assert r["X-Archive-SHA256"] == bc.archive_sha256 and r.content == stored
    secretary = client_for(world.users["secretary"])
    r = secretary.get(reverse("dashboard_archive"))
    assert r["X-Archive-SHA256"] == bc.archive_sha256 and r.content == stored
    out = tmp_path / "export.pdf"
    call_command(
        "export_archive", "--branch", world.branch.name, "--year", "2018", "-o", str(out), stdout=StringIO()
    )
    assert out.read_bytes() == stored
    bundle, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    tasks.build_bundle.call(bundle.pk)
    bundle = ArchiveBundle.objects.get(pk=bundle.pk)
    with zipfile.ZipFile(io.BytesIO(bundle.file.read())) as zf:
        assert zf.read(zf.namelist()[0]) == stored


def test_closed_dashboard_shows_the_stored_checks_and_the_seal_R7_2(client_for, world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    bc = cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=world.users["township"])
    body = client_for(world.users["secretary"]).get(reverse("dashboard")).content.decode()
    assert "已关闭" in body and "已封存" in body and bc.archive_sha256 in body
    assert "关闭时封存的结果" in body
    for c in bc.checks:
        assert c["text"] in body
    assert "申请关闭" not in body


def test_cycle_status_of_a_closed_cycle_prints_the_stored_checks_R7_2(world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    call_command("cycle_close", "--year", "2018", "--branch", world.branch.name, stdout=StringIO())
    bc = BranchCycle.objects.get(branch=world.branch, cycle=cycle)
    BranchCycle.objects.filter(pk=bc.pk).update(
        checks=[{"rule": "R9.9", "ok": True, "status": "pass", "text": "封存"}]
    )
    out = StringIO()
    try:
        call_command("cycle_status", "--branch", world.branch.name, "--year", "2018", stdout=out)
    except SystemExit as exc:
        assert exc.code == 0
    assert "已关闭" in out.getvalue() and bc.archive_sha256 in out.getvalue()
    assert "R9.9   通过   封存" in out.getvalue()


def test_cycle_close_command_refuses_a_second_close_and_unknown_branch(world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    call_command("cycle_close", "--year", "2018", "--branch", world.branch.name, stdout=StringIO())
    with pytest.raises(CommandError, match="2018年度已关闭"):
        call_command("cycle_close", "--year", "2018", "--branch", world.branch.name)
    with pytest.raises(CommandError, match="找不到党支部"):
        call_command("cycle_close", "--year", "2018", "--branch", "无此支部")


def test_writes_on_a_closed_year_are_refused_with_the_reason(client_for, world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    c = client_for(world.users["secretary"])
    assert c.post(reverse("dashboard_close_request")).status_code == 302  # writable before closing
    cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=world.users["township"])
    for url in (reverse("dashboard_close_request"), reverse("talk_list"), "/2018/members/new/"):
        r = c.post(url, {})
        assert r.status_code == 403, url
        assert "2018年度已关闭，记录已封存，不能修改" in r.content.decode()


def test_secretary_asks_township_confirms_or_sends_back_R7_2(client_for, world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    secretary, reviewer = client_for(world.users["secretary"]), None
    assert "申请关闭" in secretary.get(reverse("dashboard")).content.decode()
    secretary.post(reverse("dashboard_close_request"))
    bc = BranchCycle.objects.get(branch=world.branch, cycle=cycle)
    assert bc.state == BranchCycle.State.CLOSING and bc.close_requested_by == world.users["secretary"]
    assert "待确认关闭" in secretary.get(reverse("dashboard")).content.decode()

    reviewer = client_for(world.users["township"])
    page = reviewer.get(reverse("township_branch_dashboard", args=[world.branch.pk])).content.decode()
    assert "确认关闭" in page and "退回" in page
    reviewer.post(reverse("township_branch_return", args=[world.branch.pk]))
    assert BranchCycle.objects.get(pk=bc.pk).state == BranchCycle.State.OPEN
    overview = reviewer.get(reverse("township_overview"))
    assert overview.context["rows"][0].cycle_state_label == "进行中"


def test_the_committee_may_not_ask_to_close(client_for, world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    assert client_for(world.users["committee"]).post(reverse("dashboard_close_request")).status_code == 403
    assert state_of(world, cycle) == BranchCycle.State.OPEN


def test_reviewer_of_another_township_cannot_close_or_download(world, other_world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    stranger = as_user(other_world.users["township"])
    assert stranger.post(f"/2018/township/branches/{world.branch.pk}/close/").status_code == 404
    assert stranger.post(f"/2018/township/branches/{world.branch.pk}/return/").status_code == 404
    assert stranger.get(f"/2018/township/branches/{world.branch.pk}/archive.pdf").status_code == 404
    assert (
        as_user(world.users["secretary"])
        .post(f"/2018/township/branches/{world.branch.pk}/close/")
        .status_code
        == 403
    )
    assert state_of(world, cycle) == BranchCycle.State.OPEN
    own = as_user(world.users["township"])
    assert own.post(f"/2018/township/branches/{world.branch.pk}/close/").status_code == 302
    assert state_of(world, cycle) == BranchCycle.State.CLOSED
    assert own.get(f"/2018/township/branches/{world.branch.pk}/archive.pdf").status_code == 200
    assert stranger.get(f"/2018/township/branches/{world.branch.pk}/archive.pdf").status_code == 404
    with pytest.raises(PermissionDenied, match="仅本镇党委审核人"):
        cycles.branch_cycle_close(cycle=cycle, branch=other_world.branch, by=world.users["township"])


def test_close_waits_for_the_rectification_tail_or_the_time_R6_4(world, cycle):
    """Closing is refused before the meeting and while a measure is open, until 31 December of the next year."""
    from meetings.models import Talk

    with pytest.raises(ValidationError, match="组织生活会尚未召开"):
        cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=None, today=date(2019, 6, 1))
    records.full_cycle_before_deadline(world, cycle)
    # the half-year report (R6.4) is part of the tail: not yet given, so the cycle may not close yet
    assert "半年整改情况" in cycles.close_refusal(cycle=cycle, branch=world.branch, today=date(2019, 6, 1))
    rect_services.measure_create(
        cycle=cycle,
        branch=world.branch,
        text="修缮村部会议室",
        responsible=world.secretary,
        due_on=date(2019, 5, 1),
        talks=Talk.objects.filter(branch=world.branch),
    )
    with pytest.raises(ValidationError, match="整改措施未完成：修缮村部会议室"):
        cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=None, today=date(2019, 6, 1))
    assert state_of(world, cycle) == BranchCycle.State.OPEN
    # the time is up at the end of the next year, whatever is still owed
    bc = cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=None, today=date(2020, 1, 1))
    assert bc.is_closed and bc.archive_sha256


# ---------------------------------------------------------------- last year's debts on this year's dashboard (item 3)


def test_dashboard_of_2019_lists_what_2018_still_owes_with_links_R6_5(client_for, world, cycle, monkeypatch):
    from xinyi.cycles import Owed

    c = client_for(world.users["secretary"])
    url = "/2019/dashboard/"  # literal: a request leaves the script prefix of its year behind
    open_2019(world)
    assert "上年度尚未完成" not in c.get(url).content.decode()  # nothing owed
    seen = []

    def owed(*, cycle, branch, day):
        seen.append((cycle.year, branch, day))
        return [Owed("整改措施“修路”尚未完成", "/2018/rectification/measures/1/")]

    monkeypatch.setattr(cycles, "owed", owed)
    body = c.get(url).content.decode()
    assert "上年度尚未完成" in body and "2018年度" in body
    assert '<a href="/2018/rectification/measures/1/">整改措施“修路”尚未完成</a>' in body
    assert seen == [(2018, world.branch, date(2019, 12, 31))]  # judged on 2018's own reference day
    assert "上年度尚未完成" not in c.get("/2018/dashboard/").content.decode()  # 2018 has no previous cycle
    cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=None)
    assert "上年度尚未完成" not in c.get(url).content.decode()  # a closed year owes nothing more here


def test_a_link_to_last_year_stays_in_last_year_from_a_page_of_this_year():
    with factories.under_year(2019):
        assert cycles.url_in_year(2018, "rectification_half_year") == "/2018/rectification/half-year/"


def test_dashboard_queries_do_not_grow_with_members_in_both_years(client_for, cycle):
    counts = []
    for size in (5, 50):
        w = factories.world(members=size)
        records.full_cycle_before_deadline(w, cycle)
        cycles.cycle_open(year=2019, deadline=date(2020, 3, 20), township=w.township)
        c = client_for(w.users["secretary"])
        per_year = []
        for url in ("/2018/dashboard/", "/2019/dashboard/"):
            c.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            per_year.append(len(ctx.captured_queries))
        counts.append(per_year)
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- every year for the township (item 8)


def test_overview_compares_years_per_branch_R7_1(client_for, world, cycle):
    records.full_cycle_before_deadline(world, cycle)
    late = factories.world(members=2, township_=world.township, logins=False)
    records.meeting(late, cycle, held_on=date(2019, 4, 2))
    open_2019(world)
    cycles.branch_cycle_close(cycle=cycle, branch=world.branch, by=None)
    with factories.under_year(2019):
        url = reverse("township_overview")
    r = client_for(world.users["township"]).get(url)
    years = r.context["years"]
    assert [c.year for c in years.cycles] == [2018, 2019]
    by_branch = {row.branch: row.cells for row in years.rows}
    done, late_cells = by_branch[world.branch], by_branch[late.branch]
    # study, talks, preparation, meeting by 2019-03-20 (no problems recorded here)
    assert done[0].steps == 4 and done[0].state_label == "已关闭"
    assert late_cells[0].steps == 1 and late_cells[0].state_label == "进行中"  # prepared in time, held late
    assert done[1].steps == 0 and done[1].grades_label == "未评定"
    body = r.content.decode()
    assert "历年对比" in body and "按期完成步骤 4/5" in body and "年度状态" in body


def test_overview_queries_do_not_grow_with_branches_or_years_R7_1(client_for, cycle):
    counts = []
    for n_branches, n_years in ((2, 1), (12, 4)):
        t = factories.township()
        worlds = [factories.world(members=5, township_=t, logins=False) for _ in range(n_branches)]
        records.full_cycle_before_deadline(worlds[0], cycle)
        for y in range(n_years):
            cycles.cycle_open(year=2019 + y, deadline=date(2020 + y, 3, 20), township=t)
        reviewer = factories.login(role="township", township_=t)
        c = client_for(reviewer)
        c.get(reverse("township_overview"))
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(reverse("township_overview"))
        assert len(r.context["years"].rows) == n_branches and len(r.context["years"].cycles) == n_years + 1
        counts.append(len(ctx.captured_queries))
        Cycle.objects.filter(township=t).delete()
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- the year in every address (item 1, permissions)


def test_another_townships_user_cannot_reach_a_branch_by_year_or_id(world, other_world, cycle):
    open_2019(world)  # world's township's own year: the other township has no 2019
    own, stranger = as_user(world.users["township"]), as_user(other_world.users["township"])
    own_page = f"/2018/township/branches/{world.branch.pk}/"
    assert own.get(own_page).status_code == 200
    assert own.get(f"/2019/township/branches/{world.branch.pk}/").status_code == 200
    assert stranger.get(f"/2018/township/branches/{other_world.branch.pk}/").status_code == 200
    assert stranger.get(own_page).status_code == 404  # changing the id
    r = stranger.get(f"/2019/township/branches/{world.branch.pk}/")  # changing the year
    assert r.status_code == 404 and "没有2019年度的组织生活会" in r.content.decode()
    assert stranger.get(f"/2019/township/branches/{other_world.branch.pk}/").status_code == 404
    secretary = as_user(other_world.users["secretary"])
    assert secretary.get("/2018/dashboard/").status_code == 200
    assert secretary.get("/2019/dashboard/").status_code == 404
    assert secretary.get(f"/2018/members/{other_world.members[0].pk}/").status_code == 200
    assert secretary.get(f"/2018/members/{world.members[0].pk}/").status_code == 404


def test_unknown_year_is_a_chinese_404(client_for, world, cycle):
    r = client_for(world.users["secretary"]).get("/2031/dashboard/")
    assert r.status_code == 404 and "没有2031年度的组织生活会" in r.content.decode()


def test_year_switcher_lists_exactly_the_years_the_user_may_see(client_for, world, other_world, cycle):
    open_2019(world)
    cycles.cycle_open(year=2020, deadline=date(2021, 3, 20), township=other_world.township)
    own = client_for(world.users["secretary"]).get(reverse("dashboard"))
    assert [y for y, _ in own.context["nav_years"]] == [2019, 2018]
    assert "/2019/dashboard/" in own.content.decode() and "/2020/" not in own.content.decode()
    other = client_for(other_world.users["township"]).get(reverse("township_overview"))
    assert [y for y, _ in other.context["nav_years"]] == [2020, 2018]
