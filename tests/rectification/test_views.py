"""Rectification pages as users see them: permissions (allowed and refused in one test), Chinese messages, query counts."""

import subprocess
from datetime import date

import pytest

from branch.models import Scope
from rectification import services
from rectification.models import (
    Correction,
    Filing,
    HalfYearReport,
    Means,
    Measure,
    ProgressEntry,
    Publicity,
    QuarterlyReport,
)
from tests import factories

from .builders import (
    TODAY,
    close,
    commit,
    held_and_fixed,
    hold_meeting,
    measure,
    open_2019,
    problem,
    public_and_filed,
    rectifying_world,
    report,
    talk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, cycle):
    hold_meeting(world, cycle)
    return world


def test_secretary_adds_a_measure_aimed_at_a_problem_committee_member_cannot_R6_1(held, cycle, client_for):
    p = problem(held, cycle)
    data = {
        "text": "每月召开主题党日",
        "responsible": held.secretary.pk,
        "due_on": "2019-06-30",
        "problems": [p.pk],
    }
    refused = client_for(held.users["committee"]).post("/2018/rectification/measures/new/", data)
    assert refused.status_code == 403
    assert Measure.objects.count() == 0
    allowed = client_for(held.users["secretary"]).post("/2018/rectification/measures/new/", data)
    assert allowed.status_code == 302
    assert list(Measure.objects.get().problems.all()) == [p]


def test_a_measure_aimed_at_nothing_shows_the_rule_and_saves_nothing_R6_1(held, cycle, client_for):
    c = client_for(held.users["secretary"])
    response = c.post(
        "/2018/rectification/measures/new/",
        {"text": "加强学习", "responsible": held.secretary.pk, "due_on": "2019-06-30"},
    )
    assert response.status_code == 200
    assert "整改措施必须针对至少一个查摆出的问题或谈心谈话中的意见" in response.content.decode()
    response = c.post(
        "/2018/rectification/measures/new/",
        {
            "text": "加强学习",
            "responsible": held.secretary.pk,
            "due_on": "2019-01-01",
            "problems": [problem(held, cycle).pk],
        },
    )
    assert "完成时限不能早于组织生活会召开日期" in response.content.decode()
    assert Measure.objects.count() == 0


@pytest.mark.parametrize("n", [2, 10])
def test_measure_list_query_count_is_constant_R6_1(held, cycle, client_for, n, django_assert_num_queries):
    for i in range(n):
        measure(held, cycle, text=f"措施{i}")
    c = client_for(held.users["secretary"])
    c.get("/2018/rectification/")  # session, user and scope cached for the measured request
    with django_assert_num_queries(13):
        response = c.get("/2018/rectification/")
    assert response.content.decode().count('<a href="/2018/rectification/measures/') == n


def test_progress_recorded_by_committee_closing_only_by_secretary_R6_3(held, cycle, client_for):
    m = measure(held, cycle)
    url = f"/2018/rectification/measures/{m.pk}/"
    committee = client_for(held.users["committee"])
    response = committee.post(
        url, {"action": "progress", "progress-done_on": "2019-02-01", "progress-text": "制定计划"}
    )
    assert response.status_code == 302
    assert ProgressEntry.objects.count() == 1
    refused = committee.post(
        url, {"action": "close", "close-closed_on": "2019-05-01", "close-evidence": "按月召开"}
    )
    assert refused.status_code == 403
    m.refresh_from_db()
    assert not m.is_done
    secretary = client_for(held.users["secretary"])
    assert (
        secretary.post(
            url, {"action": "close", "close-closed_on": "2019-05-01", "close-evidence": "按月召开"}
        ).status_code
        == 302
    )
    m.refresh_from_db()
    assert m.is_done
    response = secretary.post(
        url, {"action": "progress", "progress-done_on": "2019-05-02", "progress-text": "补记"}
    )
    assert "已完成销号，不能再登记进展" in response.content.decode()
    assert ProgressEntry.objects.count() == 1


