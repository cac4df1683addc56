"""{% load charts %}: the SVG charts of branch.charts for templates."""

from django import template

from branch import charts

register = template.Library()


@register.simple_tag
def shares_bar(cells, title=""):
    """cells: (label, count, share) rows, as TallyRow.cells and CommitteeResult.cells give them."""
    return charts.stacked_bar([(str(label), n) for label, n, *_ in cells], title=title)


@register.simple_tag
def steps_bars(rows, total, title="各支部已完成步骤"):
    """rows: the township overview's rows (branch name, steps done) against `total` steps."""
    return charts.count_bars([(r.branch.name, r.steps_done, total) for r in rows], title=title)
