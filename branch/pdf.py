"""One way to make a PDF: a Django template rendered to HTML, laid out by WeasyPrint.

Every PDF of the system (sign-in sheets, notices, minutes, ballots, the archive) extends templates/pdf/base.html,
which sets lang="zh-hans" (the first face of a Noto CJK collection is Japanese; the language picks the Chinese forms),
A4 pages with the branch and cycle in a running header, and page numbers. Text is escaped by the template engine.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_html(template: str, context: dict, *, request=None) -> str:
    """The HTML a PDF is laid out from (rule tags removed): what `render_pdf` draws, byte for byte."""
    return strip_rule_tags(render_to_string(template, context, request=request))


def html_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which commands that make no PDF do not need

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    return html_pdf(render_html(template, context, request=request))


def pdf_response(
    template: str, context: dict, *, filename: str, request=None, inline: bool = True
) -> HttpResponse:
    data = render_pdf(template, context, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    from urllib.parse import quote

    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


# Rule tags (R4.1, R1.3, R4.1–R4.7) help the secretary on screen; on paper — the notice, the minutes, the public notice,
# the archive — they mean nothing to a member or the township and read as system noise (issue 13 fault 10). They are
# removed from the rendered HTML here, the one road every PDF takes, so the generated sentences that carry them
# (check reasons, messages, the annex) are cleaned as well as the templates. A rule number standing alone as the value
# of a table cell (the archive's table of rule checks) is content, not a tag, and stays.
_RULE = r"R\d+(?:\.\d+)?(?:\s*[–—\-~、，,/]\s*R?\d+(?:\.\d+)?)*"
_RULE_TAG_PATTERNS = [
    (re.compile(r'<span class="rule-tag">[^<]*</span>'), ""),
    (re.compile(rf"\s*[（(](?:依据工作方案\s*)?{_RULE}[）)]"), ""),
    (re.compile(rf"([（(])(?:依据工作方案\s*)?{_RULE}\s*[：:]\s*"), r"\1"),
    (re.compile(rf"依据工作方案\s*{_RULE}\s*"), "依据工作方案"),
    (re.compile(rf"(?<![A-Za-z0-9>]){_RULE}\s*[：:]\s*"), ""),
]


def strip_rule_tags(html: str) -> str:
    """The rendered HTML of an official document without the rule tags the pages show beside their text."""
    for pattern, replacement in _RULE_TAG_PATTERNS:
        html = pattern.sub(replacement, html)
    return html
