"""Excel exports: 民主测评统计表 and 评议结果汇总表 (same selectors as the pages)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from branch.models import Branch, Cycle
from branch.xlsx import write_cell, xlsx_response

from . import selectors


def _title(ws, text: str, width: int) -> None:
    write_cell(ws, 1, 1, text).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def tally_workbook(*, cycle: Cycle, branch: Branch) -> Workbook:
    tally = selectors.tally_for(cycle=cycle, branch=branch)
    rows = selectors.tally_rows(cycle=cycle, branch=branch, tally=tally)
    wb = Workbook()
    ws = wb.active
    ws.title = "民主测评统计表"
    headers = ["序号", "姓名"]
    for g in selectors.GRADES:
        headers += [f"{g.label}（票）", f"{g.label}（%）"]
    headers += ["测评建议（仅供参考）", "存在问题（测评票所列）"]
    notes = selectors.ballot_notes(tally=tally)
    _title(ws, f"{branch.name} {cycle.year}年度民主测评统计表", len(headers))
    if tally:
        write_cell(
            ws,
            2,
            1,
            f"发出 {tally.issued} 张，收回 {tally.returned} 张，有效 {tally.valid} 张，无效 {tally.invalid} 张",
        )
    for c, h in enumerate(headers, 1):
        write_cell(ws, 3, c, h).font = Font(bold=True)
    r = 4
    sums = [0, 0, 0, 0]
    for i, row in enumerate(rows, 1):
        values = [i, row.member.name]
        for k, (_, n, pct) in enumerate(row.cells):
            values += [n, pct]
            sums[k] += n
        values += [row.suggestion, "；".join(notes.get(row.member.pk, []))]
        for c, v in enumerate(values, 1):
            write_cell(ws, r, c, v)
        r += 1
    total_marks = sum(sums)
    values = ["合计", f"{len(rows)} 人"]
    for n in sums:
        values += [n, round(100 * n / total_marks, 1) if total_marks else 0.0]
    for c, v in enumerate(values, 1):
        write_cell(ws, r, c, v).font = Font(bold=True)
    r += 2
    committee = selectors.CommitteeResult(branch=branch, tally=tally)
    write_cell(ws, r, 1, "党员对支部委员会的评价（R5.9）").font = Font(bold=True)
    for k, (label, n, pct) in enumerate(committee.cells):
        write_cell(ws, r + 1 + k, 1, label)
        write_cell(ws, r + 1 + k, 2, n)
        write_cell(ws, r + 1 + k, 3, pct)
    ws.column_dimensions["B"].width = 14
    return wb


def tally_xlsx(*, cycle: Cycle, branch: Branch):
    return xlsx_response(
        tally_workbook(cycle=cycle, branch=branch), filename=f"{branch.name}民主测评统计表.xlsx"
    )


def _follow_up_text(grade) -> str:
    f = getattr(grade, "follow_up", None)
    if f is None:
        return ""
    parts = [
        f.commendation,
        f"优点：{f.strengths}" if f.strengths else "",
        f"希望：{f.hopes}" if f.hopes else "",
        f"帮扶人：{f.helper.name}，{f.help_content}" if f.helper_id else "",
        f"检查：{f.check_on:%Y-%m-%d}" if f.check_on else "",
        f"结果：{f.help_result}" if f.help_result else "",
        f.get_handling_display() if f.handling else "",
        f"期限：{f.deadline:%Y-%m-%d}" if f.deadline else "",
        f"进展：{f.progress}" if f.progress else "",
    ]
    return "；".join(p for p in parts if p)


def results_workbook(*, cycle: Cycle, branch: Branch) -> Workbook:
    rows = selectors.grading_rows(cycle=cycle, branch=branch)
    wb = Workbook()
    ws = wb.active
    ws.title = "评议结果汇总表"
    headers = ["序号", "姓名", "评定等次", "评定意见", "评定日期", "反馈日期", "反馈方式", "后续措施"]
    _title(ws, f"{branch.name} {cycle.year}年度民主评议党员结果汇总表", len(headers))
    for c, h in enumerate(headers, 1):
        write_cell(ws, 3, c, h).font = Font(bold=True)
    r = 4
    for i, row in enumerate(rows, 1):
        g = row.grade
        fb = getattr(g, "feedback", None) if g else None
        values = [
            i,
            row.member.name,
            g.get_grade_display() if g else "未评定",
            g.opinion if g else "",
            g.decided_on.isoformat() if g else "",
            fb.given_on.isoformat() if fb else "",
            fb.get_means_display() if fb else "",
            _follow_up_text(g) if g else "",
        ]
        for c, v in enumerate(values, 1):
            write_cell(ws, r, c, v)
        r += 1
    r += 1
    write_cell(ws, r, 1, "合计").font = Font(bold=True)
    write_cell(ws, r, 2, f"参评正式党员 {len(rows)} 人")
    for k, (label, n, pct) in enumerate(selectors.grade_totals(rows)):
        write_cell(ws, r + 1 + k, 1, label)
        write_cell(ws, r + 1 + k, 2, n)
        write_cell(ws, r + 1 + k, 3, pct)
    ws.column_dimensions["D"].width = 40
    ws.column_dimensions["H"].width = 50
    return wb


def results_xlsx(*, cycle: Cycle, branch: Branch):
    return xlsx_response(
        results_workbook(cycle=cycle, branch=branch), filename=f"{branch.name}民主评议结果汇总表.xlsx"
    )