def test_secretary_files_a_member_cannot_R6_2(held, cycle, client_for):
    measure(held, cycle)
    services.publicity_record(
        cycle=cycle, branch=held.branch, published_on=date(2019, 1, 25), means=Means.BOARD, today=TODAY
    )
    data = {"action": "file", "file-filed_on": "2019-01-28"}
    refused = client_for(held.users["member"]).post("/2018/rectification/filing/", data)
    assert refused.status_code == 403
    assert Filing.objects.count() == 0
    allowed = client_for(held.users["secretary"]).post("/2018/rectification/filing/", data)
    assert allowed.status_code == 302
    assert Filing.objects.get().status == Filing.Status.FILED


def test_filing_with_no_public_date_shows_the_message_R6_2(held, cycle, client_for):
    measure(held, cycle)
    response = client_for(held.users["secretary"]).post(
        "/2018/rectification/filing/", {"action": "file", "file-filed_on": "2019-01-28"}
    )
    assert "整改措施尚未向党员群众公开（没有公开日期）" in response.content.decode()
    assert Filing.objects.count() == 0


def test_public_notice_pdf_has_real_chinese_text_R6_2(held, cycle, client_for, tmp_path):
    measure(held, cycle, text="每月按时召开主题党日")
    services.publicity_record(
        cycle=cycle, branch=held.branch, published_on=date(2019, 1, 25), means=Means.BOARD, today=TODAY
    )
    response = client_for(held.users["secretary"]).get("/2018/rectification/public/notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "整改措施公示" in text and "每月按时召开主题党日" in text and "2019年1月25日" in text
    assert "（R" not in text and "R6." not in text  # issue 13 fault 10: no rule tags on paper
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and " yes yes " in fonts


def test_reviewer_of_another_township_gets_404_own_reviewer_sends_back_R6_2(
    held, other_world, cycle, client_for
):
    measure(held, cycle)
    filing = public_and_filed(held, cycle)
    url = f"/2018/township/rectification/filings/{filing.pk}/review/"
    data = {"decision": "return", "review-on": "2019-01-30", "review-comment": "措施不够具体"}
    refused = client_for(other_world.users["township"]).post(url, data)
    assert refused.status_code == 404
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FILED
    allowed = client_for(held.users["township"]).post(url, data, follow=True)
    assert "等待支部答复" in allowed.content.decode()
    filing.refresh_from_db()
    assert (filing.status, filing.comment) == (Filing.Status.RETURNED, "措施不够具体")
    branch_page = client_for(held.users["secretary"]).get("/2018/rectification/filing/")
    assert "措施不够具体" in branch_page.content.decode()


def test_branch_answers_a_returned_filing_and_files_again_R6_2(held, cycle, client_for):
    measure(held, cycle)
    filing = public_and_filed(held, cycle)
    services.filing_return(filing=filing, township=held.township, on=date(2019, 1, 30), comment="不具体")
    c = client_for(held.users["secretary"])
    c.post(
        "/2018/rectification/filing/",
        {"action": "answer", "answer-answered_on": "2019-02-01", "answer-answer": "已细化"},
    )
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ANSWERED
    c.post("/2018/rectification/filing/", {"action": "file", "file-filed_on": "2019-02-02"})
    filing.refresh_from_db()
    assert (filing.status, filing.times_filed) == (Filing.Status.FILED, 2)


def test_township_records_a_correction_the_branch_answers_R6_6(held, other_world, cycle, client_for):
    m = measure(held, cycle)
    url = f"/2018/township/rectification/branches/{held.branch.pk}/correction/"
    data = {"measure": m.pk, "correction-issued_on": "2019-08-01", "correction-text": "整改原地打转"}
    assert client_for(other_world.users["township"]).post(url, data).status_code == 404
    assert Correction.objects.count() == 0
    assert client_for(held.users["township"]).post(url, data).status_code == 302
    correction = Correction.objects.get()
    assert correction.measure == m
    c = client_for(held.users["secretary"])
    assert "整改原地打转" in c.get("/2018/rectification/corrections/").content.decode()
    c.post(
        "/2018/rectification/corrections/",
        {"correction": correction.pk, "answer-answered_on": "2019-08-05", "answer-answer": "召开专题会推进"},
    )
    correction.refresh_from_db()
    assert correction.answer == "召开专题会推进"


def _township_with(n, cycle):
    t = factories.township()
    reviewer = factories.login(role=Scope.Role.TOWNSHIP, township_=t)
    for i in range(n):
        w = rectifying_world(cycle, township_=t)
        if i % 2:
            public_and_filed(w, cycle)
    return reviewer


@pytest.mark.parametrize("n", [2, 20])
def test_township_view_query_count_constant_at_2_and_20_branches_R6_6(
    cycle, client_for, n, django_assert_num_queries
):
    c = client_for(_township_with(n, cycle))
    c.get("/2018/township/rectification/")
    with django_assert_num_queries(17):
        response = c.get("/2018/township/rectification/")
    html = response.content.decode()
    assert html.count('<section class="card') == n
    assert "尚未报备整改措施的支部" in html


def test_township_view_shows_overdue_and_stale_and_refuses_a_secretary_R6_6(held, cycle, client_for):
    m = measure(held, cycle, due_on=date(2019, 5, 31), text="修缮党员活动室")
    services.measure_progress(measure=m, done_on=date(2019, 3, 20), text="联系施工队", today=TODAY)
    assert client_for(held.users["secretary"]).get("/2018/township/rectification/").status_code == 403
    html = client_for(held.users["township"]).get("/2018/township/rectification/").content.decode()
    assert "修缮党员活动室" in html and "逾期 1 条" in html and "90天无进展 1 条" in html
    assert "未报备" in html


def test_half_year_page_is_generated_from_progress_R6_4(held, cycle, client_for):
    m = measure(held, cycle, text="每月按时召开主题党日")
    services.measure_progress(measure=m, done_on=date(2019, 3, 1), text="三月主题党日到会30人", today=TODAY)
    services.measure_progress(
        measure=m, done_on=date(2019, 9, 1), text="九月的进展不在半年通报里", today=TODAY
    )
    c = client_for(held.users["secretary"])
    c.post("/2018/rectification/half-year/", {"reported_on": "2019-07-10", "means": Means.GENERAL_MEETING})
    html = c.get("/2018/rectification/half-year/").content.decode()
    assert "2019-07-18" in html and "按期完成" in html
    assert "三月主题党日到会30人" in html and "九月的进展不在半年通报里" not in html


def test_quarterly_grid_and_the_member_reports_on_me_R6_5(held, cycle, client_for):
    member = held.members[0]
    services.commitment_create(cycle=cycle, member=member, text="每季度走访5户", due_on=date(2019, 12, 31))
    secretary = client_for(held.users["secretary"])
    assert secretary.get("/2018/rectification/quarterly/").content.decode().count("缺报") == 4
    me = client_for(held.users["member"])
    assert "每季度走访5户" in me.get("/2018/me/").content.decode()
    me.post(
        "/2018/rectification/quarterly/mine/",
        {
            "mine-quarter": "1",
            "mine-reported_on": "2019-03-28",
            "mine-venue": "group_meeting",
            "mine-kept": "已走访5户",
        },
    )
    assert QuarterlyReport.objects.get().member == member
    assert (
        client_for(held.users["secretary"])
        .get("/2018/rectification/quarterly/")
        .content.decode()
        .count("缺报")
        == 3
    )
    refused = client_for(held.users["member"]).get("/2018/rectification/quarterly/")
    assert refused.status_code == 403


def test_publicity_page_records_and_lists_R6_2(held, cycle, client_for):
    measure(held, cycle)
    c = client_for(held.users["secretary"])
    c.post(
        "/2018/rectification/public/",
        {"published_on": "2019-01-25", "means": Means.WECHAT, "note": "党员微信群"},
    )
    assert Publicity.objects.get().means == Means.WECHAT
    assert "微信群" in c.get("/2018/rectification/public/").content.decode()


def test_closing_with_a_photo_a_non_image_is_refused_R6_1(held, cycle, client_for, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    m = measure(held, cycle)
    url = f"/2018/rectification/measures/{m.pk}/"
    c = client_for(held.users["secretary"])
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = c.post(
        url,
        {"action": "close", "close-closed_on": "2019-05-01", "close-evidence": "已修缮", "close-photo": fake},
    )
    assert "图片" in response.content.decode()
    m.refresh_from_db()
    assert not m.is_done
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    photo = SimpleUploadedFile("after.png", buf.getvalue(), content_type="image/png")
    c.post(
        url,
        {
            "action": "close",
            "close-closed_on": "2019-05-01",
            "close-evidence": "已修缮",
            "close-photo": photo,
        },
    )
    m.refresh_from_db()
    assert m.is_done and m.photo.name.endswith(".png")
    assert (tmp_path / m.photo.name).exists()
    assert 'alt="整改成效照片"' in c.get(url).content.decode()


def _close_with(client, m, upload):
    from django.urls import reverse

    return client.post(
        reverse("rectification_measure_detail", args=[m.pk]),
        {
            "action": "close",
            "close-closed_on": "2019-05-01",
            "close-evidence": "已修缮",
            "close-photo": upload,
        },
    )


def test_a_gif_html_polyglot_photo_is_stored_as_a_plain_picture_R6_1(
    held, cycle, client_for, settings, tmp_path
):
    """An image that is also a web page keeps only its pixels: a JPEG under a name of ours, no markup inside."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    m = measure(held, cycle)
    buf = io.BytesIO()
    Image.new("P", (8, 8)).save(buf, format="GIF", comment=b"<html><script>alert(1)</script></html>")
    polyglot = SimpleUploadedFile("evidence.jpg", buf.getvalue(), content_type="image/jpeg")
    _close_with(client_for(held.users["secretary"]), m, polyglot)
    m.refresh_from_db()
    assert m.is_done
    stored = (tmp_path / m.photo.name).read_bytes()
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.startswith(b"\xff\xd8") and m.photo.name.endswith(".jpg")
    assert "evidence" not in m.photo.name


def test_a_photo_loses_its_exif_location_but_keeps_its_picture_R6_1(
    held, cycle, client_for, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    m = measure(held, cycle)
    exif = Image.Exif()
    exif[0x010F] = "PhoneCo"
    exif[0x8825] = {1: "N", 2: (42.0, 51.0, 0.0)}  # GPS: the village's position
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buf, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(buf.getvalue())).getexif().get_ifd(0x8825)
    _close_with(client_for(held.users["secretary"]), m, SimpleUploadedFile("after.jpg", buf.getvalue()))
    m.refresh_from_db()
    with Image.open(tmp_path / m.photo.name) as stored:
        assert stored.size == (40, 20)
        assert not stored.getexif().get_ifd(0x8825) and 0x010F not in stored.getexif()
        r, g, b = stored.convert("RGB").getpixel((10, 10))
        assert r > 200 and g < 60 and b < 60


def test_evidence_photo_only_through_access_never_from_media_url_R6_3(
    held, other_world, cycle, client_for, settings, tmp_path
):
    """The photo of a closed measure is served by a view that checks the branch; the media URL serves nothing."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    m = measure(held, cycle)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    c = client_for(held.users["secretary"])
    c.post(
        f"/2018/rectification/measures/{m.pk}/",
        {
            "action": "close",
            "close-closed_on": "2019-05-01",
            "close-evidence": "已修缮",
            "close-photo": SimpleUploadedFile("after.png", buf.getvalue(), content_type="image/png"),
        },
    )
    m.refresh_from_db()
    photo_url = f"/2018/rectification/measures/{m.pk}/photo/"
    assert photo_url in c.get(f"/2018/rectification/measures/{m.pk}/").content.decode()
    response = c.get(photo_url)
    assert response.status_code == 200
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))  # re-encoded: same picture
    assert served.size == (8, 8) and served.convert("RGB").getpixel((0, 0)) == (255, 0, 0)
    assert c.get(settings.MEDIA_URL + m.photo.name).status_code == 404
    stranger = client_for(other_world.users["secretary"])
    assert stranger.get(photo_url).status_code == 404


