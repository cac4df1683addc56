import re
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from appraisal import services
from appraisal.models import BallotSheet, Grade, GradeChoice, Tally
from branch.xlsx import load_workbook_safely
from tests import factories
from tests.appraisal import helpers as h

pytestmark = pytest.mark.django_db
G = GradeChoice


def _open_tally(world, cycle, n=3):
    h.meeting(world, cycle)
    h.self_mutual_all(world, cycle)
    return services.tally_open(cycle=cycle, branch=world.branch, issued=n, returned=n, invalid=0)


def test_teller_enters_a_ballot_a_member_cannot_R5_3(client_for, cycle, world):
    """Committee members (tellers) and the secretary enter ballots; a member and the township are refused."""
    tally = _open_tally(world, cycle)
    a, b = world.members[0], world.members[1]
    data = {
        f"m{a.pk}": G.EXCELLENT,
        f"n{a.pk}": "",
        f"m{b.pk}": G.BASIC,
        f"n{b.pk}": "党费未按时交",
        "committee_mark": "satisfied",
    }
    assert client_for(world.users["member"]).post(reverse("appraisal_ballot"), data).status_code == 403
    assert client_for(world.users["township"]).post(reverse("appraisal_ballot"), data).status_code == 403
    assert not tally.sheets.exists()
    r = client_for(world.users["committee"]).post(reverse("appraisal_ballot"), data, follow=True)
    assert "已录入第 1 张，共 3 张有效票" in r.content.decode()
    sheet = BallotSheet.objects.get()
    assert {(m.member_id, m.grade, m.note) for m in sheet.marks.all()} == {
        (a.pk, G.EXCELLENT, ""),
        (b.pk, G.BASIC, "党费未按时交"),
    }


def test_tally_counts_that_do_not_add_up_show_a_message_and_save_nothing_R5_3(client_for, cycle, world):
    h.meeting(world, cycle, present=world.everyone[:4])
    h.self_mutual_all(world, cycle)
    c = client_for(world.users["secretary"])
    r = c.post(reverse("appraisal_tally"), {"issued": 6, "returned": 6, "invalid": 0, "mode": "ballots"})
    assert "发出票数 6 张，超过到会党员 4 人" in r.content.decode()
    assert not Tally.objects.exists()
    r = c.post(reverse("appraisal_tally"), {"issued": 4, "returned": 4, "invalid": 1, "mode": "ballots"})
    assert r.status_code == 302 and Tally.objects.get().valid == 3


def test_totals_over_valid_are_refused_on_the_page_R5_3(client_for, cycle, world):
    h.meeting(world, cycle)
    h.self_mutual_all(world, cycle)
    services.tally_open(cycle=cycle, branch=world.branch, issued=3, returned=3, invalid=0, mode="totals")
    data = {"satisfied": 3, "basic": 0, "unsatisfied": 0}
    for m in h.rated(world):
        data.update(
            {f"excellent_{m.pk}": 1, f"qualified_{m.pk}": 2, f"basic_{m.pk}": 0, f"unqualified_{m.pk}": 0}
        )
    data[f"basic_{world.members[0].pk}"] = 1
    r = client_for(world.users["committee"]).post(reverse("appraisal_totals"), data)
    assert "得票合计 4 超过有效票数 3" in r.content.decode()
    assert not Tally.objects.get().totals.exists()


def test_grade_form_refuses_the_seventh_excellent_with_the_numbers_R5_5(client_for, cycle):
    w = factories.world(members=15)
    h.tally_by_ballots(w, cycle)
    full = h.rated(w)
    for m in full[:6]:
        h.grade(m, cycle, G.EXCELLENT)
    c = client_for(w.users["secretary"])
    url = reverse("appraisal_grade_edit", args=[full[6].pk])
    r = c.post(url, {"grade": G.EXCELLENT, "opinion": "工作突出", "decided_on": "2019-01-20"})
    assert "参评正式党员 18 人，优秀最多 6 人" in r.content.decode()
    assert "优秀已满，不能再评为优秀" in r.content.decode()
    assert full[0].name in r.content.decode().split("优秀已满")[1]
    assert not Grade.objects.filter(member=full[6]).exists()
    r = c.post(url, {"grade": G.QUALIFIED, "opinion": "工作踏实", "decided_on": "2019-01-20"})
    assert r.status_code == 302 and Grade.objects.get(member=full[6]).grade == G.QUALIFIED


