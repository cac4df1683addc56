"""Excel in and out, safely: read with defusedxml in read-only mode; write text that can never become a formula."""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_cell(ws, row: int, column: int, value):
    """Write one cell; strings are always stored as strings (data_type 's'), never parsed as formulas."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise treat "=..." as a formula
    else:
        cell.value = value
    return cell


def workbook_bytes(wb) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(wb, *, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(workbook_bytes(wb), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def load_workbook_safely(data: bytes):
    """openpyxl parses with defusedxml when it is installed; read-only mode streams large sheets."""
    import openpyxl

    return openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
