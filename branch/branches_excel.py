"""The township's list of branches (issue 12), imported all or nothing: 名称, 类型, 书记姓名, 联系电话, optional 登录名.

The file passes the roster's checks first (size, zip bomb, defusedxml, streamed rows, a row limit); then every row is
checked in memory against the names and logins that exist (two queries), and a file with any bad row is refused with
the row, the column and the reason of each, in row order. Nothing is written here: `branches_plan` returns what to
create, and the onboarding service writes it in one transaction.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from openpyxl import Workbook

from .models import Branch
from .roster_excel import HEADER_SCAN_ROWS, RosterError, clean_text, read_sheet_bytes_checked
from .xlsx import load_workbook_streamed, write_cell

BRANCHES_MAX_ROWS = 500  # a township has 20–40 branches; a banner's whole list fits too

COLUMNS = [
    ("name", "名称"),
    ("kind", "类型"),
    ("secretary", "书记姓名"),
    ("phone", "联系电话"),
    ("username", "登录名"),
]
SYNONYMS = {
    "名称": "name",
    "支部名称": "name",
    "党支部名称": "name",
    "党组织名称": "name",
    "类型": "kind",
    "支部类型": "kind",
    "党支部类型": "kind",
    "书记姓名": "secretary",
    "书记": "secretary",
    "支部书记": "secretary",
    "联系电话": "phone",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "登录名": "username",
    "用户名": "username",
    "账号": "username",
}
KINDS = {label: value for value, label in Branch.Kind.choices}
KINDS.update({"非公": Branch.Kind.NONPUBLIC, "非公企业": Branch.Kind.NONPUBLIC, "流动": Branch.Kind.MOBILE})
REQUIRED = ("name", "kind", "secretary")
PHONE = re.compile(r"^1\d{10}$")
USERNAME = re.compile(r"^[\w.@+-]{3,150}$")


@dataclass
class BranchRow:
    row: int
    name: str
    kind: str
    secretary: str
    phone: str
    username: str  # "" = chosen by the service (the phone, else a generated one)


def _header(values) -> tuple[dict[int, str], dict[str, str]] | None:
    columns, labels = {}, {}
    for col, value in enumerate(values):
        key = re.sub(r"\s+", "", clean_text(value)).rstrip("*＊")
        field = SYNONYMS.get(key)
        if field and field not in labels:
            columns[col], labels[field] = field, clean_text(value)
    return (columns, labels) if "name" in labels and len(labels) >= 2 else None


def read_rows(data: bytes) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    """The header labels and the non-blank rows of the first sheet with a header; raises RosterError."""
    read_sheet_bytes_checked(data)
    try:
        return _read_rows(data)
    except RosterError:
        raise
    except Exception:  # noqa: BLE001 - an uploaded file may break the parser in any way: refuse it, never a 500
        raise RosterError(["无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式"]) from None


def _read_rows(data: bytes) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    wb = load_workbook_streamed(data)
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = ws.iter_rows(values_only=True)
            head = [tuple(r) for r in itertools.islice(rows, HEADER_SCAN_ROWS)]
            for index, values in enumerate(head):
                found = _header(values)
                if found is None:
                    continue
                columns, labels = found
                missing = [dict(COLUMNS)[f] for f in REQUIRED if f not in labels]
                if missing:
                    raise RosterError([f"表头缺少必需的列：{'、'.join(f'「{m}」' for m in missing)}"])
                body = []
                for number, row in enumerate(itertools.chain(head[index + 1 :], rows), start=index + 2):
                    cells = {columns[c]: clean_text(v) for c, v in enumerate(row) if c in columns}
                    if not any(cells.values()):
                        continue
                    if len(body) == BRANCHES_MAX_ROWS:
                        raise RosterError([f"一次最多导入 {BRANCHES_MAX_ROWS} 个党支部，请分批导入"])
                    body.append((number, cells))
                return labels, body
    finally:
        wb.close()
    raise RosterError(["未找到表头行：前 15 行中没有含「名称」「类型」「书记姓名」的一行，请使用模板"])


def branches_plan(data: bytes) -> list[BranchRow]:
    """Every row checked; any problem refuses the whole file (RosterError with one line per problem, in row order)."""
    labels, body = read_rows(data)
    if not body:
        raise RosterError(["文件中没有党支部：表头下面是空的"])
    existing = set(Branch.objects.values_list("name", flat=True))
    logins = set(get_user_model().objects.values_list("username", flat=True))
    problems, plan, names, usernames = [], [], {}, {}

    def bad(row, field, reason):
        problems.append(f"第 {row} 行「{labels.get(field, dict(COLUMNS)[field])}」：{reason}")

    for row, cells in body:
        name, kind_text = cells.get("name", ""), cells.get("kind", "")
        secretary, phone, username = (
            cells.get("secretary", ""),
            cells.get("phone", ""),
            cells.get("username", ""),
        )
        if re.match(r"^(合计|总计|小计)", name):
            continue  # a footer such as 合计：25个, not a branch
        if not name:
            bad(row, "name", "不能为空")
        elif len(name) > 80:
            bad(row, "name", "超过 80 个字")
        elif name in existing:
            bad(row, "name", f"“{name}”已存在")
        elif name in names:
            bad(row, "name", f"与第 {names[name]} 行重复")
        names.setdefault(name, row)
        kind = KINDS.get(kind_text)
        if kind is None:
            bad(
                row,
                "kind",
                f"“{kind_text}”不是党支部类型（可填：{'、'.join(str(label) for _, label in Branch.Kind.choices)}）",
            )
        if not secretary:
            bad(row, "secretary", "不能为空")
        elif len(secretary) > 30:
            bad(row, "secretary", "超过 30 个字")
        if phone and not PHONE.match(phone):
            bad(row, "phone", f"“{phone}”不是 11 位手机号")
        login = username or (phone if phone and PHONE.match(phone) else "")
        if username and not USERNAME.match(username):
            bad(row, "username", "只能用字母、数字和 @.+-_，至少 3 位")
        elif login and login in logins:
            bad(row, "username" if username else "phone", f"登录名“{login}”已被使用")
        elif login and login in usernames:
            bad(row, "username" if username else "phone", f"登录名“{login}”与第 {usernames[login]} 行重复")
        if login:
            usernames.setdefault(login, row)
        plan.append(BranchRow(row, name, kind or "", secretary, phone, login))
    if problems:
        raise RosterError(problems)
    return plan


def template_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "党支部名单"
    for col, (_, header) in enumerate(COLUMNS, start=1):
        write_cell(ws, 1, col, header)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 18
    notes = wb.create_sheet("填写说明")
    for i, line in enumerate(
        [
            "党支部名单填写说明",
            "必填：名称、类型、书记姓名。类型可填："
            + "、".join(str(label) for _, label in Branch.Kind.choices)
            + "。",
            "联系电话为书记的 11 位手机号；登录名不填时用手机号作登录名，都不填时由系统生成。",
            "有任何一行错误时整份名单不导入，并列出每个错误的行、列和原因。",
        ],
        start=1,
    ):
        write_cell(notes, i, 1, line)
    return wb
