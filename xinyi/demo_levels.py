"""The demo grows a level (issue 12): a second township of 奈曼旗 with three branches (one 社区, one 机关), and the
logins `banner` (奈曼旗委组织部) and `city` (通辽市委组织部), who see both townships read-only.

The second township's 2018 is partly done, differently in each branch, so the banner's overview shows differences;
it has not opened 2019 (八仙筒镇 opened its own), which the banner's page offers to do for it.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from branch import services as branch_services
from branch.demo import DEMO_PASSWORD
from branch.models import Branch, Scope, Township
from meetings.models import RequiredMaterial
from meetings.services import before as before_services
from meetings.services import meeting as meeting_services

TOWNSHIP = "大沁他拉镇党委"
BRANCHES = [
    # name, kind, roster (name, gender, birth, joined, status)
    (
        "富强村党支部",
        Branch.Kind.RURAL,
        [
            ("陈广发", "M", date(1965, 5, 1), date(1994, 7, 1), "full"),
            ("敖其尔", "M", date(1972, 3, 9), date(2001, 7, 1), "full"),
            ("刘桂芝", "F", date(1958, 10, 2), date(1986, 7, 1), "full"),
            ("王建设", "M", date(1969, 1, 20), date(1998, 7, 1), "full"),
            ("萨日娜", "F", date(1990, 6, 6), date(2018, 5, 1), "probationary"),
        ],
    ),
    (
        "福泰社区党支部",
        Branch.Kind.COMMUNITY,
        [
            ("赵淑华", "F", date(1961, 2, 2), date(1990, 7, 1), "full"),
            ("孟祥林", "M", date(1955, 8, 8), date(1980, 7, 1), "full"),
            ("图雅", "F", date(1984, 4, 4), date(2012, 7, 1), "full"),
            ("李振兴", "M", date(1978, 9, 9), date(2006, 7, 1), "full"),
        ],
    ),
    (
        "大沁他拉镇机关党支部",
        Branch.Kind.ORGAN,
        [
            ("石磊", "M", date(1980, 1, 1), date(2005, 7, 1), "full"),
            ("韩雪梅", "F", date(1986, 12, 12), date(2010, 7, 1), "full"),
            ("包文军", "M", date(1975, 7, 7), date(2000, 7, 1), "full"),
        ],
    ),
]


def seed(ctx) -> None:
    if Township.objects.filter(name=TOWNSHIP).exists():
        return
    banner = ctx.township.banner
    township = branch_services.township_create(name=TOWNSHIP, banner=banner)
    materials = list(RequiredMaterial.objects.filter(cycle=ctx.cycle))
    for i, (name, kind, roster) in enumerate(BRANCHES):
        branch = branch_services.branch_create(name=name, township=township, kind=kind)
        members = [
            branch_services.member_create(
                branch=branch,
                name=m_name,
                gender=gender,
                birth_date=birth,
                joined_on=joined,
                status=status,
                full_member_on=date(joined.year + 1, joined.month, joined.day) if status == "full" else None,
                phone=f"1384757{i}{j:03d}",
            )
            for j, (m_name, gender, birth, joined, status) in enumerate(roster)
        ]
        if i <= 1:  # 富强村 and 福泰社区 studied; 机关 has nothing recorded
            before_services.study_session_record(
                cycle=ctx.cycle,
                branch=branch,
                held_on=date(2018, 12, 20 + i),
                form="lecture",
                place="党员活动室",
                leader=members[0],
                materials=materials,
                present=members,
                absent={},
            )
        if i == 0:  # only 富强村 planned its meeting
            meeting_services.meeting_plan(
                cycle=ctx.cycle, branch=branch, planned_on=date(2019, 1, 25), place="村委会会议室"
            )
    User = get_user_model()
    city = banner.city
    for username, role, unit in (
        ("banner", Scope.Role.BANNER, {"banner": banner}),
        ("city", Scope.Role.CITY, {"city": city}),
    ):
        if not User.objects.filter(username=username).exists():
            ctx.users[username] = branch_services.account_create(
                username=username, password=DEMO_PASSWORD, role=role, **unit
            )
