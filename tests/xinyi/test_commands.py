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


def test_demo_main_branch_passes_and_second_fails_naming_rules_R0_1_R7_1(client):
    """The done-when of the issue, on seed_demo: cycle_status passes for 新义村党支部 and fails, naming the rules, for
    双山村党支部; the dashboard shows every step of 新义村 done; the township login sees both branches."""
    call_command("seed_demo", stdout=StringIO())
    assert not checks.missing_steps()  # every step has landed and is composed

    code, out = run("cycle_status", "--branch", "新义村党支部", "--year", "2018")
    assert code == 0, out
    rule_lines = [line for line in out.splitlines() if line.startswith("R")]
    assert len(rule_lines) > 20 and not any("未通过" in line for line in rule_lines)
    for rule in ("R0.1", "R1.2", "R2.3", "R4.5", "R5.5", "R6.2"):
        assert any(line.startswith(rule) for line in rule_lines), rule

    code, out = run("cycle_status", "--branch", "双山村党支部", "--year", "2018")
    assert code == 1
    failed_lines = [line for line in out.splitlines() if line.startswith("R") and "未通过" in line]
    named = out.splitlines()[-1]
    assert failed_lines and named.startswith("未通过")
    for line in failed_lines:
        assert line.split()[0] in named

    from django.contrib.auth.models import User

    from branch.models import Branch

    client.force_login(User.objects.get(username="secretary"))
    state = client.get("/2018/dashboard/").context["state"]
    assert [s.state for s in state.steps] == ["done"] * 8, [(s.key, s.state, s.detail) for s in state.steps]
    client.force_login(User.objects.get(username="township"))
    rows = client.get("/2018/township/").context["rows"]
    township = Branch.objects.get(name="新义村党支部").township
    assert {r.branch.name for r in rows} == set(
        Branch.objects.filter(township=township).values_list("name", flat=True)
    )
    main = next(r for r in rows if r.branch.name == "新义村党支部")
    assert main.failures == 0 and main.graded == 35 and main.excellent_share <= 1 / 3  # R5.5
    assert main.committee.startswith("满意") and main.rect_filed is True  # R5.9, R6.2
