"""Pages before the meeting, as users see them: who may do what, Chinese messages with nothing saved,
the sign-in sheet PDF, the talk register Excel, and list pages with a constant query count."""

import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branch.xlsx import load_workbook_safely
from meetings.models import Problem, RequiredMaterial, StudyAttendance, StudySession, Talk
from meetings.services import before as services
from tests import factories
from tests.meetings.test_before_services import DAY, full_coverage, record_session, talk

pytestmark = pytest.mark.django_db


def populate(w, cycle):
    """Records in proportion to the branch: one absentee in five (half given the materials), full talk coverage
    with opinions, the committee's problem and one problem per member traced to their talk."""
    absent = {m: "外出务工" for m in w.members[::5]}
    session = record_session(
        w, cycle, absent=absent, materials=list(RequiredMaterial.objects.filter(cycle=cycle))
    )
    for i, m in enumerate(absent):
        if i % 2 == 0:
            services.study_delivery_record(
                attendance=session.attendance.get(member=m),
                delivered_on=DAY,
                method=StudyAttendance.Delivery.WECHAT,
                by=w.committee[0],
            )
    full_coverage(w, cycle)
    Talk.objects.filter(branch=w.branch).update(opinions_on_branch="希望多组织技术培训")
    services.problem_record(cycle=cycle, branch=w.branch, area=Problem.Area.ORG_LIFE, text="组织生活不规范")
    for t in Talk.objects.filter(branch=w.branch, with_member__in=w.members):
        services.problem_from_talk(
            talk=t, member=t.with_member, area=Problem.Area.REAL_WORK, text="参加集体劳动不主动"
        )
    return session


# ---------------------------------------------------------------- R1 study


