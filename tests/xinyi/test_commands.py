"""cycle_status and export_archive on the command line (R0.1, R7.2)."""

import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xinyi import checks

from . import records

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_cycle_status_fails_naming_the_rule_R0_1(world, cycle):
    code, out = run("cycle_status", "--branch", world.branch.name, "--year", "2018")
    assert code == 1
    assert "R0.1   未通过  组织生活会未在2019年3月20日前召开" in out
    assert "未通过" in out.splitlines()[-1] and "R0.1" in out.splitlines()[-1]


def test_cycle_status_passes_when_no_rule_fails_R0_1(world, cycle, monkeypatch):
    """With the R0.1 facts recorded and (here) no step module composed, every line passes and the exit is 0."""
    monkeypatch.setattr(checks, "REGISTRY", [])
    records.full_cycle_before_deadline(world, cycle)
    code, out = run("cycle_status", "--branch", world.branch.name, "--year", "2018")
    assert code == 0, out
    lines = [line for line in out.splitlines() if line.startswith("R")]
    assert len(lines) == 2 and all("通过" in line and "未通过" not in line for line in lines)


def test_cycle_status_prints_the_same_result_as_evaluate(world, cycle):
    code, out = run("cycle_status", "--branch", world.branch.name, "--year", "2018")
    result = checks.evaluate(cycle=cycle, branches=[world.branch])[world.branch.pk]
    for c in result:
        assert f"{c.rule:<6} {c.label:<4} {c.reason}" in out


@pytest.mark.parametrize("command", ["cycle_status", "export_archive"])
def test_unknown_branch_or_year_is_a_chinese_error(world, cycle, command, tmp_path):
    extra = ["-o", str(tmp_path / "x.pdf")] if command == "export_archive" else []
    with pytest.raises(CommandError, match="找不到党支部“不存在村党支部”"):
        call_command(command, "--branch", "不存在村党支部", "--year", "2018", *extra)
    with pytest.raises(CommandError, match="没有 2017 年度的组织生活会（已有年度：2018）"):
        call_command(command, "--branch", world.branch.name, "--year", "2017", *extra)


def test_export_archive_writes_a_pdf_with_every_member_R7_2(world, cycle, tmp_path):
    out = tmp_path / "档案.pdf"
    call_command(
        "export_archive", "--branch", world.branch.name, "--year", "2018", "-o", str(out), stdout=StringIO()
    )
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for m in world.everyone:
        assert m.name in text


def test_export_archive_refuses_a_missing_folder(world, cycle, tmp_path):
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command(
            "export_archive",
            "--branch",
            world.branch.name,
            "--year",
            "2018",
            "-o",
            str(tmp_path / "no" / "x.pdf"),
        )
