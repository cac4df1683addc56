"""Issue 13 "At 375 px": every page of the cycle, opened as the secretary of the demo's 新义村 on a 375×812 phone, fits
the screen and keeps a two- or three-character name on one line in every table cell; every field a person fills in
has a label they can see.

The pages are not listed by hand: they are reached by following the links from both years' dashboards (one page of
each kind: ids collapsed), so a page added later is covered too. Exports (PDF, Excel, ZIP) are not pages.
"""

import os
import re
from collections import deque
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKIP = re.compile(r"(pdf|xlsx|zip|export|download|logout|/admin/|/static/|/media/|print)", re.I)
START = ("/2018/dashboard/", "/2019/dashboard/")
MAX_PAGES = 120

# For the page in the browser: what does not fit a phone.
PROBLEMS_JS = r"""
() => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) problems.push(`页面宽 ${width}px，超出屏幕 ${window.innerWidth}px`);
  // Shown to the person: closed <details> keep a layout box in recent Chromium, so offsetParent is not enough.
  const shown = el => el.checkVisibility ? el.checkVisibility() : !!el.offsetParent;
  const name = /^[\u4e00-\u9fa5]{2,3}$/;
  for (const cell of document.querySelectorAll("td, th")) {
    if (!shown(cell)) continue;  // hidden (e.g. the other layout of a responsive table)
    // Each piece of text in the cell on its own: a name that a narrow column breaks spans two lines.
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.data.trim();
      if (!name.test(text)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) { problems.push(`表格中的“${text}”被折成 ${tops.size} 行`); break; }
    }
  }
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (!shown(field) || ["hidden", "submit", "button"].includes(field.type)) continue;
    if (field.closest("[data-no-label]")) continue;
    const cell = field.closest("td");
    const head = cell && cell.closest("table").tHead;
    const column = head && head.rows[0] && head.rows[0].cells[cell.cellIndex];  // a table's column header labels it
    const labelled = (field.labels && [...field.labels].some(l => shown(l) && l.textContent.trim()))
      || (field.closest("label") && field.closest("label").innerText.trim())
      || (column && column.innerText.trim());
    if (!labelled) problems.push(`输入框 ${field.name || field.id} 没有看得见的标签`);
  }
  return problems;
}
"""


def _kind(path: str) -> str:
    """One page of each kind: /2018/talks/17/edit/ and /2018/talks/18/edit/ are the same page."""
    head, _, rest = path.partition("/")[2].partition("/")
    return head + "/" + re.sub(r"\d+", "N", rest)


def test_every_page_of_the_cycle_fits_a_phone_for_the_secretary(browser, live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    browser_login(page, "secretary", password="xinyi2019demo")
    page.wait_for_url("**/dashboard/")

    queue, seen, visited, problems = deque(START), set(), [], {}
    seen.update(_kind(p) for p in START)
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(path)
        assert response.status < 500, (path, response.status)
        if response.status != 200:
            continue
        visited.append(path)
        found = page.evaluate(PROBLEMS_JS)
        if found:
            problems[path] = found
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(href)
            if target.netloc and target.netloc != urlparse(live_server.url).netloc:
                continue
            p = target.path
            if not re.match(r"^/(2018|2019)/", p) or SKIP.search(p) or _kind(p) in seen:
                continue
            seen.add(_kind(p))
            queue.append(p)
    context.close()
    assert len(visited) >= 30, visited  # the crawl really reached the cycle's pages
    assert not problems, "\n".join(f"{p}: {'；'.join(v[:3])}" for p, v in problems.items())
