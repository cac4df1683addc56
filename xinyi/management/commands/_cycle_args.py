"""--branch NAME --year YEAR, shared by cycle_status and export_archive: an unknown one is a clear Chinese error."""

from django.core.management.base import CommandError

from branch.models import Branch, Cycle
from branch.selectors import cycle_for_township, years_for_township


def add_arguments(parser) -> None:
    parser.add_argument("--branch", required=True, help="党支部名称，如 新义村党支部")
    parser.add_argument("--year", required=True, type=int, help="年度，如 2018")


def branch_and_cycle(options) -> tuple[Branch, Cycle]:
    branch = Branch.objects.filter(name=options["branch"]).select_related("township").first()
    if branch is None:
        raise CommandError(f"找不到党支部“{options['branch']}”，请检查名称是否与系统中一致。")
    # The branch's own cycle of the year: its township's, else the common one.
    cycle = cycle_for_township(township_id=branch.township_id, year=options["year"])
    if cycle is None:
        years = "、".join(str(y) for y in sorted(years_for_township(township_id=branch.township_id))) or "无"
        raise CommandError(f"没有 {options['year']} 年度的组织生活会（已有年度：{years}）。")
    return branch, cycle
