"""Server-side SVG charts (issue 12 item 5): no JavaScript, no CDN, the same markup on a page and in a PDF.

Hand-rolled rather than pygal: two shapes are all the system draws (a stacked bar of shares, and bars of a count
against a total), and each is a few lines of SVG. Every chart:
- scales with its box (viewBox and width 100%, no fixed pixel width), so it reads at 375 px and on A4;
- carries its numbers as text beside the shapes and a <title> for screen readers, so nothing is told by colour alone;
- escapes every label (a member's name with "<" or "&" is text, never markup).
Here in branch (the leftmost app) so every app may use it; templates load it as {% load charts %}.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# One colour per place in a scale, darkest for the best: 优秀/满意 … 不合格/不满意, then "other".
PALETTE = ["#1a6b3a", "#4f9a5e", "#e0a32e", "#b23a2e", "#777777"]


def _svg(width: int, height: int, title: str, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def stacked_bar(parts: list[tuple[str, int]], *, title: str = "") -> SafeString:
    """One bar split into its parts (label, count), with a legend line of "label count（share）" under it."""
    total = sum(n for _, n in parts)
    width, bar_h = 300, 16
    x, shapes, legend = 0.0, [], []
    for i, (label, n) in enumerate(parts):
        colour = PALETTE[min(i, len(PALETTE) - 1)]
        w = width * n / total if total else 0
        if w:
            shapes.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(label)} {n}</title></rect>"
            )
        x += w
        share = f"{100 * n / total:.0f}%" if total else "—"
        legend.append((colour, f"{label} {n}（{share}）"))
    if not total:
        shapes.append(f'<rect x="0" y="0" width="{width}" height="{bar_h}" fill="#eeeeee"/>')
    text, lx = [], 0
    for colour, words in legend:
        text.append(
            f'<rect x="{lx}" y="{bar_h + 6}" width="8" height="8" fill="{colour}"/>'
            f'<text x="{lx + 11}" y="{bar_h + 14}" font-size="9">{escape(words)}</text>'
        )
        lx += 11 + 9 * len(words) * 0.62 + 8
    width = max(width, int(lx))
    summary = title or "；".join(words for _, words in legend)
    return _svg(width, bar_h + 20, summary, "".join(shapes) + "".join(text))


def count_bars(rows: list[tuple[str, int, int]], *, title: str) -> SafeString:
    """One bar per row: (label, done, out of), e.g. each branch's steps done of all steps."""
    label_w, bar_w, row_h = 120, 170, 18
    shapes = []
    for i, (label, done, total) in enumerate(rows):
        y = i * row_h
        w = bar_w * done / total if total else 0
        name = label if len(label) <= 10 else label[:9] + "…"
        shapes.append(
            f'<text x="0" y="{y + 12}" font-size="10">{escape(name)}<title>{escape(label)}</title></text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="11" fill="#eeeeee"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="11" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 12}" font-size="10">{done}/{total}</text>'
        )
    return _svg(label_w + bar_w + 40, max(row_h, row_h * len(rows)), title, "".join(shapes))
