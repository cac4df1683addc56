"""One way to make a PDF: a Django template rendered to HTML, laid out by WeasyPrint.

Every PDF of the system (sign-in sheets, notices, minutes, ballots, the archive) extends templates/pdf/base.html,
which sets lang="zh-hans" (the first face of a Noto CJK collection is Japanese; the language picks the Chinese forms),
A4 pages with the branch and cycle in a running header, and page numbers. Text is escaped by the template engine.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which commands that make no PDF do not need

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(
    template: str, context: dict, *, filename: str, request=None, inline: bool = True
) -> HttpResponse:
    data = render_pdf(template, context, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    from urllib.parse import quote

    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
