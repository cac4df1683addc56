"""The roster import in bulk (issue 15 item 4) and bounded against hostile files (issue 16 items 2 and 3).

The whole file is checked in memory with a few queries, then written in one transaction; it gives the same members,
history rows and errors as the row-by-row path (kept in tests/bench/legacy.py for the bench) on the test files.
"""

import struct
import tracemalloc
import zlib
from datetime import date
from io import BytesIO
from zipfile import ZipFile

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branch.models import Member, PartyGroup
from branch.roster_excel import RosterError, import_roster
from tests import factories
from tests.bench import legacy
from tests.branch.test_import import (
    GOOD,
    bad_rows_file,
    focus_column_file,
    focus_ticks_file,
    messy_file,
    stars_file,
    xlsx,
    year_dot_month_file,
)

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "性别", "出生日期", "入党日期", "党小组"]


def roster(n: int, *, bad_last: bool = False) -> bytes:
    rows = [
        [
            f"党员{i}",
            "男" if i % 2 else "女",
            date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
            "2000-07-01",
            f"第{i % 3}组",
        ]
        for i in range(n)
    ]
    if bad_last:
        rows[-1][3] = "不知道"
    return xlsx([HEADER, *rows])


# Same outcome as row by row -----------------------------------------------------------------------------------------


def _nothing(branch):
    pass


def _good_first(branch):
    legacy.import_roster(branch=branch, data=xlsx(GOOD))


def _a_group(branch):
    PartyGroup.objects.create(branch=branch, name="第一党小组")


def _member_already(branch):
    factories.member(branch, name="已有党员", gender="M", ethnicity="汉族", birth_date=date(1960, 1, 1))


def _namesake_elsewhere(branch):
    factories.member(factories.branch(name="外村党支部"), name="王树林", birth_date=date(1968, 3, 5))


CASES = {
    "messy": (_nothing, messy_file),
    "year.month numbers": (_nothing, year_dot_month_file),
    "focus ticks": (_nothing, focus_ticks_file),
    "focus column": (_nothing, focus_column_file),
    "stars and points": (_nothing, stars_file),
    "existing group": (
        _a_group,
        lambda: xlsx([HEADER, ["李春明", "男", "1970-01-01", "1995-01-01", "第一党小组"]]),
    ),
    "same file twice": (_good_first, lambda: xlsx(GOOD)),
    "one new row": (_good_first, lambda: xlsx([*GOOD, ["萨仁", "女", "1992-01-01", "2016-07-01", "正式"]])),
    "changed facts": (
        _good_first,
        lambda: xlsx([GOOD[0], ["王树林", "男", "1968-03-05", "1991-07-01", "正式党员"], GOOD[2]]),
    ),
    "duplicate rows": (_nothing, lambda: xlsx([*GOOD, ["王树林", "男", "1968.03.05", "1990.07.01", "正式"]])),
    "bad rows": (_member_already, bad_rows_file),
    "service rule": (
        _nothing,
        lambda: xlsx([["姓名", "性别", "出生年月", "入党时间"], ["王树林", "男", "1968.03", "1960.07"]]),
    ),
    "namesake elsewhere": (_namesake_elsewhere, lambda: xlsx(GOOD)),
    "template": (_nothing, lambda: xlsx([HEADER])),
}


def _outcome(import_fn, branch, setup, data) -> dict:
    """What an import leaves (members, their history rows, the result or the errors), then rolled back."""
    with transaction.atomic():
        setup(branch)
        try:
            result = import_fn(branch=branch, data=data)
        except RosterError as e:
            said = ("refused", e.problems)
        else:
            said = (
                "imported",
                [m.name for m in result.created],
                result.skipped,
                result.groups_created,
                result.summary,
            )
        groups = dict(PartyGroup.objects.values_list("pk", "name"))
        ignore = {"id", "group_id", "history_id", "history_date"}
        members = [
            ({k: v for k, v in row.items() if k not in ignore}, groups.get(row["group_id"]))
            for row in Member.objects.filter(branch=branch).order_by("pk").values()
        ]
        history = [
            ({k: v for k, v in row.items() if k not in ignore}, groups.get(row["group_id"]))
            for row in Member.history.filter(branch=branch).order_by("history_id").values()
        ]
        transaction.set_rollback(True)
    return {"said": said, "members": members, "history": history}


