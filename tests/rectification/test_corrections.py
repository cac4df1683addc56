"""Issue 13, every mistake correctable: the secretary edits and deletes rectification records (R6.1–R6.5) entered by
mistake, each kept in the change history with who, when and — where others have seen it — a reason; a closed year
changes nothing; another branch's record is a 404 and a committee member is refused."""

from datetime import date

import pytest
from django.test import Client

from rectification.models import Commitment, Measure, ProgressEntry, Publicity, QuarterlyReport

from .builders import TODAY, close, commit, public_and_filed, rectifying_world, report

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def w(cycle):
    return rectifying_world(cycle, members=2)


def test_secretary_rewords_a_measure_kept_in_history_committee_refused_R6_1(w, cycle):
    m = Measure.objects.get()
    data = {"text": "每月第一个周五召开主题党日", "responsible": w.secretary.pk, "due_on": "2019-07-31"}
    data["problems"] = list(m.problems.values_list("pk", flat=True))
    assert (
        _as(w.users["committee"]).post(f"/2018/rectification/measures/{m.pk}/edit/", data).status_code == 403
    )
    m.refresh_from_db()
    assert m.text == "每月按时召开主题党日"
    r = _as(w.users["secretary"]).post(f"/2018/rectification/measures/{m.pk}/edit/", data)
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.text, m.due_on) == ("每月第一个周五召开主题党日", date(2019, 7, 31))
    last = m.history.first()
    assert last.history_user == w.users["secretary"] and last.history_type == "~"
    page = _as(w.users["secretary"]).get(f"/history/rectification/measure/{m.pk}/").content.decode()
    assert "每月第一个周五召开主题党日" in page


def test_a_measure_made_public_needs_a_reason_to_change_and_the_rules_still_hold_R6_2(w, cycle):
    public_and_filed(w, cycle)
    m = Measure.objects.get()
    c = _as(w.users["secretary"])
    data = {"text": "改后的措施", "responsible": w.secretary.pk, "due_on": "2019-07-31"}
    data["problems"] = list(m.problems.values_list("pk", flat=True))
    page = c.get(f"/2018/rectification/measures/{m.pk}/edit/").content.decode()
    assert "整改措施已向党员群众公开" in page
    r = c.post(f"/2018/rectification/measures/{m.pk}/edit/", data)
    assert r.status_code == 200 and "修改或删除须简要说明理由" in r.content.decode()
    assert Measure.objects.get().text == "每月按时召开主题党日"  # nothing saved
    early = c.post(
        f"/2018/rectification/measures/{m.pk}/edit/", {**data, "due_on": "2018-12-01", "reason": "x"}
    )
    assert "完成时限不能早于" in early.content.decode()
    ok = c.post(f"/2018/rectification/measures/{m.pk}/edit/", {**data, "reason": "镇党委退回后改写"})
    assert ok.status_code == 302
    assert Measure.objects.get().history.first().history_change_reason == "镇党委退回后改写"


def test_deleting_asks_once_in_chinese_then_deletes_with_its_progress_R6_3(w, cycle):
    from rectification import services

    m = Measure.objects.get()
    services.measure_progress(measure=m, done_on=date(2019, 2, 1), text="已排定日程", today=TODAY)
    c = _as(w.users["secretary"])
    ask = c.get(f"/2018/rectification/measures/{m.pk}/delete/")
    body = ask.content.decode()
    assert ask.status_code == 200 and "确定要删除这条整改措施吗？" in body and m.text in body
    assert Measure.objects.exists()  # asking deletes nothing
    assert _as(w.users["committee"]).post(f"/2018/rectification/measures/{m.pk}/delete/").status_code == 403
    assert c.post(f"/2018/rectification/measures/{m.pk}/delete/", {"reason": "录重了"}).status_code == 302
    assert not Measure.objects.exists() and not ProgressEntry.objects.exists()
    gone = Measure.history.filter(id=m.pk).first()
    assert gone.history_type == "-" and gone.history_change_reason == "录重了"
    assert gone.history_user == w.users["secretary"]


