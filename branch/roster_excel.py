"""The Excel roster: the template, the import (all-or-nothing) and the export, for the web page and the commands alike.

Real rosters are messy, so the import finds the header row by name (title rows may sit above it), accepts the usual synonyms
in any order, full-width digits and spaces, dates as Excel dates or as text (1968.03, 1968年3月, 1968-03-05, 1968/3/5,
19680305), blank lines and extra columns.

Duplicates and re-imports, precisely: a row's key is (姓名, 出生日期), as in the model's constraint.
- Two rows of the file with the same key: the later row is an error.
- A key that is an active member of another branch: an error (a member belongs to one branch; transfer them out first).
- A row whose key matches a member already in the branch: if every column the file has holds the member's stored value
  (columns the file lacks are not compared), the member is "already there" and the row is skipped; otherwise the row is an
  error naming the columns that differ. So importing the same file twice creates nobody twice, and a file can never
  silently overwrite or double a member.
One bad row and nothing is written: the whole file is checked first, in memory, by the same rules as the web form
(`services.member_check_new`), against the branch's groups and members and the other branches' namesakes fetched once;
only a file without a single error is written, in one transaction (`services.members_create_bulk`: bulk inserts and
one history row per member). A refused file costs the reading and a few queries, nothing more.

Hostile files are refused before they cost much: over ROSTER_MAX_BYTES on disk, over ROSTER_MAX_UNPACKED_BYTES once
unzipped (read from the zip's directory before any parsing; Python's zipfile never inflates a member beyond the size its
directory declares), over ROSTER_MAX_ROWS members (the rows are streamed and reading stops there).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.utils.datetime import from_excel

from . import services
from .models import Branch, Member, PartyGroup
from .xlsx import load_workbook_streamed, write_cell

# The template's columns, in order: (model field, header). The export writes exactly these, so it re-imports cleanly.
COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("education", "学历"),
    ("joined_on", "入党日期"),
    ("full_member_on", "转正日期"),
    ("status", "人员类别"),
    ("group", "党小组"),
    ("phone", "联系电话"),
    ("is_mobile", "流动党员"),
    ("mobile_location", "流动去向"),
    ("is_veteran", "退役军人"),
    ("is_hardship", "困难党员"),
    ("is_health_issue", "身心健康"),
    ("is_disciplined", "受处分"),
    ("is_leading_cadre", "领导干部"),
    ("is_retired", "离退休"),
    ("stars", "星级"),
    ("points", "积分"),
]
HEADER = dict(COLUMNS)
FOCUS_COLUMN = "focus"  # one column (重点类别) listing several flags
REQUIRED = ("name", "gender", "birth_date", "joined_on")
FLAGS = (
    "is_mobile",
    "is_veteran",
    "is_hardship",
    "is_health_issue",
    "is_disciplined",
    "is_leading_cadre",
    "is_retired",
)
DATES = ("birth_date", "joined_on", "full_member_on")

# Header text (normalised) -> field. Each field's own template header is included.
SYNONYMS: dict[str, str] = {
    "姓名": "name",
    "党员姓名": "name",
    "性别": "gender",
    "民族": "ethnicity",
    "出生年月": "birth_date",
    "出生日期": "birth_date",
    "出生时间": "birth_date",
    "学历": "education",
    "文化程度": "education",
    "入党时间": "joined_on",
    "入党日期": "joined_on",
    "转正时间": "full_member_on",
    "转正日期": "full_member_on",
    "人员类别": "status",
    "党员类别": "status",
    "类别": "status",
    "党小组": "group",
    "所在党小组": "group",
    "联系电话": "phone",
    "手机": "phone",
    "电话": "phone",
    "手机号码": "phone",
    "联系方式": "phone",
    "流动党员": "is_mobile",
    "流动去向": "mobile_location",
    "流入地": "mobile_location",
    "流动所在地": "mobile_location",
    "退役军人": "is_veteran",
    "退役军人党员": "is_veteran",
    "困难党员": "is_hardship",
    "家庭生活困难党员": "is_hardship",
    "身心健康": "is_health_issue",
    "身心健康存在问题": "is_health_issue",
    "受处分": "is_disciplined",
    "受到纪律处分或组织处置": "is_disciplined",
    "领导干部": "is_leading_cadre",
    "党员领导干部": "is_leading_cadre",
    "离退休": "is_retired",
    "重点类别": FOCUS_COLUMN,
    "重点关注类别": FOCUS_COLUMN,
    "星级": "stars",
    "积分": "points",
}
# Words in a 重点类别 cell -> flag.
FOCUS_WORDS: dict[str, str] = {
    "流动党员": "is_mobile",
    "流动": "is_mobile",
    "退役军人": "is_veteran",
    "退役军人党员": "is_veteran",
    "困难党员": "is_hardship",
    "生活困难": "is_hardship",
    "家庭生活困难党员": "is_hardship",
    "身心健康": "is_health_issue",
    "身心健康存在问题": "is_health_issue",
    "受处分": "is_disciplined",
    "纪律处分": "is_disciplined",
    "受到纪律处分或组织处置": "is_disciplined",
    "领导干部": "is_leading_cadre",
    "党员领导干部": "is_leading_cadre",
    "离退休": "is_retired",
    "退休": "is_retired",
}
YES = {"是", "√", "✓", "✔", "1", "y", "yes", "true", "有"}
NO = {"", "否", "×", "✗", "0", "n", "no", "false", "无"}
GENDERS = {
    "男": Member.Gender.MALE,
    "男性": Member.Gender.MALE,
    "女": Member.Gender.FEMALE,
    "女性": Member.Gender.FEMALE,
}
STATUSES = {
    "正式党员": Member.Status.FULL,
    "正式": Member.Status.FULL,
    "预备党员": Member.Status.PROBATIONARY,
    "预备": Member.Status.PROBATIONARY,
}
HEADER_SCAN_ROWS = 15
# Blank lines are skipped, not counted as members; this many of them per allowed member bounds the reading all the same.
BLANK_ROWS_PER_ROW = 10
XLSX_MAGIC = b"PK\x03\x04"
# A plain number in a date column is an Excel serial day when it falls between 1908 and 2064.
EXCEL_SERIALS = (3000, 60000)


class RosterError(Exception):
    """The file was refused; `problems` lists each reason, one line each, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: list[Member] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "第 N 行 王树林：已在名册中"
    groups_created: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"新增党员 {len(self.created)} 人，已在名册中跳过 {len(self.skipped)} 人"
        if self.groups_created:
            text += f"，新建党小组：{'、'.join(self.groups_created)}"
        return text


