"""The demo's second year (issue 11, item 9): 新义村 closes 2018 and is half way through 2019; 双山村 keeps its gaps.

Runs after every app has seeded 2018 (xinyi is the one place that may compose them all). Safe to run again: it does
nothing once 2019 exists for the township.

What it shows:
- 2018 of 新义村 closed by the township: the archive frozen with its sha256 and the rule checks of that day;
- after 2018's meeting, a transfer-out (孙立军, 2019-04-15), a 转正 (阿拉坦, 2019-06-01) and a new member (包晓燕,
  joined 2019-07-01), none of which changes anything in 2018;
- 2019 opened by 八仙筒镇 with 2018's required materials, its study session and the first talks recorded, the meeting
  planned (not yet held);
- 双山村's 2018 stays open and owes its rectification: its 2019 dashboard shows the box "上年度尚未完成".
"""

from __future__ import annotations

from datetime import date

from branch import services as branch_services
from branch.models import Cycle, Member
from meetings.models import RequiredMaterial
from meetings.services import before as before_services
from meetings.services.meeting import meeting_plan

from . import cycles

YEAR = 2019


def seed(ctx) -> None:
    if Cycle.objects.filter(year=YEAR).exists():
        return
    _roster_changes_2019(ctx)
    reviewer = ctx.users["township"]
    # The township closes 新义村's 2018 (its time is up); 双山村's stays open with what it owes.
    cycles.branch_cycle_close(cycle=ctx.cycle, branch=ctx.main, by=reviewer)
    c2019 = cycles.cycle_open(
        year=YEAR,
        deadline=date(YEAR + 1, 3, 20),
        title=f"{YEAR}年度组织生活会和民主评议党员",
        township=ctx.township,
        by=reviewer,
    )
    _half_of_2019(ctx, c2019)


def _roster_changes_2019(ctx) -> None:
    branch_services.member_leave(
        member=ctx.m("孙立军"), reason=Member.LeftReason.TRANSFERRED, on=date(YEAR, 4, 15)
    )
    branch_services.member_update(
        member=ctx.m("阿拉坦"), status=Member.Status.FULL, full_member_on=date(YEAR, 6, 1)
    )
    newcomer = branch_services.member_create(
        branch=ctx.main,
        name="包晓燕",
        gender=Member.Gender.FEMALE,
        ethnicity="蒙古族",
        birth_date=date(1995, 5, 4),
        education="本科",
        joined_on=date(YEAR, 7, 1),
        status=Member.Status.PROBATIONARY,
        group=ctx.m("萨仁").group,
        phone="13904751999",
    )
    ctx.members[newcomer.name] = newcomer


def _half_of_2019(ctx, cycle: Cycle) -> None:
    branch = ctx.main
    roster = [m for m in ctx.roster(branch) if m.is_active]
    away = {ctx.m("吴海龙"): "外出务工", ctx.m("哈斯巴根"): "外出务工"}
    materials = list(RequiredMaterial.objects.filter(cycle=cycle).order_by("order")[:2])
    before_services.study_session_record(
        cycle=cycle,
        branch=branch,
        held_on=date(YEAR, 11, 15),
        form="lecture",
        place="新义村党员活动室",
        leader=ctx.m("王树林"),
        materials=materials,
        present=[m for m in roster if m not in away],
        absent=away,
    )
    committee = ["包金花", "李春明", "白玉山", "张桂兰"]
    for i, other in enumerate(committee):
        before_services.talk_record(
            cycle=cycle,
            by=ctx.m("王树林"),
            with_=ctx.m(other),
            held_on=date(YEAR, 11, 20 + i),
            place="村党员活动室",
            opinions_on_branch="希望支部继续抓好上年度整改措施的落实",
            member_situation="对照上年度承诺逐项查找差距",
            recorded_by=ctx.users.get("secretary"),
        )
    meeting_plan(
        cycle=cycle,
        branch=branch,
        planned_on=date(YEAR + 1, 1, 16),
        place="新义村村委会会议室",
        township_contacted_on=date(YEAR + 1, 1, 6),
    )
