"""The cycle's own roster, read for many branches at once (the checks of a township overview) or for one page.

The same list as `branch.selectors.cycle_roster` (tests/meetings/test_roster.py holds them equal): today's active
members until the branch's meeting fixes the roster, the fixed list (Participant, with the status, group and focus
flags of the cycle) after. It differs in cost only: no 星级/积分 (the meetings pages do not show them), and it reads
BranchCycle without creating it, so a page that only reads never writes. Two queries for one branch, at most three for
any number of branches, whatever the number of members.
"""

from __future__ import annotations

from collections import defaultdict

from branch.models import Branch, BranchCycle, Cycle, Member, Participant


def cycle_rosters(*, cycle: Cycle, branch_ids: list[int]) -> dict[int, list[Member]]:
    """branch_id -> the cycle's members (as Member objects carrying the cycle's status and flags), by name."""
    fixed = set(
        BranchCycle.objects.filter(
            cycle=cycle, branch_id__in=branch_ids, roster_fixed_on__isnull=False
        ).values_list("branch_id", flat=True)
    )
    result: dict[int, list[Member]] = defaultdict(list)
    if fixed:
        rows = Participant.objects.filter(cycle=cycle, branch_id__in=fixed).select_related("member", "group")
        for p in rows:
            result[p.branch_id].append(p.as_member())
    open_ids = [pk for pk in branch_ids if pk not in fixed]
    if open_ids:
        for m in Member.objects.filter(branch_id__in=open_ids).active().select_related("group"):
            result[m.branch_id].append(m)
    for members in result.values():
        members.sort(key=lambda m: m.name)
    return result


def branch_roster(*, cycle: Cycle, branch: Branch, by_group: bool = False) -> list[Member]:
    """One branch's roster of the cycle, by name (or by 党小组 then name, as the roster page and sign-in sheets)."""
    members = cycle_rosters(cycle=cycle, branch_ids=[branch.pk])[branch.pk]
    if by_group:
        members.sort(key=lambda m: (m.group.name if m.group else "", m.name))
    return members