def test_probationary_member_has_no_grade_page_R5_8(client_for, cycle):
    w = factories.world(members=2, probationary=1)
    h.tally_by_ballots(w, cycle)
    c = client_for(w.users["secretary"])
    assert c.get(reverse("appraisal_grade_edit", args=[w.members[0].pk])).status_code == 200
    assert c.get(reverse("appraisal_grade_edit", args=[w.members[-1].pk])).status_code == 403
    assert w.members[-1].name not in c.get(reverse("appraisal_grades")).content.decode()


def test_grade_history_visible_to_township_not_to_another_R5_4(client_for, cycle, world, other_world):
    h.tally_by_ballots(world, cycle)
    m = world.members[0]
    c = client_for(world.users["secretary"])
    c.post(
        reverse("appraisal_grade_edit", args=[m.pk]),
        {"grade": G.BASIC, "opinion": "不积极", "decided_on": "2019-01-20"},
    )
    c.post(
        reverse("appraisal_grade_edit", args=[m.pk]),
        {"grade": G.QUALIFIED, "opinion": "尚可", "decided_on": "2019-01-20"},
    )
    url = reverse("appraisal_grade_history", args=[m.pk])
    body = client_for(world.users["township"]).get(url).content.decode()
    assert "基本合格" in body and "合格" in body and world.users["secretary"].username in body
    assert client_for(other_world.users["township"]).get(url).status_code == 404


def test_feedback_page_before_a_grade_shows_the_refusal_R5_6(client_for, cycle, world):
    h.tally_by_ballots(world, cycle)
    m = world.members[0]
    url = reverse("appraisal_feedback", args=[m.pk])
    data = {"given_on": "2019-01-25", "means": "face", "by": world.secretary.pk}
    r = client_for(world.users["secretary"]).post(url, data)
    assert "尚未评定，不能反馈" in r.content.decode()
    h.grade(m, cycle)
    assert client_for(world.users["secretary"]).post(url, data).status_code == 302
    assert Grade.objects.get(member=m).feedback.given_on == date(2019, 1, 25)


def test_me_shows_own_result_after_feedback_and_nothing_of_others_R5_6(client_for, cycle, world):
    h.tally_by_ballots(world, cycle)
    me, other = world.members[0], world.members[1]
    mine = h.grade(me, cycle, G.QUALIFIED, opinion="按时参加组织生活")
    theirs = h.grade(other, cycle, G.BASIC, opinion="党费未按时交纳")
    services.feedback_record(grade=theirs, given_on=date(2019, 1, 25), means="face", by=world.secretary)
    c = client_for(world.users["member"])
    assert "按时参加组织生活" not in c.get("/2018/me/").content.decode()  # not yet fed back
    services.feedback_record(grade=mine, given_on=date(2019, 1, 26), means="face", by=world.secretary)
    services.follow_up_record(grade=mine, strengths="热心公益", hopes="多为群众办实事")
    body = c.get("/2018/me/").content.decode()
    assert "按时参加组织生活" in body and "多为群众办实事" in body
    assert "党费未按时交纳" not in body and other.name not in body