def test_study_list_for_staff_refused_for_member_R1_2(client_for, world, cycle):
    r = client_for(world.users["secretary"]).get(reverse("study_list"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "《中国共产党纪律处分条例》" in body and "尚未学习" in body and "依据工作方案 R1.2" in body
    assert client_for(world.users["member"]).get(reverse("study_list")).status_code == 403


def _study_post(w, *, absent=(), reasons=None, materials=()):
    data = {
        "held_on": "2018-12-03",
        "form": StudySession.Form.SEMINAR,
        "place": "村部",
        "leader": w.secretary.pk,
    }
    data["materials"] = [m.pk for m in materials]
    for m in w.everyone:
        if m not in absent:
            data[f"present_{m.pk}"] = "on"
        data[f"reason_{m.pk}"] = (reasons or {}).get(m, "")
    return data


def test_study_create_by_ticking_the_roster_R1_1_R1_3(client_for, world, cycle):
    c = client_for(world.users["committee"])
    r = c.get(reverse("study_create"))
    assert r.status_code == 200
    assert all(m.name in r.content.decode() for m in world.everyone)
    absentee = world.members[0]
    materials = list(RequiredMaterial.objects.filter(cycle=cycle)[:2])
    r = c.post(
        reverse("study_create"),
        _study_post(world, absent=[absentee], reasons={absentee: "外出务工"}, materials=materials),
    )
    session = StudySession.objects.get()
    assert r.status_code == 302 and r.url == reverse("study_detail", args=[session.pk])
    assert list(session.materials.all()) == materials
    assert session.attendance.get(member=absentee).absence_reason == "外出务工"
    assert session.attendance.filter(present=True).count() == len(world.everyone) - 1
    r = c.get(reverse("study_list"))
    assert "未送学" in r.content.decode() and absentee.name in r.content.decode()


def test_study_create_without_attendee_shows_chinese_message_nothing_saved_R1_1(client_for, world, cycle):
    c = client_for(world.users["secretary"])
    material = RequiredMaterial.objects.filter(cycle=cycle)[:1]
    r = c.post(
        reverse("study_create"),
        _study_post(
            world, absent=world.everyone, reasons={m: "外出" for m in world.everyone}, materials=material
        ),
    )
    assert r.status_code == 200
    assert "集中学习至少要有一名党员出席" in r.content.decode()
    r = c.post(reverse("study_create"), _study_post(world, absent=[world.members[1]], materials=material))
    assert "缺席须写明原因" in r.content.decode()
    assert StudySession.objects.count() == 0
    assert StudyAttendance.objects.count() == 0


def test_delivery_recorded_for_absentee_other_branch_404_R1_3(client_for, world, other_world, cycle):
    session = record_session(world, cycle, absent={world.members[0]: "外出"})
    row = session.attendance.get(member=world.members[0])
    url = reverse("study_delivery_create", args=[row.pk])
    assert client_for(other_world.users["secretary"]).get(url).status_code == 404
    c = client_for(world.users["committee"])
    r = c.post(
        url, {"delivered_on": "2018-12-04", "delivery_method": "home", "delivered_by": world.committee[0].pk}
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.delivery_method == StudyAttendance.Delivery.HOME and row.delivered_by == world.committee[0]
    assert "送学上门" in c.get(reverse("study_detail", args=[session.pk])).content.decode()


def test_signin_sheet_pdf_lists_members_with_blank_rows_R1_3(client_for, world, cycle):
    session = record_session(world, cycle)
    url = reverse("study_signin_pdf", args=[session.pk])
    assert client_for(factories.world().users["secretary"]).get(url).status_code == 404
    r = client_for(world.users["secretary"]).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout
    text = text.decode()
    assert "集中学习签到表" in text and world.branch.name in text
    assert all(m.name in text for m in world.everyone)
    assert f"应到 {len(world.everyone)} 人" in text
    fonts = subprocess.run(
        ["pdffonts", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all("yes" in line.split()[-5:-2] for line in cjk)  # embedded, subset


# ---------------------------------------------------------------- R2 talks


def _talk_post(by, with_, held_on="2018-12-03", **extra):
    return {"by": by.pk, "with_member": with_.pk, "held_on": held_on, "means": "face", **extra}


def test_committee_member_records_own_talk_only_secretary_for_others_R2_1(client_for, world, cycle):
    url = reverse("talk_create")
    committee = client_for(world.users["committee"])
    r = committee.post(url, _talk_post(world.committee[1], world.members[0]))
    assert r.status_code == 403
    assert Talk.objects.count() == 0
    r = committee.post(url, _talk_post(world.committee[0], world.members[0], opinions_on_branch="多组织培训"))
    assert r.status_code == 302 and r.url == reverse("talk_coverage")
    t = Talk.objects.get()
    assert (t.by, t.recorded_by, t.opinions_on_branch) == (
        world.committee[0],
        world.users["committee"],
        "多组织培训",
    )
    secretary = client_for(world.users["secretary"])
    r = secretary.post(url, _talk_post(world.committee[1], world.members[1]))
    assert r.status_code == 302
    assert Talk.objects.filter(by=world.committee[1], recorded_by=world.users["secretary"]).count() == 1
    assert client_for(world.users["member"]).get(url).status_code == 403


def test_talk_bad_input_shows_chinese_message_nothing_saved_R2_1(client_for, world, cycle):
    c = client_for(world.users["secretary"])
    url = reverse("talk_create")
    assert c.post(url, _talk_post(world.secretary, world.members[0])).status_code == 302
    cases = [
        (
            _talk_post(world.members[0], world.members[0]),
            "选择一个有效的选项",
        ),  # not on the committee: not offered
        (_talk_post(world.secretary, world.secretary), "不能与本人谈心谈话"),
        (_talk_post(world.secretary, world.members[0]), "当天的谈话已经登记过"),
        (_talk_post(world.secretary, world.members[1], held_on="2019-03-21"), "日期须在本年度组织生活会期间"),
    ]
    for data, message in cases:
        r = c.post(url, data)
        assert r.status_code == 200
        assert message in r.content.decode(), message
    assert Talk.objects.count() == 1


def test_talk_form_prefilled_from_missing_item_R2_3(client_for, world, cycle):
    focus = factories.member(world.branch, is_health_issue=True)
    c = client_for(world.users["secretary"])
    r = c.get(reverse("talk_coverage"))
    body = r.content.decode()
    assert f"重点党员{focus.name}（身心健康存在问题）尚未与书记谈话" in body
    link = f"{reverse('talk_create')}?with={focus.pk}&amp;by={world.secretary.pk}"
    assert link in body
    r = c.get(link.replace("&amp;", "&"))
    form = r.context["form"]
    assert str(form["with_member"].value()) == str(focus.pk)
    assert str(form["by"].value()) == str(world.secretary.pk)


def test_coverage_page_names_exactly_who_is_missing_R2_1(client_for, world, cycle):
    c = client_for(world.users["committee"])
    full_coverage(world, cycle)
    late = factories.member(world.branch)
    body = c.get(reverse("talk_coverage")).content.decode()
    assert "尚缺的谈话（1）" in body
    assert f"党员{late.name}尚未与任何支委谈话" in body
    assert (
        c.post(reverse("talk_create"), _talk_post(world.committee[0], late, "2018-12-05")).status_code == 302
    )
    body = c.get(reverse("talk_coverage")).content.decode()
    assert "尚缺的谈话（0）" in body and "谈心谈话已全部覆盖" in body
    assert client_for(world.users["member"]).get(reverse("talk_coverage")).status_code == 403


def test_talk_register_excel_reads_back_R2_2(client_for, world, cycle):
    populate(world, cycle)
    t = Talk.objects.filter(with_member=world.members[0]).get()
    Talk.objects.filter(pk=t.pk).update(opinions_on_committee="=HYPERLINK(1)")
    r = client_for(world.users["secretary"]).get(reverse("talk_register_xlsx"))
    assert r.status_code == 200
    ws = load_workbook_safely(r.content)["谈心谈话记录表"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == f"{world.branch.name}2018年度谈心谈话记录表"
    assert rows[1][:4] == ("序号", "谈话日期", "谈话人", "谈话对象")
    data = [row for row in rows[2:] if row[0] is not None]
    assert len(data) == Talk.objects.filter(branch=world.branch).count()
    row = next(row for row in data if row[3] == world.members[0].name)
    assert row[2] == t.by.name and row[7] == "希望多组织技术培训"
    assert row[8] == "=HYPERLINK(1)"  # stored as text, never a formula
    assert row[10] == "参加集体劳动不主动"
    assert client_for(world.users["member"]).get(reverse("talk_register_xlsx")).status_code == 403


# ---------------------------------------------------------------- R3 problems


def test_secretary_records_problems_committee_member_refused_R3_1_R3_2(client_for, world, cycle):
    url = reverse("problem_create")
    assert (
        client_for(world.users["committee"]).post(url, {"area": "c_style", "text": "作风不实"}).status_code
        == 403
    )
    c = client_for(world.users["secretary"])
    assert c.post(url, {"member": "", "area": "c_style", "text": "作风不实"}).status_code == 302
    m = world.members[2]
    r = c.post(url, {"member": m.pk, "area": "c_style", "text": "作风不实"})
    assert "党员的问题须属于工作方案R3.2所列方面之一" in r.content.decode()
    assert c.post(url, {"member": m.pk, "area": "m_discipline", "text": "开会迟到"}).status_code == 302
    assert [(p.member, p.area) for p in Problem.objects.order_by("pk")] == [
        (None, "c_style"),
        (m, "m_discipline"),
    ]
    body = c.get(reverse("problem_list")).content.decode()
    assert "作风不实" in body and "开会迟到" in body and "依据工作方案 R3.1" in body


def test_member_records_own_problem_on_me_page_R3_2(client_for, world, cycle):
    member = world.members[0]
    c = client_for(world.users["member"])
    assert "记录我查摆的问题" in c.get(reverse("me")).content.decode()
    r = c.post(
        reverse("my_problem_create"), {"area": "m_study", "text": "学习不系统", "member": world.members[3].pk}
    )
    assert r.status_code == 302
    p = Problem.objects.get()
    assert p.member == member  # always the member themself, whatever is posted
    assert "学习不系统" in c.get(reverse("me")).content.decode()
    r = c.post(reverse("my_problem_create"), {"area": "c_style", "text": "x"})
    assert r.status_code == 200 and Problem.objects.count() == 1
    # The page is the member's own: a login without a member record is refused.
    assert client_for(world.users["township"]).get(reverse("my_problem_create")).status_code == 403


def test_turn_talk_opinion_into_problem_R3_3(client_for, world, other_world, cycle):
    t = talk(world, cycle, world.committee[0], world.members[0], opinions_on_branch="组织生活流于形式")
    url = reverse("problem_from_talk", args=[t.pk])
    assert client_for(world.users["committee"]).get(url).status_code == 403
    assert client_for(other_world.users["secretary"]).get(url).status_code == 404
    c = client_for(world.users["secretary"])
    r = c.get(url)
    assert r.context["form"]["text"].value() == "组织生活流于形式"
    r = c.post(url, {"action": "new", "member": "", "area": "c_org_life", "text": "组织生活流于形式"})
    assert r.status_code == 302
    p = Problem.objects.get()
    assert list(p.talks.all()) == [t]
    t2 = talk(world, cycle, world.secretary, world.members[1], opinions_on_branch="三会一课不规范")
    r = c.post(reverse("problem_from_talk", args=[t2.pk]), {"action": "link", "problem": p.pk})
    assert r.status_code == 302
    assert set(p.talks.all()) == {t, t2}
    body = c.get(reverse("problem_list")).content.decode()
    assert world.members[1].name in body and "组织生活流于形式" in body


# ---------------------------------------------------------------- query counts


LIST_PAGES = [
    ("study_list", 13),
    ("talk_list", 10),
    (
        "talk_coverage",
        13,
    ),  # 12 before issue 11, +1: the cycle's roster reads BranchCycle.roster_fixed_on first
    ("talk_register_xlsx", 10),
    ("problem_list", 12),  # 11 before issue 11, +1: the same
]


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize(("page", "queries"), LIST_PAGES)
def test_list_pages_query_count_constant(client_for, django_assert_num_queries, cycle, size, page, queries):
    w = factories.world(members=size)
    session = populate(w, cycle)
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(queries):
        r = c.get(reverse(page))
    assert r.status_code == 200
    if page == "talk_coverage":
        assert "谈心谈话已全部覆盖" in r.content.decode()
    assert session.pk


@pytest.mark.parametrize("size", [5, 50])
def test_study_detail_query_count_constant(client_for, django_assert_num_queries, cycle, size):
    w = factories.world(members=size)
    session = populate(w, cycle)
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(11):
        assert c.get(reverse("study_detail", args=[session.pk])).status_code == 200


def test_me_page_query_count_same_for_5_and_50_members_R3_2(client_for, cycle):
    """/2018/me/ is shared by every step; what this step adds (my problems) must not grow with the branch."""
    counts = []
    for size in (5, 50):
        w = factories.world(members=size)
        populate(w, cycle)
        c = client_for(w.users["member"])
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(reverse("me"))
        assert "参加集体劳动不主动" in r.content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- admin


def test_admin_township_reviewer_reads_own_township_only(client_for, world, other_world, cycle):
    own = talk(world, cycle, world.committee[0], world.members[0])
    foreign = talk(other_world, cycle, other_world.committee[0], other_world.members[0])
    c = client_for(world.users["township"])
    r = c.get(reverse("admin:meetings_talk_changelist"))
    assert r.status_code == 200
    assert world.members[0].name in r.content.decode()
    assert other_world.members[0].name not in r.content.decode()
    assert c.get(reverse("admin:meetings_talk_change", args=[own.pk])).status_code == 200
    assert c.get(reverse("admin:meetings_talk_change", args=[foreign.pk])).status_code == 404
    assert c.get(reverse("admin:meetings_talk_history", args=[own.pk])).status_code == 200
    assert c.get(reverse("admin:meetings_talk_history", args=[foreign.pk])).status_code == 404
    assert (
        client_for(world.users["secretary"]).get(reverse("admin:meetings_talk_changelist")).status_code == 302
    )