def test_a_measure_the_township_corrected_cannot_be_deleted_R6_6(w, cycle):
    from rectification import services

    m = Measure.objects.get()
    services.correction_issue(
        cycle=cycle,
        branch=w.branch,
        township=w.township,
        measure=m,
        issued_on=date(2019, 3, 1),
        text="措施太空",
    )
    r = _as(w.users["secretary"]).post(f"/2018/rectification/measures/{m.pk}/delete/", {"reason": "x"})
    assert r.status_code == 200 and "镇党委已就这条整改措施提出批评纠正意见，不能删除" in r.content.decode()
    assert Measure.objects.filter(pk=m.pk).exists()


def test_another_branchs_record_is_a_404_R6_1(w, cycle):
    other = rectifying_world(cycle, members=1)
    foreign = Measure.objects.get(branch=other.branch)
    c = _as(w.users["secretary"])
    assert c.get(f"/2018/rectification/measures/{foreign.pk}/edit/").status_code == 404
    assert c.post(f"/2018/rectification/measures/{foreign.pk}/delete/").status_code == 404
    assert Measure.objects.filter(pk=foreign.pk).exists()


def test_commitment_edit_and_delete_reported_ones_need_a_reason_R6_5(w, cycle):
    first = commit(w, cycle, w.members[0])
    c = _as(w.users["secretary"])
    edited = c.post(
        f"/2018/rectification/commitments/{first.pk}/edit/", {"text": "每月走访3户", "due_on": "2019-12-31"}
    )
    assert edited.status_code == 302 and Commitment.objects.get(pk=first.pk).text == "每月走访3户"
    report(w, cycle, w.members[0], 1)
    refused = c.post(f"/2018/rectification/commitments/{first.pk}/delete/", {"reason": "错了"})
    assert "不能删除其唯一的承诺" in refused.content.decode()
    no_reason = c.post(
        f"/2018/rectification/commitments/{first.pk}/edit/", {"text": "改", "due_on": "2019-12-31"}
    )
    assert "已就承诺作过季度报告" in no_reason.content.decode()
    assert Commitment.objects.get(pk=first.pk).text == "每月走访3户"


def test_publicity_and_quarterly_report_corrected_with_a_reason_R6_2_R6_5(w, cycle):
    public_and_filed(w, cycle)
    commit(w, cycle, w.members[0])
    rep = report(w, cycle, w.members[0], 1)
    pub = Publicity.objects.get()
    c = _as(w.users["secretary"])
    page = c.get("/2018/rectification/public/").content.decode()
    assert f"/2018/rectification/public/{pub.pk}/edit/" in page
    r = c.post(
        f"/2018/rectification/public/{pub.pk}/edit/",
        {"published_on": "2019-01-26", "means": pub.means, "note": "", "reason": "日期记错"},
    )
    assert r.status_code == 302 and Publicity.objects.get().published_on == date(2019, 1, 26)
    assert "请填写删除理由" in c.get(f"/2018/rectification/quarterly/{rep.pk}/delete/").content.decode()
    assert "须简要说明理由" in c.post(f"/2018/rectification/quarterly/{rep.pk}/delete/").content.decode()
    assert QuarterlyReport.objects.exists()
    c.post(f"/2018/rectification/quarterly/{rep.pk}/delete/", {"reason": "记错了党员"})
    assert not QuarterlyReport.objects.exists()


def test_a_closed_year_changes_nothing_and_shows_no_correction_links_R7_2(w, cycle):
    m = Measure.objects.get()
    first = commit(w, cycle, w.members[0])
    close(w, cycle)
    c = _as(w.users["secretary"])
    assert "修改这条措施" not in c.get(f"/2018/rectification/measures/{m.pk}/").content.decode()
    assert "修改</a>" not in c.get("/2018/rectification/commitments/").content.decode()
    c.post(f"/2018/rectification/measures/{m.pk}/delete/", {"reason": "x"})
    c.post(f"/2018/rectification/commitments/{first.pk}/delete/", {"reason": "x"})
    assert Measure.objects.filter(pk=m.pk).exists() and Commitment.objects.filter(pk=first.pk).exists()
    from rectification import services

    with pytest.raises(Exception, match="已关闭"):
        services.measure_delete(measure=m, reason="x")