# ---------------------------------------------------------------- two years at once (issue 11)


@pytest.fixture
def tail_2018(world, cycle):
    """2018's meeting held on 2019-01-18 (roster fixed), one measure, a commitment of members[0], and 2019 opened."""
    held_and_fixed(world, cycle)
    m = measure(world, cycle, text="每月按时召开主题党日")
    commit(world, cycle, world.members[0], text="每季度走访困难户5户")
    open_2019()
    world.measure = m
    return world


QUARTER_1 = {"quarter": "1", "reported_on": "2019-03-28", "venue": "group_meeting", "kept": "已走访5户"}


def test_2018_quarterly_report_entered_at_its_address_while_2019_is_open_R6_5(tail_2018, cycle, client_for):
    c = client_for(tail_2018.users["secretary"])
    # The rest of 2018 is read-only once 2019 is open: the guard is on (a commitment is not part of the tail) ...
    refused = c.post(
        "/2018/rectification/commitments/",
        {"member": tail_2018.members[1].pk, "text": "按时交纳党费", "due_on": "2019-12-31"},
    )
    assert refused.status_code == 403
    assert "只能继续登记整改落实情况" in refused.content.decode()
    # ... and the quarterly report of 2018, due in 2019, still goes in at its 2018 address and shows there.
    assert QuarterlyReport.objects.count() == 0
    response = c.post("/2018/rectification/quarterly/", {**QUARTER_1, "member": tail_2018.members[0].pk})
    assert response.status_code == 302 and response["Location"] == "/2018/rectification/quarterly/"
    assert QuarterlyReport.objects.get().cycle == cycle
    html = c.get("/2018/rectification/quarterly/").content.decode()
    assert "03-28 党小组会" in html and html.count("缺报") == 3
    html = c.get("/2019/rectification/quarterly/").content.decode()
    assert "03-28 党小组会" not in html and "还没有党员作出整改承诺" in html