@pytest.mark.parametrize("case", CASES)
def test_bulk_import_gives_the_same_members_history_and_errors_as_row_by_row(case):
    setup, make = CASES[case]
    branch = factories.branch()
    data = make()
    old = _outcome(legacy.import_roster, branch, setup, data)
    new = _outcome(import_roster, branch, setup, data)
    assert new == old
    assert old["members"] or old["said"][0] == "refused"


# A few queries whatever the size -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 30])
def test_import_runs_the_same_few_queries_at_any_size(rows, django_assert_num_queries):
    """Groups, members of the branch, namesakes elsewhere; then one transaction: groups, members, history rows.

    (The inserts go by as many rows as the engine takes parameters in one statement: about 35 members and history rows on SQLite.)"""
    branch = factories.branch()
    data = roster(rows)
    # SAVEPOINT/RELEASE of the write's atomic block (the test runs inside a transaction), the three inserts, and the
    # look-up of a secretary login waiting for its member record (issue 12 onboarding).
    with django_assert_num_queries(3 + 2 + 3 + 1):
        result = import_roster(branch=branch, data=data)
    assert len(result.created) == Member.objects.filter(branch=branch).count() == rows
    assert Member.history.filter(branch=branch, history_type="+").count() == rows


def test_a_refused_file_only_reads(django_assert_num_queries):
    """The last of 50 rows is wrong: nothing is inserted and rolled back, the file is refused after three reads."""
    branch = factories.branch()
    with CaptureQueriesContext(connection) as ctx, pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=roster(50, bad_last=True))
    assert "第 51 行，「入党日期」：无法识别日期「不知道」，请写成 1968-03-05 或 1968.03" in e.value.problems
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["SELECT"] * 3
    assert not Member.objects.filter(branch=branch).exists()


def test_group_name_too_long_is_a_row_error_not_a_crash():
    """Row by row, a 党小组 of 41 characters escaped as an unhandled ValidationError (a 500 on the page)."""
    branch = factories.branch()
    with pytest.raises(RosterError) as e:
        import_roster(
            branch=branch, data=xlsx([HEADER, ["王树林", "男", "1968-03-05", "1990-07-01", "组" * 41]])
        )
    assert any(p.startswith("第 2 行，「党小组」：") for p in e.value.problems)
    assert not PartyGroup.objects.filter(branch=branch).exists()


def test_upload_writes_history_rows_by_the_secretary(client):
    w = factories.world(members=1)
    client.force_login(w.users["secretary"])
    upload = BytesIO(roster(3))
    upload.name = "名册.xlsx"
    response = client.post(reverse("roster_import"), {"file": upload})
    assert response.status_code == 302
    rows = Member.history.filter(branch=w.branch, name__startswith="党员", history_type="+")
    assert rows.count() == 3
    assert {r.history_user_id for r in rows} == {w.users["secretary"].pk}


# Hostile files (issue 16) --------------------------------------------------------------------------------------------

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1">'
    + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in ("姓名", "性别", "出生日期", "入党日期"))
    + "</row>"
).encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def _with_sheet(body_chunk: bytes, repeat: int) -> bytes:
    """A real workbook whose first sheet is the header row then `body_chunk` `repeat` times.

    The deflate stream is built from one compressed block repeated (a full flush resets the compressor, so the same
    input gives the same bytes), and the zip is written by hand: a bomb of any size costs milliseconds to build.
    """
    template = BytesIO(xlsx([["姓名"]]))
    entries = []
    with ZipFile(template) as z:
        for info in z.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            entries.append((info.filename, z.read(info.filename), None))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(SHEET_HEAD) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(body_chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(SHEET_TAIL) + c.flush()
    crc = zlib.crc32(SHEET_HEAD)
    for _ in range(repeat):
        crc = zlib.crc32(body_chunk, crc)
    crc = zlib.crc32(SHEET_TAIL, crc)
    size = len(SHEET_HEAD) + len(body_chunk) * repeat + len(SHEET_TAIL)
    entries.append(("xl/worksheets/sheet1.xml", head + block * repeat + tail, (crc, size)))

    out, central = BytesIO(), BytesIO()
    for name, content, packed in entries:
        if packed is None:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            crc, size, content = zlib.crc32(content), len(content), c.compress(content) + c.flush()
        else:
            crc, size = packed
        offset, raw = out.tell(), name.encode()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(content), size, len(raw), 0)
        )
        out.write(raw + content)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(content),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start = out.tell()
    out.write(central.getvalue())
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central.getvalue()), start, 0
        )
    )
    return out.getvalue()