def clean_text(value) -> str:
    """Full-width letters, digits and spaces to ordinary ones (NFKC), trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_key(value) -> str:
    text = re.sub(r"\s+", "", clean_text(value))
    text = re.sub(r"[（(].*?[)）]", "", text)  # 出生年月（yyyy.mm）
    return text.strip("*:：")


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 19680305
    re.compile(r"^(\d{4})(\d{2})$"),  # 196803
    re.compile(r"^(\d{4})[.\-/年](\d{1,2})(?:[.\-/月](\d{1,2})日?|月)?$"),  # 1968.03 1968-03-05 1968年3月5日
]


def parse_date(value) -> date:
    """A date from an Excel date, an Excel serial or text; a month without a day is the 1st."""
    if isinstance(value, datetime):
        return _plausible(value.date())
    if isinstance(value, date):
        return _plausible(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1900 <= value < 2100 and float(value).is_integer():
            raise ValueError(f"只有年份「{int(value)}」，请至少写到月份，如 {int(value)}.03")
        if 1900 <= value < 2100:
            # 1968.03 typed into a number cell; Excel drops the trailing zero of 1968.10, so two decimals is the month.
            value = f"{value:.2f}"
        elif EXCEL_SERIALS[0] <= value < EXCEL_SERIALS[1]:
            return _plausible(from_excel(value).date())
    text = re.sub(r"\s+", "", clean_text(value)).replace("。", ".")
    if not text:
        raise ValueError("不能为空")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month, day = (int(g) if g else 1 for g in (m.groups() + (None,))[:3])
            try:
                parsed = date(year, month, day)
            except ValueError:
                raise ValueError(f"「{text}」不是有效日期") from None
            return _plausible(parsed)
    if re.fullmatch(r"\d{4}年?", text):
        raise ValueError(f"只有年份「{text}」，请至少写到月份，如 {text[:4]}.03")
    raise ValueError(f"无法识别日期「{text}」，请写成 1968-03-05 或 1968.03")


def _plausible(day: date) -> date:
    if not (date(1900, 1, 1) <= day <= timezone.localdate()):
        raise ValueError(f"日期 {day:%Y-%m-%d} 不在合理范围（1900 年至今）")
    return day


def parse_flag(value) -> bool:
    text = clean_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"应填写“是”或“否”，而不是「{text}」")


def parse_focus(value) -> dict[str, bool]:
    flags = {}
    for word in re.split(r"[、,，;；/\s]+", clean_text(value)):
        if not word:
            continue
        if word not in FOCUS_WORDS:
            raise ValueError(f"无法识别的类别「{word}」")
        flags[FOCUS_WORDS[word]] = True
    return flags


def parse_whole(value, *, low: int | None = None, high: int | None = None) -> int | None:
    text = clean_text(value)
    if not text:
        return None
    if set(text) == {"★"}:
        number = len(text)
    elif re.fullmatch(r"-?\d+(\.0+)?", text):
        number = int(float(text))
    else:
        raise ValueError(f"应为整数，而不是「{text}」")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"应在 {low}–{high} 之间")
    return number


def _parse_cell(field_name: str, value):
    if field_name in DATES:
        if field_name == "full_member_on" and not clean_text(value):
            return None
        return parse_date(value)
    if field_name in FLAGS:
        return parse_flag(value)
    if field_name == FOCUS_COLUMN:
        return parse_focus(value)
    if field_name == "gender":
        text = clean_text(value)
        if text not in GENDERS:
            raise ValueError(f"应填写“男”或“女”，而不是「{text}」" if text else "不能为空")
        return GENDERS[text]
    if field_name == "status":
        text = re.sub(r"\s+", "", clean_text(value))
        if not text:
            return None  # decided from the 转正日期 below
        if text not in STATUSES:
            raise ValueError(f"应填写“正式党员”或“预备党员”，而不是「{text}」")
        return STATUSES[text]
    if field_name == "stars":
        return parse_whole(value, low=0, high=5)
    if field_name == "points":
        return parse_whole(value)
    if field_name in ("name", "group", "phone"):
        return re.sub(r"\s+", "", clean_text(value))  # "王  林" is padded for alignment
    return clean_text(value)


# Reading ---------------------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    columns: dict[int, str]  # column index -> field
    labels: dict[str, str]  # field -> header as written in the file (for messages)
    rows: list[tuple[int, tuple]]  # (sheet row number, values to the last roster column); no blank lines


def _find_header(rows: list[tuple]) -> tuple[int, dict[int, str], dict[str, str]] | None:
    for index, values in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns, labels = {}, {}
        for col, value in enumerate(values):
            key = _header_key(value)
            field_name = SYNONYMS.get(key)
            if field_name and field_name not in labels:
                columns[col] = field_name
                labels[field_name] = clean_text(value)
        if "name" in labels and len(labels) >= 3:
            return index, columns, labels
    return None


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def read_sheet(data: bytes) -> Sheet:
    """Check the file and find its roster sheet; raises RosterError."""
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise RosterError(
            [f"文件超过 {settings.ROSTER_MAX_BYTES // (1024 * 1024)} MB，请删去无关内容后再导入"]
        )
    if not data.startswith(XLSX_MAGIC):
        raise RosterError(["不是 Excel（.xlsx）文件；旧版 .xls 或其他格式请在 Excel/WPS 中另存为 .xlsx"])
    try:
        _check_unpacked_size(data)
        return _roster_sheet(data)
    except RosterError:
        raise
    except Exception:  # noqa: BLE001 - an uploaded file may break the parser in any way: refuse it, never a 500
        raise RosterError(["无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式"]) from None


def read_sheet_bytes_checked(data: bytes) -> None:
    """The checks every uploaded .xlsx passes before it is parsed (size, file type, the zip bomb); raises RosterError."""
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise RosterError(
            [f"文件超过 {settings.ROSTER_MAX_BYTES // (1024 * 1024)} MB，请删去无关内容后再导入"]
        )
    if not data.startswith(XLSX_MAGIC):
        raise RosterError(["不是 Excel（.xlsx）文件；旧版 .xls 或其他格式请在 Excel/WPS 中另存为 .xlsx"])
    try:
        _check_unpacked_size(data)
    except RosterError:
        raise
    except Exception:  # noqa: BLE001 - not a zip at all
        raise RosterError(["无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式"]) from None


def _check_unpacked_size(data: bytes) -> None:
    """A zip bomb (a small .xlsx whose sheet inflates to gigabytes) is refused from the zip's directory alone."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > settings.ROSTER_MAX_UNPACKED_BYTES:
        raise RosterError(
            [
                f"文件解压后达 {_megabytes(unpacked)} MB，超过 {_megabytes(settings.ROSTER_MAX_UNPACKED_BYTES)} MB 的上限"
                "（正常的党员名册远小于此）；请把名册复制到新建的 Excel 文件中，只保留名册再导入"
            ]
        )