@pytest.mark.parametrize(
    "name", ["appraisal_export_tally", "appraisal_export_results", "appraisal_grades", "appraisal_tally"]
)
def test_exports_and_pages_refuse_members_and_other_townships(client_for, cycle, world, other_world, name):
    """A member gets no branch data; a reviewer reads their township's branch, another township's is a 404."""
    h.tally_by_ballots(world, cycle)
    url = reverse(name)
    assert client_for(world.users["secretary"]).get(url).status_code == 200
    assert client_for(world.users["township"]).get(url, {"branch": world.branch.pk}).status_code == 200
    assert client_for(world.users["member"]).get(url).status_code == 403
    assert client_for(other_world.users["township"]).get(url, {"branch": world.branch.pk}).status_code == 404
    assert client_for(other_world.users["secretary"]).get(url).status_code == 200  # their own branch only
    assert (
        world.members[1].name
        not in client_for(other_world.users["secretary"]).get(reverse("appraisal_grades")).content.decode()
    )


def test_member_refused_on_others_grade_pages(client_for, cycle, world):
    h.tally_by_ballots(world, cycle)
    h.grade(world.members[1], cycle)
    url = reverse("appraisal_grade_history", args=[world.members[1].pk])
    assert client_for(world.users["secretary"]).get(url).status_code == 200
    assert client_for(world.users["member"]).get(url).status_code == 404
    assert client_for(world.users["member"]).get(reverse("appraisal_ballot_pdf")).status_code == 403


def test_tally_export_reads_back_with_totals_and_shares_R5_3(client_for, cycle, world):
    h.tally_by_ballots(world, cycle, ballots=4, grade=G.EXCELLENT)
    r = client_for(world.users["secretary"]).get(reverse("appraisal_export_tally"))
    ws = load_workbook_safely(r.content)["民主测评统计表"]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert rows[1][0] == "发出 4 张，收回 4 张，有效 4 张，无效 0 张"
    body = {row[1]: row for row in rows[3:] if row[0] not in (None, "合计")}
    m = world.members[0]
    assert body[m.name][2:4] == [4, 100.0]
    total = next(row for row in rows if row[0] == "合计")
    assert total[2] == 4 * len(h.rated(world)) and total[3] == 100.0


def test_results_export_reads_back_with_grade_shares_R5_4_R5_6(client_for, cycle, world):
    h.tally_by_ballots(world, cycle)
    full = h.rated(world)  # 8
    for i, m in enumerate(full):
        g = h.grade(m, cycle, G.EXCELLENT if i < 2 else G.QUALIFIED, opinion=f"意见{i}")
        if i == 0:
            services.feedback_record(grade=g, given_on=date(2019, 1, 25), means="face", by=world.secretary)
    r = client_for(world.users["secretary"]).get(reverse("appraisal_export_results"))
    rows = [
        list(row) for row in load_workbook_safely(r.content)["评议结果汇总表"].iter_rows(values_only=True)
    ]
    first = next(row for row in rows if row[1] == full[0].name)
    assert first[2:6] == ["优秀", "意见0", "2019-01-20", "2019-01-25"]
    shares = {row[0]: (row[1], row[2]) for row in rows if row[0] in ("优秀", "合格", "未评定")}
    assert shares == {"优秀": (2, 25.0), "合格": (6, 75.0), "未评定": (0, 0.0)}


