"""The archive PDF (R7.2): real embedded Chinese text, every member and every section, the roster as at the meeting."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from branch import services
from branch.pdf import strip_rule_tags
from xinyi import archive, checks

from . import records

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "archive.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_archive_has_every_member_and_every_section_title_R7_2(world, cycle, tmp_path):
    records.full_cycle_before_deadline(world, cycle)
    ctx = archive.archive_context(cycle=cycle, branch=world.branch)
    text = pdf_text(archive.archive_pdf(cycle=cycle, branch=world.branch), tmp_path)
    squeezed = text.replace(" ", "")
    for m in world.everyone:
        assert m.name in text
    for s in ctx["sections"]:
        assert strip_rule_tags(s.title).replace(" ", "") in squeezed
    assert "目录" in squeezed and "档案资料" in squeezed
    assert f"{world.branch.name}·2018年度组织生活会和民主评议党员" in squeezed  # running header
    assert "—2—" in squeezed  # page numbers


def test_archive_embeds_subset_cjk_fonts_R7_2(world, cycle, tmp_path):
    fonts = pdf_fonts(archive.archive_pdf(cycle=cycle, branch=world.branch), tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    for line in cjk:
        name, emb_sub = line.split()[0], line.split()[-5:-3]
        assert "+" in name and emb_sub == ["yes", "yes"], line
    assert any("Serif-CJK-SC" in line for line in cjk)  # the body face, Chinese forms (lang="zh-hans")


def test_archive_before_the_meeting_names_what_is_missing_R7_2(world, cycle, tmp_path, monkeypatch):
    """Asked for before the meeting exists: produced with what exists, and it says which part is missing."""
    ghost = checks.StepModule("ghost", "尚未上线的步骤（R9）", "xinyi.no_such_step", "x.html")
    monkeypatch.setattr(checks, "REGISTRY", [*checks.REGISTRY, ghost])
    text = pdf_text(archive.archive_pdf(cycle=cycle, branch=world.branch), tmp_path).replace(" ", "")
    assert "尚无组织生活会记录" in text
    assert "尚缺以下部分：尚未上线的步骤" in text.replace("\n", "")
    for m in world.everyone:
        assert m.name in text


def test_demo_archive_has_every_member_and_every_section_of_every_step_R7_2(tmp_path):
    """seed_demo's 新义村党支部: every member, our section titles and each step fragment's own titles."""
    import re

    from django.core.management import call_command
    from django.template.loader import get_template

    from branch.models import Branch, Cycle
    from branch.selectors import cycle_members

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    branch = Branch.objects.get(name="新义村党支部")
    cycle = Cycle.objects.get(year=2018)
    ctx = archive.archive_context(cycle=cycle, branch=branch)
    assert not ctx["missing"]
    text = pdf_text(archive.archive_pdf(cycle=cycle, branch=branch), tmp_path)
    squeezed = re.sub(r"\s+", "", text)
    # 2018's own roster: 孙立军 (transferred out in 2019) is in it, 包晓燕 (joined in 2019) is not
    names = set(cycle_members(cycle=cycle, branch=branch).values_list("name", flat=True))
    assert "孙立军" in names and "包晓燕" not in names
    for name in names:
        assert name in text, name
    assert "包晓燕" not in text
    for s in ctx["sections"]:
        assert strip_rule_tags(s.title) in squeezed, s.title
    for step in checks.REGISTRY:
        source = get_template(step.archive_template).template.source
        for title in re.findall(r"<h2[^>]*>([^<{]+)</h2>", source):
            assert re.sub(r"\s+", "", strip_rule_tags(title)) in squeezed, (step.key, title)


def test_roster_is_as_it_stood_on_the_meeting_day_R7_2(world, cycle):
    records.meeting(world, cycle, held_on=date(2019, 3, 10))
    left_before, left_after = world.members[1], world.members[2]
    services.member_leave(member=left_before, reason="transferred", on=date(2019, 1, 5))
    services.member_leave(member=left_after, reason="transferred", on=date(2019, 5, 5))
    from tests import factories

    joined_later = factories.member(world.branch, joined_on=date(2019, 6, 1), status="probationary")
    names = [m.name for m, _post, _focus in archive.archive_context(cycle=cycle, branch=world.branch)["rows"]]
    assert left_after.name in names
    assert left_before.name not in names and joined_later.name not in names


def _render_queued(render_pk=None):
    """Run the background rendering the page asked for, as the worker (`manage.py db_worker`) would."""
    from xinyi import tasks
    from xinyi.models import ArchiveRender

    render = (
        ArchiveRender.objects.get(pk=render_pk) if render_pk else ArchiveRender.objects.get(status="pending")
    )
    tasks.render_archive.call(render.pk)
    render.refresh_from_db()
    return render


def test_dashboard_archive_button_for_staff_refused_for_member_R7_2(client_for, world):
    """Issue 15: the button never lays out the PDF inside the request: the first click queues it and shows the
    wait page, which reloads itself; once the worker has made it, the same address serves the PDF."""
    secretary = client_for(world.users["secretary"])
    wait = secretary.get(reverse("dashboard_archive"))
    assert wait.status_code == 202 and "已排队" in wait.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in wait.content.decode()
    _render_queued()
    r = secretary.get(reverse("dashboard_archive"))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content[:4] == b"%PDF"
    assert client_for(world.users["member"]).get(reverse("dashboard_archive")).status_code == 403


def test_township_downloads_own_branch_archive_not_another_townships_R7_2(client_for, world, other_world):
    c = client_for(world.users["township"])
    assert c.get(reverse("township_branch_archive", args=[world.branch.pk])).status_code == 202
    _render_queued()
    assert c.get(reverse("township_branch_archive", args=[world.branch.pk])).status_code == 200
    assert c.get(reverse("township_branch_archive", args=[other_world.branch.pk])).status_code == 404


def test_archive_is_rendered_once_per_state_of_its_facts_R7_2(
    client_for, world, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 15 item 1: an unchanged archive is the stored file (no second layout, by the dashboard, the township's
    page, the ZIP or export_archive); a write that changes what it shows makes the next download render again."""
    from xinyi.models import ArchiveRender

    layouts = []
    real = archive.html_pdf
    monkeypatch.setattr(archive, "html_pdf", lambda html: layouts.append(1) or real(html))
    secretary = client_for(world.users["secretary"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert secretary.get(reverse("dashboard_archive")).status_code == 202
        # asked again (a reload, a second tab) while it waits: the same rendering, one task
        assert secretary.get(reverse("dashboard_archive")).status_code == 202
    assert len(queued) == 1 and ArchiveRender.objects.count() == 1
    first = _render_queued()
    stored = secretary.get(reverse("dashboard_archive")).content
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(world.users["township"])
    assert reviewer.get(reverse("township_branch_archive", args=[world.branch.pk])).content == stored
    assert archive.archive_bytes(cycle=first.cycle, branch=world.branch)[0] == stored
    assert layouts == [1] and first.sha256 == __import__("hashlib").sha256(stored).hexdigest()

    services.member_update(member=world.members[0], name="改名后")
    assert secretary.get(reverse("dashboard_archive")).status_code == 202
    second = _render_queued()
    assert second.key != first.key and len(layouts) == 2
    fresh = secretary.get(reverse("dashboard_archive")).content
    assert fresh != stored
    # only the newest state is kept, with its file
    assert list(ArchiveRender.objects.values_list("pk", flat=True)) == [second.pk]
    assert not first.file.storage.exists(first.file.name)


def test_a_failed_rendering_is_shown_and_asked_again_only_on_request_R7_2(client_for, world, monkeypatch):
    from xinyi import tasks
    from xinyi.models import ArchiveRender

    secretary = client_for(world.users["secretary"])
    secretary.get(reverse("dashboard_archive"))
    monkeypatch.setattr(archive, "html_pdf", lambda html: (_ for _ in ()).throw(RuntimeError("字体缺失")))
    with pytest.raises(RuntimeError):
        tasks.render_archive.call(ArchiveRender.objects.get().pk)
    page = secretary.get(reverse("dashboard_archive"))
    body = page.content.decode()
    assert page.status_code == 200 and "档案生成失败：字体缺失" in body and "refresh" not in body
    assert ArchiveRender.objects.count() == 1  # the failed page does not queue again by itself
    assert secretary.get(reverse("dashboard_archive") + "?retry=1").status_code == 202
    assert ArchiveRender.objects.filter(status="pending").count() == 1


def test_a_rendering_whose_worker_died_is_replaced_R7_2(client_for, world):
    from datetime import timedelta

    from django.utils import timezone

    from xinyi.models import ArchiveRender

    secretary = client_for(world.users["secretary"])
    secretary.get(reverse("dashboard_archive"))
    ArchiveRender.objects.update(status="running", heartbeat=timezone.now() - timedelta(hours=1))
    assert secretary.get(reverse("dashboard_archive")).status_code == 202
    assert sorted(ArchiveRender.objects.values_list("status", flat=True)) == ["failed", "pending"]


def test_archive_on_paper_carries_no_rule_tags_R7_2(world, cycle, tmp_path):
    """Issue 13 fault 10: no "（R4.5）", "依据工作方案 R7.2" or "R5.5：" in the archive; the table of rule checks
    still names each rule in its own column, which is what that table is."""
    import re

    records.full_cycle_before_deadline(world, cycle)
    text = pdf_text(archive.archive_pdf(cycle=cycle, branch=world.branch), tmp_path)
    tag = re.compile(r"[（(]\s*(依据工作方案\s*)?R\d|R\d+(\.\d+)?\s*[：:]|依据工作方案\s*R\d")
    assert not tag.search(text), tag.search(text).group(0)
    assert "会前准备" in text and "整理会议有关档案资料" in text
    assert re.search(r"^\s*R4\.5\s", text, re.M)  # the checks table keeps its rule column