def _too_many_rows() -> RosterError:
    limit = settings.ROSTER_MAX_ROWS
    return RosterError([f"名册超过 {limit} 行：一次最多导入 {limit} 名党员，请分成几个文件分批导入"])


def _roster_sheet(data: bytes) -> Sheet:
    wb = load_workbook_streamed(
        data
    )  # defusedxml: a file with XML entities raises here or while reading rows
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # some tools write a wrong <dimension>; read every row and column there is
            rows = ws.iter_rows(values_only=True)  # streamed: read-only mode parses a row at a time
            head = [tuple(r) for r in itertools.islice(rows, HEADER_SCAN_ROWS)]
            found = _find_header(head)
            if found is None:
                continue
            index, columns, labels = found
            missing = [HEADER[f] for f in REQUIRED if f not in labels]
            if missing:
                raise RosterError([f"表头缺少必需的列：{'、'.join(f'「{m}」' for m in missing)}"])
            body = _body(itertools.chain(head[index + 1 :], rows), header_index=index, width=max(columns) + 1)
            return Sheet(columns=columns, labels=labels, rows=body)
    finally:
        wb.close()
    raise RosterError(["未找到表头行：前 15 行中没有同时含「姓名」等列名的一行，请使用名册模板"])


def _body(rows, *, header_index: int, width: int) -> list[tuple[int, tuple]]:
    """The rows under the header, numbered as in the sheet; reading stops as soon as the file is over the row limit.

    A row is blank when every cell is (extra columns included, as before); it is kept only up to the last roster column,
    so a cell far to the right costs nothing once read.
    """
    limit = settings.ROSTER_MAX_ROWS
    body, blank = [], 0
    for row_number, values in enumerate(rows, start=header_index + 2):
        if all(clean_text(v) == "" for v in values):
            blank += 1
            if blank > limit * BLANK_ROWS_PER_ROW:
                raise _too_many_rows()
            continue
        if len(body) == limit:
            raise _too_many_rows()
        body.append((row_number, tuple(values[:width])))
    return body


