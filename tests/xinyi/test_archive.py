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


def test_dashboard_archive_button_for_staff_refused_for_member_R7_2(client_for, world):
    r = client_for(world.users["secretary"]).get(reverse("dashboard_archive"))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content[:4] == b"%PDF"
    assert client_for(world.users["member"]).get(reverse("dashboard_archive")).status_code == 403


def test_township_downloads_own_branch_archive_not_another_townships_R7_2(client_for, world, other_world):
    c = client_for(world.users["township"])
    assert c.get(reverse("township_branch_archive", args=[world.branch.pk])).status_code == 200
    assert c.get(reverse("township_branch_archive", args=[other_world.branch.pk])).status_code == 404


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
