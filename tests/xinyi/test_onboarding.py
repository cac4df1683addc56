"""The township onboards its branches (issue 12 item 1): adds, renames and retires them, opens each secretary's login
(temporary password shown once, printable slips, changed at the first login), in bulk from Excel all or nothing; the
secretary's login finds its member record when the roster comes in; the secretary opens logins with the role that fits
the post and sees every login of the branch, their own included."""

import subprocess
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import Workbook

from branch import services
from branch.models import Branch, CommitteePost, Scope
from tests import factories
from xinyi.models import TemporaryPassword

pytestmark = pytest.mark.django_db
User = get_user_model()


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ("名称", "类型", "书记姓名", "联系电话", "登录名")


def test_reviewer_adds_a_branch_with_its_secretary_login_shown_once_R7_1(world, other_world):
    c = _as(world.users["township"])
    page = c.get("/2018/township/branches/manage/")
    assert page.status_code == 200 and world.branch.name in page.content.decode()
    assert other_world.branch.name not in page.content.decode()
    r = c.post(
        "/2018/township/branches/manage/",
        {"name": "幸福社区党支部", "kind": "community", "secretary": "李芳", "phone": "13912345678"},
    )
    assert r.status_code == 302 and r.url == "/2018/township/branches/manage/done/"
    branch = Branch.objects.get(name="幸福社区党支部")
    assert (branch.township, branch.kind) == (world.township, "community")
    login = User.objects.get(username="13912345678")
    assert (login.scope.role, login.scope.branch, login.first_name) == ("secretary", branch, "李芳")
    assert TemporaryPassword.objects.filter(user=login).exists()  # changed at the first login
    done = c.get("/2018/township/branches/manage/done/").content.decode()
    password = done.split('<code class="fs-5">')[1].split("</code>")[0]
    assert login.check_password(password) and len(password) >= 10
    # refused: a secretary, a member, a banner reviewer; a bad phone keeps what was typed
    for who in (world.users["secretary"], world.users["member"], factories.level_login(banner="奈曼旗")):
        assert _as(who).get("/2018/township/branches/manage/").status_code == 403
    bad = c.post(
        "/2018/township/branches/manage/",
        {"name": "新支部", "kind": "rural", "secretary": "王", "phone": "123"},
    )
    assert (
        bad.status_code == 200
        and "请填写 11 位手机号" in bad.content.decode()
        and 'value="新支部"' in bad.content.decode()
    )
    assert not Branch.objects.filter(name="新支部").exists()