def test_member_reports_a_2018_quarter_from_2018_me_while_2019_is_open_R6_5(tail_2018, cycle, client_for):
    me = client_for(tail_2018.users["member"])
    html = me.get("/2018/me/").content.decode()
    assert "每季度走访困难户5户" in html
    assert 'action="/2018/rectification/quarterly/mine/"' in html
    assert "每季度走访困难户5户" not in me.get("/2019/me/").content.decode()
    response = me.post("/2018/rectification/quarterly/mine/", {f"mine-{k}": v for k, v in QUARTER_1.items()})
    assert response.status_code == 302 and response["Location"] == "/2018/me/"
    report = QuarterlyReport.objects.get()
    assert (report.cycle, report.member) == (cycle, tail_2018.members[0])
    assert "已走访5户" in me.get("/2018/me/").content.decode()


def _tail_posts(w, cycle):
    """Every write of 2018's tail a branch makes, as (address, data, what it saved)."""
    m = w.measure
    correction = services.correction_issue(
        cycle=cycle, branch=w.branch, township=w.township, issued_on=date(2019, 8, 1), text="整改原地打转"
    )
    p = problem(w, cycle, text="党员活动室年久失修")
    return [
        (
            f"/2018/rectification/measures/{m.pk}/",
            {"action": "progress", "progress-done_on": "2019-02-01", "progress-text": "制定计划"},
            lambda: ProgressEntry.objects.filter(measure=m).exists(),
        ),
        (
            f"/2018/rectification/measures/{m.pk}/",
            {"action": "close", "close-closed_on": "2019-05-01", "close-evidence": "每月按时召开"},
            lambda: Measure.objects.get(pk=m.pk).is_done,
        ),
        (
            "/2018/rectification/half-year/",
            {"reported_on": "2019-07-10", "means": Means.GENERAL_MEETING},
            lambda: HalfYearReport.objects.exists(),
        ),
        (
            "/2018/rectification/corrections/",
            {
                "correction": correction.pk,
                "answer-answered_on": "2019-08-05",
                "answer-answer": "召开专题会推进",
            },
            lambda: Correction.objects.get(pk=correction.pk).is_answered,
        ),
        (
            "/2018/rectification/measures/new/",
            {
                "text": "修缮党员活动室",
                "responsible": w.secretary.pk,
                "due_on": "2019-09-30",
                "problems": [p.pk],
            },
            lambda: Measure.objects.filter(text="修缮党员活动室").exists(),
        ),
        (
            "/2018/rectification/quarterly/",
            {**QUARTER_1, "member": w.members[0].pk},
            lambda: QuarterlyReport.objects.exists(),
        ),
    ]


