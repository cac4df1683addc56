from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from branch import services
from branch.models import CommitteePost, Member
from branch.xlsx import XLSX_CONTENT_TYPE, load_workbook_safely, workbook_bytes
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_role_lands_where_it_works(client_for, world):
    assert client_for(world.users["member"]).get("/").url == reverse("me")
    assert client_for(world.users["secretary"]).get("/", follow=True).status_code == 200


def test_roster_for_secretary_refused_for_member(client_for, world):
    """The roster is for the secretary and committee; a member who opens /members/ is refused."""
    r = client_for(world.users["secretary"]).get("/2018/members/")
    assert r.status_code == 200
    assert world.members[1].name in r.content.decode()
    r = client_for(world.users["member"]).get("/2018/members/")
    assert r.status_code == 403


def test_roster_filters_by_status(client_for, db):
    w = factories.world(members=3, probationary=2)
    r = client_for(w.users["secretary"]).get("/2018/members/", {"status": Member.Status.PROBATIONARY})
    body = r.content.decode()
    assert "当前显示 2 人" in body
    assert w.members[0].name not in body


@pytest.mark.parametrize("size", [5, 50])
def test_roster_query_count_constant(client_for, django_assert_num_queries, size):
    w = factories.world(members=size)
    c = client_for(w.users["secretary"])
    # one query of them is the login's cycles (the year in the address, the year switcher)
    with django_assert_num_queries(11):
        r = c.get("/2018/members/")
    assert r.status_code == 200


def test_member_detail_other_branch_is_404(client_for, world, other_world):
    c = client_for(world.users["secretary"])
    assert c.get(reverse("member_detail", args=[world.members[1].pk])).status_code == 200
    assert c.get(reverse("member_detail", args=[other_world.members[1].pk])).status_code == 404


# Member pages: the secretary writes, the committee reads, a member is refused ----------------------------------------


def _member_post(**overrides):
    data = {
        "name": "新党员",
        "gender": "F",
        "ethnicity": "蒙古族",
        "birth_date": "1990-05-06",
        "joined_on": "2015-07-01",
        "status": "full",
        "full_member_on": "2016-07-01",
        "education": "大专",
        "phone": "13900000000",
        "is_mobile": "on",
        "mobile_location": "通辽",
    }
    data.update(overrides)
    return data


def test_member_create_secretary_only(client_for, world):
    url = reverse("member_create")
    for refused in ("committee", "member", "township"):
        c = client_for(world.users[refused])
        assert c.get(url).status_code == 403
        assert c.post(url, _member_post()).status_code == 403
    assert not Member.objects.filter(name="新党员").exists()
    c = client_for(world.users["secretary"])
    assert c.get(url).status_code == 200
    r = c.post(url, _member_post())
    created = Member.objects.get(name="新党员")
    assert r.url == created.get_absolute_url()
    assert (created.branch, created.is_mobile, created.mobile_location) == (world.branch, True, "通辽")


def test_member_create_shows_service_errors_and_saves_nothing(client_for, world):
    c = client_for(world.users["secretary"])
    r = c.post(reverse("member_create"), _member_post(joined_on="1980-01-01"))
    assert r.status_code == 200
    assertContains(r, "入党日期必须晚于出生日期")
    r = c.post(reverse("member_create"), _member_post(is_mobile="", status="probationary"))
    assertContains(r, "预备党员不应填写转正日期")
    assertContains(r, "只有流动党员填写流动所在地")
    assert not Member.objects.filter(name="新党员").exists()


def test_member_create_duplicate_name_and_birth_date_refused(client_for, world):
    existing = world.members[1]
    c = client_for(world.users["secretary"])
    r = c.post(
        reverse("member_create"),
        _member_post(name=existing.name, birth_date=existing.birth_date.isoformat(), joined_on="2015-07-01"),
    )
    assert r.status_code == 200
    assert Member.objects.filter(name=existing.name).count() == 1


def test_member_edit_secretary_only(client_for, world, other_world):
    target = world.members[1]
    url = reverse("member_edit", args=[target.pk])
    assert client_for(world.users["committee"]).post(url, _member_post(name="改名")).status_code == 403
    assert client_for(world.users["member"]).get(url).status_code == 404  # another person's record
    own = reverse("member_edit", args=[world.members[0].pk])
    assert client_for(world.users["member"]).get(own).status_code == 403  # their own: read only
    other = reverse("member_edit", args=[other_world.members[1].pk])
    c = client_for(world.users["secretary"])
    assert c.get(other).status_code == 404
    assert c.get(url).status_code == 200
    r = c.post(url, _member_post(name="改名"))
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.name == "改名"


