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


def load_workbook_streamed(data: bytes):
    """As load_workbook_safely, for an uploaded file whose rows are then streamed (the roster import).

    openpyxl's read-only sheet learns its size at load by parsing the sheet until <dimension>; a sheet without one is
    parsed whole (and its rows kept as empty elements) before the first row is read. The caller ignores the dimension
    anyway (reset_dimensions), so the sheets are opened without it: loading costs the same whatever the sheet holds.
    Worksheets only (chart sheets hold no roster).
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class StreamedSheet(ReadOnlyWorksheet):
        def _get_size(self):
            pass  # min row and column 1, no maximum: what reset_dimensions() sets

    reader = ExcelReader(BytesIO(data), read_only=True, data_only=True)

    def read_worksheets():
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                ws = StreamedSheet(reader.wb, sheet.name, rel.target, reader.shared_strings)
                ws.sheet_state = sheet.state
                reader.wb._sheets.append(ws)

    reader.read_worksheets = read_worksheets
    reader.read()
    return reader.wb