def test_the_tail_is_writable_while_2019_is_open_R6_3_R6_4_R6_5_R6_6(tail_2018, cycle, client_for):
    c = client_for(tail_2018.users["secretary"])
    for url, data, saved in _tail_posts(tail_2018, cycle):
        assert not saved()
        response = c.post(url, data)
        assert response.status_code == 302, (url, data)
        assert saved(), url


def test_a_closed_cycle_refuses_its_tail_R6_3_R6_4_R6_5_R6_6(tail_2018, cycle, client_for):
    posts = _tail_posts(tail_2018, cycle)
    close(tail_2018, cycle)
    c = client_for(tail_2018.users["secretary"])
    for url, data, saved in posts:
        response = c.post(url, data)
        assert response.status_code == 403, url
        assert "2018年度已关闭" in response.content.decode()
        assert not saved(), url
    # /me/ too; and the township, whom the address guard does not stop, is refused by the service.
    me = client_for(tail_2018.users["member"])
    me.post("/2018/rectification/quarterly/mine/", {f"mine-{k}": v for k, v in QUARTER_1.items()})
    assert not QuarterlyReport.objects.exists()
    before = Correction.objects.count()
    township = client_for(tail_2018.users["township"])
    response = township.post(
        f"/2018/township/rectification/branches/{tail_2018.branch.pk}/correction/",
        {"correction-issued_on": "2019-09-01", "correction-text": "仍未整改"},
        follow=True,
    )
    assert "2018年度已关闭" in response.content.decode()
    assert Correction.objects.count() == before