def _parse_row(sheet: Sheet, values: tuple) -> tuple[dict, list[tuple[str, str]]]:
    fields, errors = {}, []
    for col, field_name in sheet.columns.items():
        value = values[col] if col < len(values) else None
        try:
            parsed = _parse_cell(field_name, value)
        except ValueError as e:
            errors.append((sheet.labels[field_name], str(e)))
            continue
        if field_name == FOCUS_COLUMN:
            for flag in parsed:
                fields[flag] = True
        elif not (field_name in FLAGS and fields.get(field_name)):
            fields[field_name] = parsed
    if FOCUS_COLUMN in sheet.labels and not any(label == sheet.labels[FOCUS_COLUMN] for label, _ in errors):
        for flag in FLAGS:
            fields.setdefault(flag, False)  # a 重点类别 cell lists every flag the member has
    if "status" in fields and fields["status"] is None:
        fields["status"] = Member.Status.FULL
    for required in ("name", "ethnicity"):
        if fields.get(required) == "":
            errors.append((sheet.labels[required], "不能为空"))
    return fields, errors


def _same_as_stored(member: Member, fields: dict, group_names: dict[int, str]) -> list[str]:
    """The columns of the file whose value differs from the stored member."""
    differ = []
    for field_name, value in fields.items():
        stored = (
            group_names.get(member.group_id, "") if field_name == "group" else getattr(member, field_name)
        )
        if stored != value:
            differ.append(HEADER[field_name])
    return differ