def test_ballot_pdf_lists_full_members_not_probationary_one_page_per_copy_R5_3_R5_8(client_for, cycle):
    w = factories.world(members=3, probationary=1)
    h.meeting(w, cycle)
    r = client_for(w.users["committee"]).get(reverse("appraisal_ballot_pdf"), {"copies": 3})
    assert r["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout
    text = text.decode()
    assert text.count("民主评议党员测评票") == 3
    # generated names end in a counter ("王林1", "王林12"): a name is whole when no digit follows it
    for m in h.rated(w):
        assert re.search(rf"{m.name}(?!\d)", text), m.name
    assert not re.search(rf"{w.members[-1].name}(?!\d)", text)
    for word in ("优秀", "基本合格", "不合格", "存在问题", "对党支部委员会的评价", "基本满意", "不满意"):
        assert word in text
    fonts = subprocess.run(
        ["pdffonts", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    assert "CJK" in fonts


@pytest.mark.parametrize("size", [5, 50])
def test_grading_page_query_count_constant_R5_4(client_for, cycle, django_assert_num_queries, size):
    w = factories.world(members=size)
    h.tally_by_ballots(w, cycle, ballots=3)
    for m in h.rated(w)[:3]:
        g = h.grade(m, cycle)
        services.feedback_record(grade=g, given_on=date(2019, 1, 25), means="face", by=w.secretary)
        services.follow_up_record(grade=g, hopes="多为群众办实事")
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(19):
        r = c.get(reverse("appraisal_grades"))
    assert r.status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_tally_and_ballot_pages_query_count_constant_R5_3(client_for, cycle, django_assert_num_queries, size):
    w = factories.world(members=size)
    h.tally_by_ballots(w, cycle, ballots=3)
    c = client_for(w.users["committee"])
    with django_assert_num_queries(15):
        assert c.get(reverse("appraisal_tally")).status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_ballot_entry_page_query_count_constant_R5_3(client_for, cycle, django_assert_num_queries, size):
    w = factories.world(members=size)
    _open_tally(w, cycle)
    c = client_for(w.users["committee"])
    with django_assert_num_queries(12):
        assert c.get(reverse("appraisal_ballot")).status_code == 200


def test_ballot_grades_are_toggle_buttons_with_a_running_count_R5_3(client_for, cycle, world):
    """Each grade is a `btn-check` radio with its button label, so the chosen one lights up; the count is shown."""
    import re

    _open_tally(world, cycle)
    m = world.members[0]
    body = client_for(world.users["committee"]).get(reverse("appraisal_ballot")).content.decode()
    for value in ("", *G.values):
        radio = re.search(rf'<input type="radio" name="m{m.pk}" value="{value}"[^>]*>', body).group(0)
        assert 'class="btn-check"' in radio, radio
        assert '<label class="btn btn-outline-primary' in body[body.index(radio) + len(radio) :][:40]
    assert 'name="committee_mark" value="satisfied" class="btn-check"' in body
    assert "已录入 <strong>0</strong> / 收回 <strong>3</strong> 张" in body


def test_last_valid_ballot_shows_all_entered_and_a_further_one_is_refused_aloud_R5_3(
    client_for, cycle, world
):
    """After the 3rd of 3 valid ballots: "已全部录入", no ballot form; a 4th post says why and saves nothing."""
    tally = _open_tally(world, cycle)
    c = client_for(world.users["committee"])
    for _ in range(2):
        c.post(reverse("appraisal_ballot"), _ballot(world))
    body = c.get(reverse("appraisal_ballot")).content.decode()
    assert "已全部录入" not in body and 'id="ballot"' in body
    r = c.post(reverse("appraisal_ballot"), _ballot(world), follow=True)
    body = r.content.decode()
    assert "已全部录入" in body and 'id="ballot"' not in body
    assert "已录入 <strong>3</strong> / 收回 <strong>3</strong> 张" in body
    r = c.post(reverse("appraisal_ballot"), _ballot(world), follow=True)
    assert "有效票 3 张已全部录入，本张未保存" in r.content.decode()
    assert tally.sheets.count() == 3


def _ballot(world, grade=G.QUALIFIED, committee="satisfied"):
    data = {"committee_mark": committee}
    for m in h.rated(world):
        data[f"m{m.pk}"] = grade
        data[f"n{m.pk}"] = ""
    return data


def test_ballots_leave_no_history_row_no_user_no_time_and_no_order_R5_3(client_for, cycle):
    """Entering ballots writes no history row (no login, no time per ballot); ids do not follow entry order.

    Before: every ballot saved the tally, and HistoricalTally kept "对支委会满意 29 → 30" with the teller and a
    microsecond time; sheets and marks were numbered in entry order. Closing the count keeps one history row.
    """
    from appraisal.models import BallotMark

    n = 20
    world = factories.world(members=18)  # 20 present with the secretary and committee
    tally = _open_tally(world, cycle, n=n)
    history = Tally.history.filter(id=tally.pk)
    before = history.count()
    c = client_for(world.users["committee"])
    entered = []
    for i in range(n):
        committee = ("satisfied", "basic", "unsatisfied")[i % 3]
        assert c.post(reverse("appraisal_ballot"), _ballot(world, committee=committee)).status_code == 302
        entered.append(BallotSheet.objects.exclude(pk__in=entered).get().pk)
    assert history.count() == before
    tally.refresh_from_db()
    assert (tally.committee_satisfied, tally.committee_basic, tally.committee_unsatisfied) == (7, 7, 6)

    # Ids carry no order: neither the sheets' nor the marks' (20 random ids come out sorted once in 20! tries).
    assert entered != sorted(entered) and entered != sorted(entered, reverse=True)
    marks = list(
        BallotMark.objects.filter(sheet_id__in=entered[:1] + entered[-1:]).values_list("pk", flat=True)
    )
    assert len(set(marks)) == len(marks) and max(marks) > 2**40

    services.tally_close(tally=tally)
    assert history.count() == before + 1
    assert history.first().committee_satisfied == 7 and history.first().is_closed


def test_undo_is_remembered_by_the_tellers_browser_not_the_database_R5_3(client_for, cycle, world):
    from django.contrib.sessions.models import Session
    from django.test import Client

    tally = _open_tally(world, cycle, n=3)
    teller = client_for(world.users["committee"])
    teller.post(reverse("appraisal_ballot"), _ballot(world, committee="satisfied"))
    first = BallotSheet.objects.get().pk
    teller.post(reverse("appraisal_ballot"), _ballot(world, committee="unsatisfied"))
    second = BallotSheet.objects.exclude(pk=first).get().pk
    for session in Session.objects.all():
        assert str(second) not in str(session.get_decoded())

    other_browser = Client()
    other_browser.force_login(world.users["committee"])
    r = other_browser.post(reverse("appraisal_ballot_undo"), follow=True)
    assert "本浏览器没有可撤销的测评票" in r.content.decode()
    assert BallotSheet.objects.count() == 2

    r = teller.post(reverse("appraisal_ballot_undo"), follow=True)
    assert "已撤销最后录入的一张测评票" in r.content.decode()
    assert list(BallotSheet.objects.values_list("pk", flat=True)) == [first]
    tally.refresh_from_db()
    assert (tally.committee_satisfied, tally.committee_unsatisfied) == (1, 0)
    teller.post(reverse("appraisal_ballot_undo"))
    assert not BallotSheet.objects.exists()
    r = teller.post(reverse("appraisal_ballot_undo"), follow=True)
    assert "本浏览器没有可撤销的测评票" in r.content.decode()


def test_ballot_notes_show_on_the_tally_page_and_in_the_export_escaped_R5_3(client_for, cycle, world):
    """Issue 13 fault 1: the 存在问题 written on the ballots reach the tally page and tally.xlsx, unattributed."""
    h.meeting(world, cycle)
    h.self_mutual_all(world, cycle)
    members = h.rated(world, cycle)
    tally = services.tally_open(cycle=cycle, branch=world.branch, issued=2, returned=2, invalid=0)
    m = members[0]
    marks = {x.pk: G.QUALIFIED for x in members}
    services.ballot_enter(tally=tally, marks=marks, notes={m.pk: "开会常迟到"}, committee_mark="satisfied")
    services.ballot_enter(tally=tally, marks=marks, notes={m.pk: "=HYPERLINK(1)"}, committee_mark="satisfied")
    services.tally_close(tally=tally)
    c = client_for(world.users["secretary"])
    page = c.get(reverse("appraisal_tally")).content.decode()
    assert "开会常迟到" in page
    ws = load_workbook_safely(c.get(reverse("appraisal_export_tally")).content)["民主测评统计表"]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert rows[2][-1] == "存在问题（测评票所列）"
    at = next(i for i, row in enumerate(rows, 1) if row[1] == m.name)
    cell = ws.cell(row=at, column=len(rows[2]))
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)；开会常迟到", "s")  # text, never a formula