def test_member_leave_page_marks_and_keeps(client_for, world):
    target = world.members[2]
    url = reverse("member_leave", args=[target.pk])
    assert (
        client_for(world.users["committee"]).post(url, {"reason": "deceased", "on": "2018-10-01"}).status_code
        == 403
    )
    target.refresh_from_db()
    assert target.left_on is None
    c = client_for(world.users["secretary"])
    r = c.post(url, {"reason": "transferred", "on": "2018-10-01"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert (target.left_reason, target.left_on) == ("transferred", date(2018, 10, 1))
    r = c.get(reverse("member_list"))
    assertNotContains(r, target.name + "</a>")
    assertContains(r, "已转出或去世 1 人")
    r = c.get(reverse("member_list"), {"left": "1"})
    assertContains(r, target.name + "</a>")
    assertContains(r, "2018年10月转出")
    r = c.post(url, {"reason": "transferred", "on": "2018-10-02"})
    assertContains(r, "该党员已于")


def test_member_detail_actions_only_for_the_secretary(client_for, world):
    url = reverse("member_detail", args=[world.members[1].pk])
    assertContains(client_for(world.users["secretary"]).get(url), "转出或去世")
    r = client_for(world.users["committee"]).get(url)
    assert r.status_code == 200
    assertNotContains(r, "修改信息")


@pytest.mark.parametrize("size", [5, 50])
def test_member_detail_query_count_constant(client_for, django_assert_num_queries, size):
    w = factories.world(members=size)
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(8):
        assert c.get(reverse("member_detail", args=[w.members[-1].pk])).status_code == 200


# Excel on the web ---------------------------------------------------------------------------------------------------


def test_template_and_export_for_staff_refused_for_member(client_for, world):
    for name in ("roster_template", "roster_export"):
        for allowed in ("secretary", "committee"):
            r = client_for(world.users[allowed]).get(reverse(name))
            assert r.status_code == 200
            assert r["Content-Type"] == XLSX_CONTENT_TYPE
        assert client_for(world.users["member"]).get(reverse(name)).status_code == 403
        assert client_for(world.users["township"]).get(reverse(name)).status_code == 403


def test_export_button_downloads_the_roster(client_for, world, other_world):
    r = client_for(world.users["secretary"]).get(reverse("roster_export"))
    rows = list(
        load_workbook_safely(b"".join(r.streaming_content) if r.streaming else r.content).active.values
    )
    names = {row[0] for row in rows[1:]}
    assert names == {m.name for m in world.everyone}
    assert not names & {m.name for m in other_world.everyone}
    assertContains(client_for(world.users["secretary"]).get(reverse("member_list")), reverse("roster_export"))


@pytest.mark.parametrize("size", [5, 50])
def test_export_query_count_constant(client_for, django_assert_num_queries, size):
    w = factories.world(members=size)
    c = client_for(w.users["secretary"])
    # the login's cycles, and the cycle's 星级/积分 (R5.3) in one query
    with django_assert_num_queries(10):
        assert c.get(reverse("roster_export")).status_code == 200


def _upload(rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    return SimpleUploadedFile("名册.xlsx", workbook_bytes(wb), content_type=XLSX_CONTENT_TYPE)


def test_import_upload_secretary_only(client_for, world):
    rows = [["姓名", "性别", "出生日期", "入党日期"], ["导入的人", "男", "1970.01", "1995.07"]]
    url = reverse("roster_import")
    assert client_for(world.users["committee"]).post(url, {"file": _upload(rows)}).status_code == 403
    assert client_for(world.users["member"]).get(url).status_code == 403
    assert not Member.objects.filter(name="导入的人").exists()
    c = client_for(world.users["secretary"])
    assert c.get(url).status_code == 200
    r = c.post(url, {"file": _upload(rows)}, follow=True)
    assertContains(r, "新增党员 1 人")
    assert Member.objects.get(name="导入的人").branch == world.branch


def test_import_upload_with_a_bad_row_lists_it_and_writes_nothing(client_for, world):
    before = Member.objects.count()
    rows = [
        ["姓名", "性别", "出生日期", "入党日期"],
        ["好人", "男", "1970.01", "1995.07"],
        ["坏人", "男", "1970.01", "19"],
    ]
    r = client_for(world.users["secretary"]).post(reverse("roster_import"), {"file": _upload(rows)})
    assert r.status_code == 400
    assertContains(r, "第 3 行，「入党日期」：无法识别日期「19」", status_code=400)
    assert Member.objects.count() == before


def test_import_upload_not_xlsx_refused(client_for, world):
    bogus = SimpleUploadedFile("名册.xlsx", b"\xd0\xcf\x11\xe0 old xls", content_type=XLSX_CONTENT_TYPE)
    r = client_for(world.users["secretary"]).post(reverse("roster_import"), {"file": bogus})
    assertContains(r, "不是 Excel（.xlsx）文件", status_code=400)


@pytest.mark.parametrize(
    "upload, message",
    [
        (lambda: SimpleUploadedFile("名册.xlsx", b"", content_type=XLSX_CONTENT_TYPE), "所提交的是空文件"),
        (lambda: _upload([["姓名", "性别", "出生日期", "入党日期"]]), "表头下没有党员数据"),
        (lambda: "", "这个字段是必填项"),
    ],
    ids=["empty-file", "header-only", "no-file"],
)
def test_import_upload_empty_roster_refused_with_400_like_every_refusal(client_for, world, upload, message):
    before = Member.objects.count()
    r = client_for(world.users["secretary"]).post(reverse("roster_import"), {"file": upload()})
    assertContains(r, message, status_code=400)
    assert Member.objects.count() == before


# Branch page and committee posts ------------------------------------------------------------------------------------


def test_branch_page_for_its_people_and_township(client_for, world, other_world):
    url = reverse("branch_detail", args=[world.branch.pk])
    for allowed in ("secretary", "committee", "township"):
        assertContains(client_for(world.users[allowed]).get(url), "支部委员会")
    assert client_for(world.users["member"]).get(url).status_code == 404
    assert client_for(other_world.users["township"]).get(url).status_code == 404
    assertContains(client_for(world.users["secretary"]).get(reverse("member_list")), url)


def test_branch_page_shows_committee_warning(client_for, db):
    """7 full members and a committee of 3 fits; with only the secretary left it does not (支部工作条例)."""
    w = factories.world(members=5)
    c = client_for(w.users["secretary"])
    url = reverse("branch_detail", args=[w.branch.pk])
    assertNotContains(c.get(url), "应设支部委员会")
    for post in CommitteePost.objects.filter(branch=w.branch).exclude(post=CommitteePost.Post.SECRETARY):
        services.post_end(post=post, on=date(2017, 1, 1))
    assertContains(c.get(url), "正式党员 8 人（7 人以上）应设支部委员会 3–5 人，现有 1 人")
    assertContains(c.get(reverse("post_list", args=[w.branch.pk])), "应设支部委员会 3–5 人，现有 1 人")


def test_posts_page_read_for_committee_and_township_write_for_secretary(client_for, world):
    url = reverse("post_list", args=[world.branch.pk])
    candidate = world.members[1]
    data = {"member": candidate.pk, "post": "discipline", "term_start": "2016-11-01"}
    for reader in ("committee", "township"):
        c = client_for(world.users[reader])
        r = c.get(url)
        assertContains(r, "组织委员")
        assertNotContains(r, "任命支委职务")
        assert c.post(url, data).status_code == 403
    assert client_for(world.users["member"]).get(url).status_code == 404
    assert not CommitteePost.objects.filter(member=candidate).exists()
    c = client_for(world.users["secretary"])
    assertContains(c.get(url), "任命支委职务")
    assert c.post(url, data).status_code == 302
    assert CommitteePost.objects.get(member=candidate).post == "discipline"
    r = c.post(url, {"member": world.members[2].pk, "post": "discipline", "term_start": "2017-01-01"})
    assertContains(r, "本支部已有在任纪检委员")


def test_end_a_term_secretary_only(client_for, world):
    post = CommitteePost.objects.get(branch=world.branch, post=CommitteePost.Post.PUBLICITY)
    url = reverse("post_end", args=[post.pk])
    assert client_for(world.users["committee"]).post(url, {"on": "2018-06-30"}).status_code == 403
    assert client_for(world.users["secretary"]).get(url).status_code == 405
    post.refresh_from_db()
    assert post.term_end is None
    r = client_for(world.users["secretary"]).post(url, {"on": "2018-06-30"})
    assert r.url == reverse("post_list", args=[world.branch.pk])
    post.refresh_from_db()
    assert post.term_end == date(2018, 6, 30)


@pytest.mark.parametrize("size", [5, 50])
def test_posts_and_branch_pages_query_count_constant(client_for, django_assert_num_queries, size):
    w = factories.world(members=size)
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(12):
        assert c.get(reverse("post_list", args=[w.branch.pk])).status_code == 200
    with django_assert_num_queries(10):  # the branch with its township and banner in one query
        assert c.get(reverse("branch_detail", args=[w.branch.pk])).status_code == 200