def test_slips_pdf_prints_each_new_login_once_R7_1(world, tmp_path):
    c = _as(world.users["township"])
    c.post("/2018/township/branches/manage/", {"name": "前进村党支部", "kind": "rural", "secretary": "赵强"})
    pdf = c.get("/2018/township/branches/manage/slips.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    login = User.objects.get(scope__branch__name="前进村党支部")
    assert "前进村党支部" in text and login.username in text and "首次登录须修改密码" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and "yes" in fonts
    # another township's reviewer has no slips of this session, nor this township's page
    assert (
        _as(factories.login(role="township", township_=factories.township()))
        .get("/2018/township/branches/manage/slips.pdf")
        .status_code
        == 302
    )


def test_secretary_login_links_to_the_member_when_the_roster_comes_in_R7_1(world):
    branch, login = services.branch_onboard(
        township=world.township, name="团结村党支部", kind="rural", secretary="孙红", password="x-Temp-12345"
    )
    assert not hasattr(login, "member") or login.member is None
    member = factories.member(branch, name="孙红")
    member.refresh_from_db()
    assert member.user == login
    # two members of the same name: nobody is linked by guess
    branch2, login2 = services.branch_onboard(
        township=world.township, name="和平村党支部", kind="rural", secretary="王伟", password="x-Temp-12345"
    )
    services.members_create_bulk(groups=[], members=[])
    a = factories.member(branch2, name="王伟")
    a.refresh_from_db()
    assert a.user == login2


def test_rename_and_retire_another_townships_branch_is_a_404_R7_1(world, other_world, cycle):
    c = _as(world.users["township"])
    assert (
        c.post(f"/2018/township/branches/{other_world.branch.pk}/rename/", {"name": "x"}).status_code == 404
    )
    assert (
        c.post(f"/2018/township/branches/{other_world.branch.pk}/retire/", {"confirm": "yes"}).status_code
        == 404
    )
    c.post(f"/2018/township/branches/{world.branch.pk}/rename/", {"name": "新名字村党支部"})
    world.branch.refresh_from_db()
    assert world.branch.name == "新名字村党支部"
    c.post(f"/2018/township/branches/{world.branch.pk}/retire/")  # no confirmation: nothing
    world.branch.refresh_from_db()
    assert world.branch.retired_on is None
    c.post(f"/2018/township/branches/{world.branch.pk}/retire/", {"confirm": "yes"})
    world.branch.refresh_from_db()
    assert world.branch.retired_on is not None
    # its records are read-only now
    refused = _as(world.users["secretary"]).post("/2018/study/new/", {})
    assert refused.status_code == 403 and "撤销，记录只读" in refused.content.decode()
    # it took part in the years before it was retired, and in none after
    year = world.branch.retired_on.year
    assert Branch.objects.in_year(year - 1).filter(pk=world.branch.pk).exists()
    assert not Branch.objects.in_year(year).filter(pk=world.branch.pk).exists()
    assert not Branch.objects.active().filter(pk=world.branch.pk).exists()


def _good_file():
    return _xlsx(
        [
            HEADER,
            ("东风村党支部", "农村", "刘军", "13900000001", ""),
            ("阳光社区党支部", "社区", "周敏", "", "zhoumin"),
            ("合计：2个", "", "", "", ""),
        ]
    )


def test_import_good_file_by_upload_creates_every_branch_and_login_R7_1(world):
    c = _as(world.users["township"])
    f = BytesIO(_good_file())
    f.name = "名单.xlsx"
    r = c.post("/2018/township/branches/manage/import/", {"file": f})
    assert r.status_code == 302
    assert set(Branch.objects.filter(township=world.township).values_list("name", flat=True)) >= {
        "东风村党支部",
        "阳光社区党支部",
    }
    assert User.objects.filter(username__in=["13900000001", "zhoumin"]).count() == 2
    done = c.get("/2018/township/branches/manage/done/").content.decode()
    assert "东风村党支部" in done and "阳光社区党支部" in done and "合计" not in done


def test_import_bad_file_writes_nothing_and_names_row_column_reason_R7_1(world):
    factories.login(role="member", branch_=world.branch)  # a login name in use
    taken = User.objects.filter(scope__role="member").first().username
    data = _xlsx(
        [
            HEADER,
            ("东风村党支部", "农村", "刘军", "13900000001", ""),
            ("东风村党支部", "乡镇", "", "123", taken),
            (world.branch.name, "社区", "周敏", "", ""),
        ]
    )
    c = _as(world.users["township"])
    f = BytesIO(data)
    f.name = "bad.xlsx"
    r = c.post("/2018/township/branches/manage/import/", {"file": f})
    body = r.content.decode()
    assert r.status_code == 400
    for line in (
        "第 3 行「名称」：与第 2 行重复",
        "第 3 行「类型」：“乡镇”不是党支部类型",
        "第 3 行「书记姓名」：不能为空",
        "第 3 行「联系电话」：“123”不是 11 位手机号",
        f"第 3 行「登录名」：登录名“{taken}”已被使用",
        f"第 4 行「名称」：“{world.branch.name}”已存在",
    ):
        assert line in body, line
    assert body.index("第 3 行") < body.index("第 4 行")
    assert not Branch.objects.filter(name="东风村党支部").exists()
    assert not User.objects.filter(username="13900000001").exists()


def test_import_branches_command_R7_1(world, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(_good_file())
    out = StringIO()
    call_command("import_branches", str(path), "--township", world.township.name, stdout=out)
    assert "已导入 2 个党支部" in out.getvalue() and "13900000001" in out.getvalue()
    with pytest.raises(CommandError, match="已存在"):
        call_command("import_branches", str(path), "--township", world.township.name, stdout=StringIO())
    with pytest.raises(CommandError, match="找不到镇党委"):
        call_command("import_branches", str(path), "--township", "无此镇", stdout=StringIO())
    zipped = tmp_path / "x.xlsx"
    zipped.write_bytes(b"not excel")
    with pytest.raises(CommandError, match="不是 Excel"):
        call_command("import_branches", str(zipped), "--township", world.township.name, stdout=StringIO())


def test_secretary_opens_a_committee_login_for_a_committee_member_and_sees_every_login_R7_1(world):
    c = _as(world.users["secretary"])
    page = c.get("/accounts/manage/").content.decode()
    assert world.users["secretary"].username in page and "本人" in page
    committee_member = factories.member(world.branch, name="新支委")
    services.post_assign(
        branch=world.branch,
        member=committee_member,
        post=CommitteePost.Post.DEPUTY,
        term_start=date(2018, 1, 1),
    )
    plain = factories.member(world.branch, name="普通党员")
    page = c.get("/accounts/manage/").content.decode()
    assert "支委委员" in page
    c.post(f"/accounts/manage/members/{committee_member.pk}/new/", {"username": "xinzhiwei"})
    c.post(f"/accounts/manage/members/{plain.pk}/new/", {"username": "putong"})
    assert Scope.objects.get(user__username="xinzhiwei").role == "committee"
    assert Scope.objects.get(user__username="putong").role == "member"


def test_onboarded_secretary_sees_own_login_before_the_roster(world):
    branch, login = services.branch_onboard(
        township=world.township, name="红星村党支部", kind="rural", secretary="钱进", password="x-Temp-12345"
    )
    page = _as(login).get("/accounts/manage/").content.decode()
    assert login.username in page and "钱进" in page and "本支部还没有登录账号" not in page