def test_2019_pages_do_not_show_2018_measures_as_2019s_R6_1(tail_2018, cycle, client_for):
    c = client_for(tail_2018.users["secretary"])
    assert "每月按时召开主题党日" in c.get("/2018/rectification/").content.decode()
    assert "每月按时召开主题党日" not in c.get("/2019/rectification/").content.decode()
    assert c.get(f"/2018/rectification/measures/{tail_2018.measure.pk}/").status_code == 200
    assert c.get(f"/2019/rectification/measures/{tail_2018.measure.pk}/").status_code == 404
    # Nor can 2018's measure take progress through a 2019 address, where the 2019 guard would let it by.
    c.post(
        f"/2019/rectification/measures/{tail_2018.measure.pk}/",
        {"action": "progress", "progress-done_on": "2019-02-01", "progress-text": "制定计划"},
    )
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("size", [5, 50])
def test_2018_quarterly_page_query_count_constant_while_2019_is_open_R6_5(
    cycle, client_for, size, django_assert_num_queries
):
    w = factories.world(members=size)
    held_and_fixed(w, cycle)
    for i, m in enumerate(w.members):
        commit(w, cycle, m)
        if i % 2:
            report(w, cycle, m, 1)
    open_2019()
    c = client_for(w.users["secretary"])
    c.get("/2018/rectification/quarterly/")
    with django_assert_num_queries(13):
        response = c.get("/2018/rectification/quarterly/")
    assert response.content.decode().count("缺报") == size - size // 2 + 3 * size


@pytest.mark.parametrize("size", [5, 50])
def test_2018_me_query_count_constant_while_2019_is_open_R6_5(
    cycle, client_for, size, django_assert_num_queries
):
    w = factories.world(members=size)
    held_and_fixed(w, cycle)
    for m in w.members:
        commit(w, cycle, m)
        report(w, cycle, m, 1)
    open_2019()
    me = client_for(w.users["member"])
    me.get("/2018/me/")
    # /me/ also lists every year's own appraisal result (appraisal.selectors.own_results)
    with django_assert_num_queries(16):
        response = me.get("/2018/me/")
    assert 'action="/2018/rectification/quarterly/mine/"' in response.content.decode()


def test_public_notice_says_a_problem_and_a_talk_opinion_in_the_same_words_once_R6_2(
    held, cycle, client_for, tmp_path
):
    """A problem written down in the words heard in a talk is one line on the board, not two."""
    words = "希望支部多走访困难户"
    services.measure_create(
        cycle=cycle,
        branch=held.branch,
        text="支委每月走访困难户一次",
        responsible=held.secretary,
        due_on=date(2019, 6, 30),
        problems=[problem(held, cycle, text=words), problem(held, cycle, text="三会一课不按时召开")],
        talks=[talk(held, cycle, opinion=words + "。")],
        created_on=date(2019, 1, 18),
    )
    response = client_for(held.users["secretary"]).get("/2018/rectification/public/notice.pdf")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert flat.count("多走访困难户") == 1, text
    assert "三会一课不按时召开" in flat
