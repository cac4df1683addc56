"""Shared builders for tests: everything goes through the services, as a user's actions would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User

from branch import services
from branch.models import Branch, CommitteePost, Cycle, Member, Scope, Township

PASSWORD = "test-pass-9271"
_seq = itertools.count(1)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "春明秀英国华志强桂兰建军玉梅海龙丽娟德胜凤芝永刚淑珍振华金山"


def n() -> int:
    return next(_seq)


def cycle_2018() -> Cycle:
    """The 2018 cycle the data migration created (R0.1)."""
    return Cycle.objects.get(year=2018)


def township(name: str | None = None, *, banner: str = "奈曼旗", city: str = "通辽市") -> Township:
    return services.township_create(name=name or f"测试镇党委{n()}", banner=banner, city=city)


def level_login(*, banner: str | None = None, city: str | None = None) -> User:
    """A banner (旗县委) or city (市委) reviewer's login, read-only above the township."""
    from branch.models import Banner, City

    if banner is not None:
        unit = {"role": Scope.Role.BANNER, "banner": Banner.objects.get(name=banner)}
    else:
        unit = {"role": Scope.Role.CITY, "city": City.objects.get(name=city)}
    return services.account_create(username=f"{unit['role']}{n()}", password=PASSWORD, **unit)


def branch(
    *, township_: Township | None = None, name: str | None = None, kind: str = Branch.Kind.RURAL
) -> Branch:
    return services.branch_create(
        name=name or f"测试村党支部{n()}", township=township_ or township(), kind=kind
    )


def member(branch_: Branch, **fields) -> Member:
    i = n()
    defaults = {
        "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 2) % len(GIVEN) : (i * 2) % len(GIVEN) + 2] + str(i),
        "gender": Member.Gender.MALE if i % 2 else Member.Gender.FEMALE,
        "ethnicity": "汉族" if i % 3 else "蒙古族",
        "birth_date": date(1950 + i % 45, 1 + i % 12, 1 + i % 28),
        "joined_on": date(2000, 7, 1),
        "status": Member.Status.FULL,
    }
    defaults.update(fields)
    if defaults["status"] == Member.Status.FULL and "full_member_on" not in fields:
        defaults["full_member_on"] = date(defaults["joined_on"].year + 1, 7, 1)
    return services.member_create(branch=branch_, **defaults)


def login(
    *,
    role: str,
    branch_: Branch | None = None,
    township_: Township | None = None,
    member_: Member | None = None,
) -> User:
    username = f"{role}{n()}"
    if role == Scope.Role.TOWNSHIP:
        return services.account_create(username=username, password=PASSWORD, role=role, township=township_)
    if member_ is None:
        member_ = member(branch_)
    return services.account_create(
        username=username, password=PASSWORD, role=role, member=member_, branch=member_.branch
    )


@dataclass
class World:
    """A branch with a committee and members, and one login of each role."""

    township: Township
    branch: Branch
    secretary: Member
    committee: list[Member]
    members: list[Member]
    users: dict[str, User] = field(default_factory=dict)

    @property
    def everyone(self) -> list[Member]:
        return [self.secretary, *self.committee, *self.members]


def world(
    *, members: int = 5, probationary: int = 0, township_: Township | None = None, logins: bool = True
) -> World:
    """secretary + 2 committee members (组织委员, 宣传委员) + `members` ordinary full members + `probationary`."""
    t = township_ or township()
    b = branch(township_=t)
    secretary = member(b)
    committee = [member(b), member(b)]
    start = date(2016, 11, 1)
    services.post_assign(branch=b, member=secretary, post=CommitteePost.Post.SECRETARY, term_start=start)
    services.post_assign(
        branch=b, member=committee[0], post=CommitteePost.Post.ORGANISATION, term_start=start
    )
    services.post_assign(branch=b, member=committee[1], post=CommitteePost.Post.PUBLICITY, term_start=start)
    ordinary = [member(b) for _ in range(members)]
    ordinary += [
        member(b, status=Member.Status.PROBATIONARY, joined_on=date(2018, 6, 1)) for _ in range(probationary)
    ]
    w = World(township=t, branch=b, secretary=secretary, committee=committee, members=ordinary)
    if logins:
        w.users["secretary"] = login(role=Scope.Role.SECRETARY, member_=secretary)
        w.users["committee"] = login(role=Scope.Role.COMMITTEE, member_=committee[0])
        w.users["member"] = login(role=Scope.Role.MEMBER, member_=ordinary[0])
        w.users["township"] = login(role=Scope.Role.TOWNSHIP, township_=t)
    return w


class under_year:
    """`with under_year(2019): reverse("dashboard")` gives /2019/dashboard/ (as a 2019 request would)."""

    def __init__(self, year: int):
        self.year = year

    def __enter__(self):
        from django.urls import get_script_prefix, set_script_prefix

        self.before = get_script_prefix()
        set_script_prefix(f"/{self.year}/")
        return self

    def __exit__(self, *exc):
        from django.urls import set_script_prefix

        set_script_prefix(self.before)