def _label(sheet: Sheet, field_name: str) -> str:
    if field_name in sheet.labels:
        return sheet.labels[field_name]
    if field_name in FLAGS and FOCUS_COLUMN in sheet.labels:
        return sheet.labels[FOCUS_COLUMN]
    return HEADER.get(field_name, "—")


def import_roster(*, branch: Branch, data: bytes) -> ImportResult:
    """Import a roster file into a branch: everything or nothing. Raises RosterError with one line per problem."""
    with translation.override("zh-hans"):
        sheet = read_sheet(data)
        problems: list[str] = []
        parsed: list[tuple[int, dict]] = []
        for row_number, values in sheet.rows:
            fields, errors = _parse_row(sheet, values)
            problems += [f"第 {row_number} 行，「{label}」：{reason}" for label, reason in errors]
            if not errors:
                parsed.append((row_number, fields))
        if not parsed and not problems:
            raise RosterError(["表头下没有党员数据"])
        plan = _check(branch=branch, sheet=sheet, parsed=parsed, problems=problems)
        if problems:
            raise RosterError(["名册未导入（有错误时一行也不写入），请改正以下各行后重新上传：", *problems])
        try:
            plan.created = services.members_create_bulk(
                groups=plan.new_groups, members=plan.created, scores=plan.scores
            )
        except IntegrityError:
            # Someone added the same member (or group) between the check and the write: nothing was written.
            raise RosterError(["导入时名册正被他人修改，名册未导入；请稍后重新上传"]) from None
    return plan


@dataclass
class _Plan(ImportResult):
    new_groups: list[PartyGroup] = field(default_factory=list)
    # 星级/积分 of new members (R5.3): they go to the branch's newest cycle, not onto the member.
    scores: list[tuple[Member, int | None, int | None]] = field(default_factory=list)


def _check(*, branch: Branch, sheet: Sheet, parsed: list[tuple[int, dict]], problems: list[str]) -> _Plan:
    """Every rule, in memory, against rows fetched once: three queries whatever the size of the file.

    Appends to `problems` in the order of the rows, the same lines as a row-by-row import through member_create.
    """
    plan = _Plan()
    groups = {g.name: g for g in branch.groups.all()}
    group_names = {g.pk: g.name for g in groups.values()}
    from .selectors import attach_scores, newest_cycle_of

    existing_members = Member.objects.filter(branch=branch)
    if any(f in sheet.labels for f in services.SCORE_FIELDS):
        # 星级/积分 live on the cycle's roster (R5.3): read only when the file has those columns.
        existing_members = attach_scores(existing_members, cycle=newest_cycle_of(branch=branch))
    existing = {(m.name, m.birth_date): m for m in existing_members}
    names = {fields["name"] for _, fields in parsed}
    elsewhere = {
        (name, birth): branch_name
        for name, birth, branch_name in Member.objects.active()
        .exclude(branch=branch)
        .filter(name__in=names)
        .values_list("name", "birth_date", "branch__name")
    }
    seen: dict[tuple[str, date], int] = {}
    for row_number, fields in parsed:
        key = (fields["name"], fields["birth_date"])
        if key in seen:
            problems.append(
                f"第 {row_number} 行，「{sheet.labels['name']}」：与第 {seen[key]} 行重复（姓名和出生日期相同）"
            )
            continue
        seen[key] = row_number
        if key in existing:
            differ = _same_as_stored(existing[key], fields, group_names)
            if differ:
                problems.append(
                    f"第 {row_number} 行，「{sheet.labels['name']}」：名册中已有同名且出生日期相同的党员"
                    f"{fields['name']}，但「{'」「'.join(differ)}」不同；请在网页上修改该党员，不要重复导入"
                )
            else:
                plan.skipped.append(f"第 {row_number} 行 {fields['name']}：已在名册中")
            continue
        if key in elsewhere:
            # A member belongs to one branch: the other branch transfers them out first.
            problems.append(
                f"第 {row_number} 行，「{sheet.labels['name']}」：{fields['name']}（出生日期相同）仍在"
                f"{elsewhere[key]}的名册中，请先由该支部办理转出"
            )
            continue
        group_name = fields.pop("group", "")
        if group_name and group_name not in groups:
            group = PartyGroup(branch=branch, name=group_name)
            try:
                services.group_check_new(group=group)
            except ValidationError as e:
                # Row by row, a group name over 40 characters was an unhandled error; here it is the row's problem.
                problems += [f"第 {row_number} 行，「{_label(sheet, 'group')}」：{m}" for m in e.messages]
                continue
            groups[group_name] = group
            plan.new_groups.append(group)
            plan.groups_created.append(group_name)
        scores = {k: fields.pop(k) for k in services.SCORE_FIELDS if k in fields}
        member = Member(branch=branch, group=groups.get(group_name) if group_name else None, **fields)
        if scores.get("stars") is not None or scores.get("points") is not None:
            plan.scores.append((member, scores.get("stars"), scores.get("points")))
        try:
            services.member_check_new(member=member)
        except ValidationError as e:
            for field_name, messages in e.message_dict.items():
                for message in messages:
                    problems.append(f"第 {row_number} 行，「{_label(sheet, field_name)}」：{message}")
            continue
        plan.created.append(member)
    return plan


