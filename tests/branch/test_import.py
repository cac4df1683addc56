"""The Excel roster: messy real files import, bad files import nothing and name each bad row, the round trip holds."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from branch import services
from branch.models import Cycle, Member, Participant, PartyGroup
from branch.roster_excel import COLUMNS, RosterError, export_workbook, import_roster, template_workbook
from branch.selectors import attach_scores
from branch.xlsx import load_workbook_safely, workbook_bytes, write_cell
from tests import factories

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list], *, title_rows: list[list] | None = None) -> bytes:
    """A workbook whose first sheet holds title rows (if any), then the rows; text always stays text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, values in enumerate([*(title_rows or []), *rows], start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                write_cell(ws, r, c, value)
    return workbook_bytes(wb)


def snapshot(branch) -> list[tuple]:
    return list(Member.objects.filter(branch=branch).order_by("pk").values_list())


def messy_file() -> bytes:
    """A real roster: a title above the header, synonyms, columns shuffled, extra columns, blank lines."""
    return xlsx(
        [
            [
                "序号",
                "所在党小组",
                "党员姓名",
                "入党时间",
                "出生年月",
                "性别",
                "民族",
                "文化程度",
                "党员类别",
                "手机",
                "备注",
            ],
            [
                1,
                "第一党小组",
                "王 树林",
                "1990.07",
                "1968.03",
                "男",
                "蒙古族",
                "高中",
                "正式党员",
                "１３９０４７５１２３４",
                "x",
            ],
            [None, None, None, None, None, None, None, None, None, None, None],
            [
                2,
                "第二党小组",
                "包金花",
                "1995年7月",
                "1972年10月8日",
                "女",
                "汉族",
                "初中",
                "正式",
                13904751235,
                "",
            ],
            [3, "第二党小组", "田雪", "2018-06-01", "1996/3/5", "女", "汉族", "大专", "预备党员", "", ""],
            [
                4,
                "第一党小组",
                "阿拉坦",
                date(2018, 7, 1),
                "19950101",
                "男　",
                "蒙古族",
                "",
                "预备",
                "",
                "",
            ],
        ],
        title_rows=[["新义村党支部党员花名册"], ["填报单位：新义村党支部　　2018年12月"]],
    )


def focus_ticks_file() -> bytes:
    """The five focus categories of R2.3 (and 领导干部/离退休) as 是/√ columns."""
    return xlsx(
        [
            [
                "姓名",
                "性别",
                "出生日期",
                "入党日期",
                "流动党员",
                "流入地",
                "退役军人",
                "困难党员",
                "身心健康",
                "受处分",
                "领导干部",
                "离退休",
            ],
            ["孙立军", "男", "1970-01-02", "1995-07-01", "√", "呼和浩特", "", "否", "", "", "", ""],
            ["赵德胜", "男", "1950-05-06", "1975-07-01", "", "", "是", "是", "是", "是", "是", "是"],
        ]
    )


def focus_column_file() -> bytes:
    """The focus categories in one 重点类别 column."""
    return xlsx(
        [
            ["姓名", "性别", "出生日期", "入党日期", "重点类别", "流动去向"],
            ["吴海龙", "男", "1980.02", "2005.07", "流动党员、困难党员", "北京"],
            ["哈斯巴根", "男", "1978.02", "2004.07", "退役军人，身心健康", ""],
            ["宝音", "男", "1979.02", "2004.07", "", ""],
        ]
    )


def stars_file() -> bytes:
    """星级 as ★ or a number, 积分, and both left blank."""
    return xlsx(
        [
            ["姓名", "性别", "出生日期", "入党日期", "星级", "积分"],
            ["白玉山", "男", "1966-01-01", "1990-01-01", "★★★★", "95"],
            ["张桂兰", "女", "1967-01-01", "1991-01-01", 5, 88.0],
            ["萨仁", "女", "1990-01-01", "2015-01-01", "", ""],
        ]
    )


def bad_rows_file() -> bytes:
    """One good row and three bad ones, under a title row."""
    return xlsx(
        [
            ["姓名", "性别", "出生日期", "入党日期", "人员类别", "星级", "流动党员", "党小组"],
            ["王树林", "男", "1968-03-05", "1990-07-01", "正式党员", "", "", "新党小组"],
            ["李春明", "不详", "1970-13-01", "1995-07-01", "正式", "", "", ""],
            ["", "女", "1980-01-01", "2000-01-01", "正式", "", "", ""],
            ["包金花", "女", "1972-01-01", "1960-01-01", "党员", "7", "也许", ""],
        ],
        title_rows=[["党员名册"]],
    )


def year_dot_month_file() -> bytes:
    """Dates typed into number cells (1968.1 is October) and an Excel date."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "入党日期"])
    ws.append(["孙立军", "男", 1968.1, date(1990, 7, 1)])
    ws.append(["吴海龙", "男", 1975.03, 2001.07])
    return workbook_bytes(wb)


@pytest.fixture
def branch(db):
    return factories.branch()


# Good files ---------------------------------------------------------------------------------------------------------


def test_template_has_the_chinese_header_row():
    ws = load_workbook_safely(workbook_bytes(template_workbook())).worksheets[0]
    header = next(ws.iter_rows(values_only=True))
    assert list(header) == [h for _, h in COLUMNS]
    assert header[:4] == ("姓名", "性别", "民族", "出生日期")


def test_template_imports_as_nothing_to_add(branch):
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=workbook_bytes(template_workbook()))
    assert "表头下没有党员数据" in e.value.problems[0]


def test_messy_roster_title_rows_synonyms_any_order_and_date_forms(branch):
    """A real roster: a title above the header, synonyms, columns shuffled, extra columns, blank lines."""
    data = messy_file()
    result = import_roster(branch=branch, data=data)
    assert len(result.created) == 4
    assert sorted(result.groups_created) == ["第一党小组", "第二党小组"]
    wang = Member.objects.get(branch=branch, name="王树林")
    assert wang.birth_date == date(1968, 3, 1)
    assert wang.joined_on == date(1990, 7, 1)
    assert wang.phone == "13904751234"  # full-width digits
    assert wang.ethnicity == "蒙古族"
    assert wang.group.name == "第一党小组"
    bao = Member.objects.get(branch=branch, name="包金花")
    assert (bao.birth_date, bao.joined_on, bao.gender, bao.phone) == (
        date(1972, 10, 8),
        date(1995, 7, 1),
        Member.Gender.FEMALE,
        "13904751235",
    )
    tian = Member.objects.get(branch=branch, name="田雪")
    assert (tian.birth_date, tian.status) == (date(1996, 3, 5), Member.Status.PROBATIONARY)
    alatan = Member.objects.get(branch=branch, name="阿拉坦")
    assert (alatan.birth_date, alatan.joined_on, alatan.status) == (
        date(1995, 1, 1),
        date(2018, 7, 1),
        Member.Status.PROBATIONARY,
    )


def test_excel_dates_and_numbers_typed_as_year_dot_month(branch):
    """1968.10 typed in a number cell arrives as 1968.1: two decimals is the month (October)."""
    import_roster(branch=branch, data=year_dot_month_file())
    assert Member.objects.get(name="孙立军").birth_date == date(1968, 10, 1)
    assert Member.objects.get(name="孙立军").joined_on == date(1990, 7, 1)
    assert Member.objects.get(name="吴海龙").joined_on == date(2001, 7, 1)


def test_focus_flags_as_tick_columns_R2_3(branch):
    """The five focus categories of R2.3 (and 领导干部/离退休) as 是/√ columns."""
    data = focus_ticks_file()
    import_roster(branch=branch, data=data)
    sun = Member.objects.get(name="孙立军")
    assert (sun.is_mobile, sun.mobile_location, sun.is_hardship) == (True, "呼和浩特", False)
    zhao = Member.objects.get(name="赵德胜")
    assert all(getattr(zhao, f) for f in (*Member.FOCUS_FIELDS[1:], "is_leading_cadre", "is_retired"))
    assert not zhao.is_mobile


def test_focus_flags_in_one_column_R2_3(branch):
    data = focus_column_file()
    import_roster(branch=branch, data=data)
    wu = Member.objects.get(name="吴海龙")
    assert (wu.is_mobile, wu.is_hardship, wu.is_veteran, wu.mobile_location) == (True, True, False, "北京")
    hasi = Member.objects.get(name="哈斯巴根")
    assert (hasi.is_veteran, hasi.is_health_issue, hasi.is_mobile) == (True, True, False)
    assert not Member.objects.get(name="宝音").is_focus


def test_stars_and_points_R5_3(branch):
    data = stars_file()
    import_roster(branch=branch, data=data)

    def scores(name):
        """R5.3 is kept per cycle: the file's 星级/积分 go to the branch's current cycle (2018 here)."""
        p = Participant.objects.filter(member__name=name, cycle__year=2018).first()
        return (p.stars, p.points) if p else (None, None)

    assert scores("白玉山") == (4, 95)
    assert scores("张桂兰") == (5, 88)
    assert scores("萨仁") == (None, None)


def test_existing_groups_are_reused(branch):
    group = PartyGroup.objects.create(branch=branch, name="第一党小组")
    data = xlsx(
        [
            ["姓名", "性别", "出生日期", "入党日期", "党小组"],
            ["李春明", "男", "1970-01-01", "1995-01-01", "第一党小组"],
        ]
    )
    result = import_roster(branch=branch, data=data)
    assert result.groups_created == []
    assert Member.objects.get(name="李春明").group == group


# Re-import and duplicates -----------------------------------------------------------------------------------------

GOOD = [
    ["姓名", "性别", "出生日期", "入党日期", "人员类别"],
    ["王树林", "男", "1968-03-05", "1990-07-01", "正式党员"],
    ["田雪", "女", "1996-03-05", "2018-06-01", "预备党员"],
]


def test_same_file_twice_creates_nobody_twice(branch):
    """An identical member (same name and birth date, every column of the file equal) is already there: skipped."""
    first = import_roster(branch=branch, data=xlsx(GOOD))
    assert len(first.created) == 2
    before = snapshot(branch)
    second = import_roster(branch=branch, data=xlsx(GOOD))
    assert second.created == []
    assert [line.split(" ", 3)[-1] for line in second.skipped] == ["王树林：已在名册中", "田雪：已在名册中"]
    assert snapshot(branch) == before


def test_file_with_one_new_row_adds_only_that_row(branch):
    import_roster(branch=branch, data=xlsx(GOOD))
    result = import_roster(
        branch=branch, data=xlsx([*GOOD, ["萨仁", "女", "1992-01-01", "2016-07-01", "正式"]])
    )
    assert [m.name for m in result.created] == ["萨仁"]
    assert len(result.skipped) == 2
    assert Member.objects.filter(branch=branch).count() == 3


def test_same_person_with_different_facts_is_refused(branch):
    """Same name and birth date as a member but another 入党日期: a duplicate, not the same row; nothing written."""
    import_roster(branch=branch, data=xlsx(GOOD))
    before = snapshot(branch)
    changed = [
        GOOD[0],
        ["王树林", "男", "1968-03-05", "1991-07-01", "正式党员"],
        ["萨仁", "女", "1992-01-01", "2016-07-01", ""],
    ]
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=xlsx(changed))
    assert any(
        p.startswith("第 2 行，「姓名」：名册中已有同名且出生日期相同的党员王树林") and "「入党日期」" in p
        for p in e.value.problems
    )
    assert snapshot(branch) == before


def test_same_name_other_birth_date_is_another_person(branch):
    import_roster(branch=branch, data=xlsx(GOOD))
    import_roster(branch=branch, data=xlsx([GOOD[0], ["王树林", "男", "1970-01-01", "1995-07-01", "正式"]]))
    assert Member.objects.filter(branch=branch, name="王树林").count() == 2


def test_duplicate_rows_inside_the_file_are_refused(branch):
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=xlsx([*GOOD, ["王树林", "男", "1968.03.05", "1990.07.01", "正式"]]))
    assert "第 4 行，「姓名」：与第 2 行重复（姓名和出生日期相同）" in e.value.problems
    assert Member.objects.filter(branch=branch).count() == 0


# Bad files ----------------------------------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_each_bad_row(branch):
    factories.member(branch, name="已有党员")
    before = snapshot(branch)
    data = bad_rows_file()
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=data)
    problems = e.value.problems
    assert problems[0].startswith("名册未导入")
    assert "第 4 行，「性别」：应填写“男”或“女”，而不是「不详」" in problems
    assert "第 4 行，「出生日期」：「1970-13-01」不是有效日期" in problems
    assert "第 5 行，「姓名」：不能为空" in problems
    assert "第 6 行，「人员类别」：应填写“正式党员”或“预备党员”，而不是「党员」" in problems
    assert "第 6 行，「星级」：应在 0–5 之间" in problems
    assert "第 6 行，「流动党员」：应填写“是”或“否”，而不是「也许」" in problems
    assert not any(p.startswith("第 3 行") for p in problems)
    # The good row 3 was not written, nor its new party group.
    assert snapshot(branch) == before
    assert not PartyGroup.objects.filter(branch=branch).exists()


def test_a_rule_of_the_service_names_its_row_and_column(branch):
    """The service's rules (入党日期 after birth) apply to imports too, with the file's own column name."""
    data = xlsx([["姓名", "性别", "出生年月", "入党时间"], ["王树林", "男", "1968.03", "1960.07"]])
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=data)
    assert "第 2 行，「入党时间」：入党日期必须晚于出生日期" in e.value.problems
    assert Member.objects.count() == 0


def test_not_an_xlsx_is_refused_by_content_not_name(branch):
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data="姓名,性别\n王树林,男\n".encode())
    assert "不是 Excel（.xlsx）文件" in e.value.problems[0]
    # A zip that is not a workbook passes the magic check but is still refused.
    buf = BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=buf.getvalue())
    assert "无法读取该 Excel 文件" in e.value.problems[0]


def test_over_the_size_limit_is_refused(branch, settings):
    data = xlsx(GOOD)
    settings.ROSTER_MAX_BYTES = len(data) - 1
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=data)
    assert "文件超过" in e.value.problems[0]
    settings.ROSTER_MAX_BYTES = len(data)
    assert len(import_roster(branch=branch, data=data).created) == 2


def test_no_header_row_is_refused(branch):
    with pytest.raises(RosterError) as e:
        import_roster(
            branch=branch, data=xlsx([["王树林", "男", "1968-03-05"], ["李春明", "男", "1970-01-01"]])
        )
    assert "未找到表头行" in e.value.problems[0]
    assert Member.objects.count() == 0


def test_header_missing_a_required_column_is_refused(branch):
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=xlsx([["姓名", "性别", "民族"], ["王树林", "男", "汉族"]]))
    assert e.value.problems == ["表头缺少必需的列：「出生日期」、「入党日期」"]


# Export and the round trip -------------------------------------------------------------------------------------------


def test_export_reimports_cleanly_round_trip(branch, tmp_path):
    """Export columns are the template's: exported into an empty branch they recreate the same members."""
    group = PartyGroup.objects.create(branch=branch, name="第一党小组")
    factories.member(
        branch, name="孙立军", is_mobile=True, mobile_location="包头", group=group, stars=4, points=90
    )
    factories.member(
        branch,
        name="田雪",
        status=Member.Status.PROBATIONARY,
        joined_on=date(2018, 6, 1),
        phone="13900000000",
    )
    factories.member(branch, name="赵德胜", is_veteran=True, is_leading_cadre=True, education="大专")
    path = tmp_path / "roster.xlsx"
    call_command("export_members", "--branch", branch.name, "-o", str(path))
    ws = load_workbook_safely(path.read_bytes()).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [h for _, h in COLUMNS]
    assert len(rows) == 4
    # The same file against the same branch: everybody is already there.
    again = import_roster(branch=branch, data=path.read_bytes())
    assert (len(again.created), len(again.skipped)) == (0, 3)
    # The members move to another branch: out of this one, the exported file into the other gives the same facts.
    for m in Member.objects.filter(branch=branch):
        services.member_leave(member=m, reason=Member.LeftReason.TRANSFERRED, on=date(2018, 12, 1))
    other = factories.branch()
    import_roster(branch=other, data=path.read_bytes())
    fields = [f for f, _ in COLUMNS if f != "group"]

    def facts(b):
        return sorted(
            (*(getattr(m, f) for f in fields), m.group.name if m.group else "")
            for m in attach_scores(Member.objects.filter(branch=b), cycle=Cycle.objects.get(year=2018))
        )

    assert facts(other) == facts(branch)


def test_formula_looking_name_stays_text(branch):
    """A name like =cmd|... is written and read as text, never as a formula."""
    evil = '=HYPERLINK("http://x","点")'  # names carry no spaces: whitespace is padding and removed
    import_roster(
        branch=branch,
        data=xlsx([["姓名", "性别", "出生日期", "入党日期"], [evil, "男", "1970-01-01", "1995-01-01"]]),
    )
    assert Member.objects.get(branch=branch).name == evil
    wb = export_workbook(Member.objects.filter(branch=branch))
    assert wb.active.cell(row=2, column=1).data_type == "s"
    back = openpyxl.load_workbook(BytesIO(workbook_bytes(wb)))  # not data_only: a formula would show as one
    assert back.active.cell(row=2, column=1).value == evil
    assert back.active.cell(row=2, column=1).data_type == "s"


# The commands ---------------------------------------------------------------------------------------------------------


def test_import_command_good_file(branch, tmp_path, capsys):
    path = tmp_path / "good.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("import_members", str(path), "--branch", branch.name)
    assert Member.objects.filter(branch=branch).count() == 2
    assert "新增党员 2 人" in capsys.readouterr().out


def test_import_command_bad_file_exits_non_zero_and_writes_nothing(branch, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([*GOOD, ["李春明", "男", "不知道", "1995-01-01", "正式"]]))
    with pytest.raises(CommandError) as e:
        call_command("import_members", str(path), "--branch", branch.name)
    assert "第 4 行，「出生日期」：无法识别日期「不知道」" in str(e.value)
    assert Member.objects.filter(branch=branch).count() == 0


def test_import_command_exits_with_status_1_on_a_bad_file(branch, tmp_path, capsys, monkeypatch):
    """Run as from the shell (manage.py's entry point): a refused file is exit status 1, the reasons on stderr."""
    from django.core.management import execute_from_command_line
    from django.db import connections

    # run_from_argv closes every connection when it ends; on PostgreSQL that would close the test's own transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([*GOOD, ["李春明", "男", "1970-01-01", "1960-01-01", "正式"]]))
    with pytest.raises(SystemExit) as e:
        execute_from_command_line(["manage.py", "import_members", str(path), "--branch", branch.name])
    assert e.value.code == 1
    assert "第 4 行，「入党日期」：入党日期必须晚于出生日期" in capsys.readouterr().err
    assert Member.objects.filter(branch=branch).count() == 0
    path.write_bytes(xlsx(GOOD))
    execute_from_command_line(["manage.py", "import_members", str(path), "--branch", branch.name])
    assert Member.objects.filter(branch=branch).count() == 2


def test_import_command_unknown_branch(tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(xlsx(GOOD))
    with pytest.raises(CommandError, match="没有名为"):
        call_command("import_members", str(path), "--branch", "不存在的支部")


def test_active_member_of_another_branch_is_refused_until_transferred(branch):
    """A member belongs to one branch: the same person (name and birth date) still on another roster is refused."""
    other = factories.branch()
    elsewhere = factories.member(other, name="王树林", birth_date=date(1968, 3, 5))
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=xlsx(GOOD))
    assert (
        f"第 2 行，「姓名」：王树林（出生日期相同）仍在{other.name}的名册中，请先由该支部办理转出"
        in e.value.problems
    )
    assert Member.objects.filter(branch=branch).count() == 0
    services.member_leave(member=elsewhere, reason=Member.LeftReason.TRANSFERRED, on=date(2018, 12, 1))
    assert len(import_roster(branch=branch, data=xlsx(GOOD)).created) == 2


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("１９６８．０３", date(1968, 3, 1)),
        ("1968 年 3 月", date(1968, 3, 1)),
        ("1968年3月5日", date(1968, 3, 5)),
        ("1968/3/5", date(1968, 3, 5)),
        ("1968.3.5", date(1968, 3, 5)),
        ("196803", date(1968, 3, 1)),
        (19680305, date(1968, 3, 5)),
        (25000, date(1968, 6, 11)),  # an Excel serial day in a plain number cell
        (1968.03, date(1968, 3, 1)),
        (1968.1, date(1968, 10, 1)),
    ],
)
def test_date_forms(cell, expected):
    from branch.roster_excel import parse_date

    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    "cell, reason",
    [
        (1968, "只有年份「1968」"),
        ("1968年", "只有年份「1968年」"),
        ("1968-02-30", "「1968-02-30」不是有效日期"),
        ("1850.01", "不在合理范围"),
        ("2999.01", "不在合理范围"),
        ("三月", "无法识别日期「三月」"),
    ],
)
def test_bad_date_forms_say_why(cell, reason):
    from branch.roster_excel import parse_date

    with pytest.raises(ValueError, match=reason):
        parse_date(cell)


def test_file_with_xml_entities_is_refused(branch):
    """defusedxml: a sheet that declares an external entity (XXE) is refused, nothing read from the machine."""
    import zipfile

    good = xlsx([["姓名", "性别", "出生日期", "入党日期"], ["甲", "男", "1970.01", "1990.01"]])
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(good)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"<worksheet", b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/hostname">]><worksheet', 1
                ).replace("<t>甲</t>".encode(), b"<t>&x;</t>")
                assert b"&x;" in content
            zout.writestr(item, content)
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=out.getvalue())
    assert e.value.problems == ["无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式"]
    assert Member.objects.filter(branch=branch).count() == 0