def _timed(data: bytes) -> tuple[RosterError, float, float]:
    """The refusal and its peak of Python memory, nothing written. (How fast it is refused is measured in
    `make bench`, never asserted here: a timed test fails on a busy machine.)"""
    branch = factories.branch()
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=data)
    seconds = 0.0
    tracemalloc.start()
    try:
        with pytest.raises(RosterError):
            import_roster(branch=branch, data=data)
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()
    assert not Member.objects.filter(branch=branch).exists()
    return e.value, seconds, peak


def test_zip_bomb_roster_is_refused_at_once_from_the_zip_directory():
    """A file of about 3 MB whose sheet inflates to 1 GB of rows: refused before parsing, in well under a second."""
    chunk = b'<row><c t="inlineStr"><is><t>\xe7\x94\xb2</t></is></c></row>' * 20000
    data = _with_sheet(chunk, repeat=(1 << 30) // len(chunk))
    assert len(data) < 4 * 1024 * 1024
    with ZipFile(BytesIO(data)) as z:  # a valid zip: Python itself would inflate it
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 1000 * 1024 * 1024
    error, seconds, peak = _timed(data)
    assert (
        len(error.problems) == 1
        and "文件解压后达" in error.problems[0]
        and "超过 30 MB 的上限" in error.problems[0]
    )
    assert peak < 30  # MB of Python memory: the file itself is 3 MB


def test_more_rows_than_the_limit_are_refused_at_once(settings):
    """150,000 rows within the unpacked limit: reading stops at row 3,001, without parsing the rest or writing."""
    assert settings.ROSTER_MAX_ROWS == 3000
    chunk = (
        '<row><c t="inlineStr"><is><t>甲</t></is></c><c t="inlineStr"><is><t>男</t></is></c>'
        '<c t="inlineStr"><is><t>1970.01</t></is></c><c t="inlineStr"><is><t>1990.01</t></is></c></row>'
    ).encode() * 1000
    data = _with_sheet(chunk, repeat=150)
    with ZipFile(BytesIO(data)) as z:
        assert sum(i.file_size for i in z.infolist()) < settings.ROSTER_MAX_UNPACKED_BYTES
    error, seconds, peak = _timed(data)
    assert error.problems == ["名册超过 3000 行：一次最多导入 3000 名党员，请分成几个文件分批导入"]
    assert peak < 30


def test_row_limit_is_a_setting_and_blank_lines_do_not_count(settings):
    settings.ROSTER_MAX_ROWS = 2
    branch = factories.branch()
    with pytest.raises(RosterError) as e:
        import_roster(branch=branch, data=roster(3))
    assert e.value.problems == ["名册超过 2 行：一次最多导入 2 名党员，请分成几个文件分批导入"]
    with_blanks = xlsx(
        [
            HEADER,
            *[[None] * 5] * 5,
            ["甲", "男", "1970.01", "1990.01", ""],
            [None],
            ["乙", "女", "1971.01", "1991.01", ""],
        ]
    )
    assert len(import_roster(branch=branch, data=with_blanks).created) == 2


def test_upload_over_the_row_limit_is_refused_with_status_400(client, settings):
    settings.ROSTER_MAX_ROWS = 3
    w = factories.world(members=1)
    client.force_login(w.users["secretary"])
    upload = BytesIO(roster(4))
    upload.name = "名册.xlsx"
    response = client.post(reverse("roster_import"), {"file": upload})
    assert response.status_code == 400
    assert "名册超过 3 行" in response.content.decode()
    assert not Member.objects.filter(branch=w.branch, name__startswith="党员").exists()
