"""Today's code paths before the bulk import and the streamed backup, kept callable so that `make bench` measures the
ratio in the same run and the tests can check that the new paths give the same members, history rows, errors and
backup files. Copied from branch/roster_excel.py and xinyi/backup.py as they were; only imports were adapted.
Not used by the application.
"""

from __future__ import annotations

import json
from datetime import date

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from branch import services
from branch.models import Branch, Member
from branch.roster_excel import (
    HEADER,
    REQUIRED,
    ImportResult,
    RosterError,
    Sheet,
    _find_header,
    _label,
    _parse_row,
    _same_as_stored,
    clean_text,
)
from branch.xlsx import load_workbook_safely
from xinyi import backup as _backup

# The roster import, row by row -------------------------------------------------------------------------------------


def read_sheet(data: bytes) -> Sheet:
    from django.conf import settings

    if len(data) > settings.ROSTER_MAX_BYTES:
        raise RosterError(
            [f"文件超过 {settings.ROSTER_MAX_BYTES // (1024 * 1024)} MB，请删去无关内容后再导入"]
        )
    if not data.startswith(b"PK\x03\x04"):
        raise RosterError(["不是 Excel（.xlsx）文件；旧版 .xls 或其他格式请在 Excel/WPS 中另存为 .xlsx"])
    try:
        return _roster_sheet(data)
    except RosterError:
        raise
    except Exception:  # noqa: BLE001
        raise RosterError(["无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式"]) from None


def _roster_sheet(data: bytes) -> Sheet:
    wb = load_workbook_safely(data)
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
            found = _find_header(rows)
            if found is None:
                continue
            index, columns, labels = found
            missing = [HEADER[f] for f in REQUIRED if f not in labels]
            if missing:
                raise RosterError([f"表头缺少必需的列：{'、'.join(f'「{m}」' for m in missing)}"])
            body = [(index + 2 + offset, values) for offset, values in enumerate(rows[index + 1 :])]
            return Sheet(columns=columns, labels=labels, rows=body)
    finally:
        wb.close()
    raise RosterError(["未找到表头行：前 15 行中没有同时含「姓名」等列名的一行，请使用名册模板"])


def import_roster(*, branch: Branch, data: bytes) -> ImportResult:
    with translation.override("zh-hans"):
        sheet = read_sheet(data)
        problems: list[str] = []
        parsed: list[tuple[int, dict]] = []
        for row_number, values in sheet.rows:
            if all(clean_text(v) == "" for v in values):
                continue
            fields, errors = _parse_row(sheet, values)
            problems += [f"第 {row_number} 行，「{label}」：{reason}" for label, reason in errors]
            if not errors:
                parsed.append((row_number, fields))
        if not parsed and not problems:
            raise RosterError(["表头下没有党员数据"])
        result = _write(branch=branch, sheet=sheet, parsed=parsed, problems=problems)
    return result


class _Rollback(Exception):
    pass


def _write(
    *, branch: Branch, sheet: Sheet, parsed: list[tuple[int, dict]], problems: list[str]
) -> ImportResult:
    result = ImportResult()
    groups = {g.name: g for g in branch.groups.all()}
    group_names = {g.pk: g.name for g in groups.values()}
    existing = {(m.name, m.birth_date): m for m in Member.objects.filter(branch=branch)}
    names = {fields["name"] for _, fields in parsed}
    elsewhere = {
        (name, birth): branch_name
        for name, birth, branch_name in Member.objects.active()
        .exclude(branch=branch)
        .filter(name__in=names)
        .values_list("name", "birth_date", "branch__name")
    }
    seen: dict[tuple[str, date], int] = {}
    try:
        with transaction.atomic():
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
                        result.skipped.append(f"第 {row_number} 行 {fields['name']}：已在名册中")
                    continue
                if key in elsewhere:
                    problems.append(
                        f"第 {row_number} 行，「{sheet.labels['name']}」：{fields['name']}（出生日期相同）仍在"
                        f"{elsewhere[key]}的名册中，请先由该支部办理转出"
                    )
                    continue
                group_name = fields.pop("group", "")
                if group_name and group_name not in groups:
                    groups[group_name] = services.group_create(branch=branch, name=group_name)
                    result.groups_created.append(group_name)
                try:
                    member = services.member_create(
                        branch=branch, group=groups.get(group_name) if group_name else None, **fields
                    )
                except ValidationError as e:
                    for field_name, messages in e.message_dict.items():
                        for message in messages:
                            problems.append(f"第 {row_number} 行，「{_label(sheet, field_name)}」：{message}")
                    continue
                result.created.append(member)
            if problems:
                raise _Rollback
    except _Rollback:
        raise RosterError(
            ["名册未导入（有错误时一行也不写入），请改正以下各行后重新上传：", *problems]
        ) from None
    return result


# The backup, whole in memory ---------------------------------------------------------------------------------------


def backup_write(path, *, branch=None) -> dict:
    """build() of every row into one dict, then json.dump of the whole document."""
    with transaction.atomic():
        document = _backup_build(branch=branch)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False, cls=_backup._Encoder, indent=0)
    return document


def _backup_build(*, branch=None) -> dict:
    from django.db import connection
    from django.utils import timezone

    data = _backup.collect(branch=branch)
    return {
        "format": _backup.FORMAT,
        "version": _backup.VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "scope": {"kind": "branch", "branch": branch.name} if branch else {"kind": "all"},
        "manifest": _backup.manifest_of(data),
        "data": data,
    }


def backup_read(path) -> dict:
    """json.load of the whole file, then the checksums."""
    with open(path, encoding="utf-8") as fh:
        document = json.load(fh)
    expected = {m["model"]: m for m in document.get("manifest", [])}
    actual = {m["model"]: m for m in _backup.manifest_of(document.get("data") or {})}
    if expected != actual:
        raise _backup.BackupError("备份文件已损坏")
    return document


def backup_restore(document: dict) -> dict[str, int]:
    """Into an empty (wiped) database: one obj.save() per row."""
    models_by_label = {_backup.label_of(m): m for m in _backup.backup_models()}
    with transaction.atomic():
        _backup._clear_reference_rows()
        counts = {}
        for label, records in document["data"].items():
            if label == _backup.FILES:
                _backup._restore_files(records)
                counts[label] = len(records)
                continue
            rows = [{"model": label, "pk": r["pk"], "fields": r["fields"]} for r in records]
            for obj in serializers.deserialize("python", rows):
                obj.save()
            counts[label] = len(records)
        _backup._reset_sequences(list(models_by_label.values()))
    return counts