# Writing ---------------------------------------------------------------------------------------------------------


def _header_sheet(wb: Workbook, title: str):
    ws = wb.active
    ws.title = title
    for col, (_, header) in enumerate(COLUMNS, start=1):
        write_cell(ws, 1, col, header)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 12
    ws.freeze_panes = "A2"
    return ws


def template_workbook() -> Workbook:
    """An empty roster with the header row, and a sheet that says what each column accepts."""
    wb = Workbook()
    _header_sheet(wb, "党员名册")
    notes = wb.create_sheet("填写说明")
    lines = [
        "党员名册填写说明",
        "必填列：姓名、性别、出生日期、入党日期。",
        "日期可写 1968-03-05、1968/3/5、1968.03、1968年3月、19680305，或 Excel 日期。",
        "性别：男／女。人员类别：正式党员／预备党员（空白按正式党员）。",
        "流动党员、退役军人、困难党员、身心健康、受处分、领导干部、离退休：填“是”或“√”，否则留空或填“否”。",
        "流动党员请在“流动去向”填写现在所在地。星级 0–5，积分为整数，可留空。",
        "同一人（姓名和出生日期相同）已在名册中且信息一致时跳过；有任何一行错误时整份名册不导入。",
    ]
    for row, line in enumerate(lines, start=1):
        write_cell(notes, row, 1, line)
    return wb


def _export_value(member: Member, field_name: str):
    value = (
        getattr(member, field_name) if field_name != "group" else (member.group.name if member.group else "")
    )
    if field_name == "gender":
        return member.get_gender_display()
    if field_name == "status":
        return member.get_status_display()
    if field_name in FLAGS:
        return "是" if value else ""
    if value is None:
        return ""
    return value


def export_workbook(members, *, cycle=None) -> Workbook:
    """The roster in the template's columns (so the file re-imports cleanly); 星级/积分 are the cycle's (R5.3), the
    branch's newest cycle unless one is given."""
    from .selectors import attach_scores, newest_cycle_of

    members = list(members)
    if members and cycle is None:
        cycle = newest_cycle_of(branch=members[0].branch)
    members = attach_scores(members, cycle=cycle)
    wb = Workbook()
    ws = _header_sheet(wb, "党员名册")
    for row, member in enumerate(members, start=2):
        for col, (field_name, _) in enumerate(COLUMNS, start=1):
            value = _export_value(member, field_name)
            cell = write_cell(ws, row, col, str(value) if isinstance(value, str) else value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    return wb
