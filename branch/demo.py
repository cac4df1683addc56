"""The demo village: 新义村党支部 of 八仙筒镇 (奈曼旗), its roster, committee and logins.

Deterministic (no randomness), so that every machine seeds the same village and tests can rely on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import Branch, CommitteePost, Cycle, Member, Scope, Township

DEMO_PASSWORD = "xinyi2019demo"
TOWNSHIP_NAME = "八仙筒镇党委"
MAIN_BRANCH = "新义村党支部"
SECOND_BRANCH = "双山村党支部"

# name, gender, ethnicity, birth, education, joined, status, group index, flags
# flags: m=流动党员 v=退役军人 h=家庭生活困难 s=身心健康 d=受处分 c=党员领导干部 r=离退休
XINYI_ROSTER = [
    ("王树林", "M", "汉族", date(1963, 4, 12), "高中", date(1990, 7, 1), "full", 0, ""),  # 书记
    ("包金花", "F", "蒙古族", date(1972, 9, 3), "大专", date(1998, 6, 20), "full", 0, ""),  # 副书记
    ("李春明", "M", "汉族", date(1975, 2, 17), "高中", date(2001, 7, 1), "full", 1, "v"),  # 组织委员
    ("白玉山", "M", "蒙古族", date(1968, 11, 8), "初中", date(1995, 12, 1), "full", 1, ""),  # 宣传委员
    ("张桂兰", "F", "汉族", date(1970, 5, 22), "高中", date(1999, 7, 1), "full", 2, ""),  # 纪检委员
    ("刘振国", "M", "汉族", date(1949, 8, 15), "小学", date(1972, 3, 5), "full", 0, "r"),
    ("赵德胜", "M", "汉族", date(1953, 1, 30), "初中", date(1976, 10, 1), "full", 0, "hs"),
    ("宝音", "M", "蒙古族", date(1966, 7, 7), "初中", date(1993, 6, 28), "full", 1, ""),
    ("孙立军", "M", "汉族", date(1979, 3, 11), "高中", date(2006, 7, 1), "full", 1, "m"),
    ("陈秀英", "F", "汉族", date(1960, 12, 2), "初中", date(1986, 7, 1), "full", 2, ""),
    ("那仁格日勒", "F", "蒙古族", date(1981, 6, 19), "大专", date(2009, 6, 30), "full", 2, ""),
    ("杨文华", "M", "汉族", date(1958, 10, 25), "初中", date(1984, 5, 4), "full", 0, "v"),
    ("吴海龙", "M", "满族", date(1985, 4, 1), "大专", date(2012, 7, 1), "full", 1, "m"),
    ("周凤芝", "F", "汉族", date(1956, 2, 14), "小学", date(1980, 7, 1), "full", 2, "h"),
    ("徐长江", "M", "汉族", date(1962, 9, 9), "高中", date(1991, 7, 1), "full", 0, "c"),
    ("朝鲁", "M", "蒙古族", date(1971, 8, 8), "高中", date(2000, 7, 1), "full", 1, ""),
    ("马玉芬", "F", "回族", date(1974, 3, 27), "初中", date(2003, 7, 1), "full", 2, ""),
    ("胡永刚", "M", "汉族", date(1969, 12, 30), "初中", date(1997, 7, 1), "full", 0, "d"),
    ("郭淑珍", "F", "汉族", date(1951, 5, 5), "小学", date(1975, 7, 1), "full", 2, "r"),
    ("苏和", "M", "蒙古族", date(1977, 1, 21), "高中", date(2005, 7, 1), "full", 1, "v"),
    ("林国庆", "M", "汉族", date(1964, 10, 1), "初中", date(1994, 7, 1), "full", 0, ""),
    ("何丽娟", "F", "汉族", date(1983, 11, 11), "本科", date(2010, 6, 25), "full", 2, ""),
    ("高建军", "M", "汉族", date(1967, 8, 1), "初中", date(1996, 7, 1), "full", 1, ""),
    ("乌云", "F", "蒙古族", date(1976, 4, 16), "初中", date(2004, 7, 1), "full", 2, ""),
    ("罗志强", "M", "汉族", date(1961, 6, 6), "高中", date(1988, 7, 1), "full", 0, ""),
    ("梁金山", "M", "汉族", date(1955, 3, 3), "小学", date(1979, 7, 1), "full", 1, "h"),
    ("宋春燕", "F", "汉族", date(1980, 2, 28), "大专", date(2008, 7, 1), "full", 2, ""),
    ("哈斯巴根", "M", "蒙古族", date(1973, 9, 29), "初中", date(2002, 7, 1), "full", 1, "m"),
    ("韩玉和", "M", "汉族", date(1959, 7, 19), "初中", date(1985, 7, 1), "full", 0, ""),
    ("唐丽华", "F", "汉族", date(1978, 10, 10), "高中", date(2007, 7, 1), "full", 2, ""),
    ("冯宝林", "M", "汉族", date(1965, 1, 9), "初中", date(1992, 7, 1), "full", 0, ""),
    ("斯琴", "F", "蒙古族", date(1984, 8, 20), "本科", date(2013, 7, 1), "full", 1, ""),
    ("曹德明", "M", "汉族", date(1957, 11, 18), "小学", date(1983, 7, 1), "full", 0, ""),
    ("邓玉梅", "F", "汉族", date(1982, 5, 15), "高中", date(2011, 7, 1), "full", 2, ""),
    ("许振华", "M", "汉族", date(1986, 12, 12), "大专", date(2014, 7, 1), "full", 1, ""),
    ("阿拉坦", "M", "蒙古族", date(1990, 3, 8), "本科", date(2017, 6, 1), "probationary", 1, ""),
    ("孟晓东", "M", "汉族", date(1992, 7, 21), "大专", date(2018, 1, 15), "probationary", 0, ""),
    ("田雪", "F", "汉族", date(1994, 10, 5), "本科", date(2018, 6, 28), "probationary", 2, ""),
    ("萨仁", "F", "蒙古族", date(1991, 1, 26), "大专", date(2018, 7, 1), "probationary", 1, ""),
    ("秦大勇", "M", "汉族", date(1988, 9, 14), "高中", date(2017, 12, 1), "probationary", 0, ""),
]

SHUANGSHAN_ROSTER = [
    ("刘国华", "M", "汉族", date(1966, 3, 3), "高中", date(1993, 7, 1), "full", 0, ""),
    ("其木格", "F", "蒙古族", date(1970, 8, 18), "初中", date(1999, 7, 1), "full", 0, ""),
    ("张永福", "M", "汉族", date(1959, 4, 4), "初中", date(1987, 7, 1), "full", 0, "v"),
    ("王淑芬", "F", "汉族", date(1962, 12, 24), "小学", date(1990, 7, 1), "full", 0, "h"),
    ("巴特尔", "M", "蒙古族", date(1980, 6, 1), "高中", date(2008, 7, 1), "full", 0, "m"),
    ("李长海", "M", "汉族", date(1954, 2, 2), "小学", date(1978, 7, 1), "full", 0, "r"),
    ("赵春花", "F", "汉族", date(1975, 9, 9), "初中", date(2003, 7, 1), "full", 0, ""),
    ("孙海军", "M", "汉族", date(1983, 5, 5), "大专", date(2012, 7, 1), "full", 0, ""),
    ("高娃", "F", "蒙古族", date(1987, 11, 30), "大专", date(2016, 7, 1), "full", 0, ""),
    ("周立新", "M", "汉族", date(1993, 1, 1), "本科", date(2018, 5, 20), "probationary", 0, ""),
]

FLAG_FIELDS = {
    "m": "is_mobile",
    "v": "is_veteran",
    "h": "is_hardship",
    "s": "is_health_issue",
    "d": "is_disciplined",
    "c": "is_leading_cadre",
    "r": "is_retired",
}
MOBILE_PLACES = ["呼和浩特市赛罕区", "北京市朝阳区", "通辽市科尔沁区", "沈阳市铁西区"]


@dataclass
class DemoContext:
    township: Township
    cycle: Cycle
    main: Branch  # 新义村: every step recorded, rules satisfied
    second: Branch  # 双山村: gaps the pages and rule checks show
    members: dict[str, Member] = field(default_factory=dict)  # name -> member, both branches
    users: dict[str, object] = field(default_factory=dict)  # demo login -> User

    def m(self, name: str) -> Member:
        return self.members[name]

    def roster(self, branch: Branch) -> list[Member]:
        return [m for m in self.members.values() if m.branch_id == branch.pk]

    def committee(self, branch: Branch) -> list[Member]:
        return [
            p.member
            for p in CommitteePost.objects.filter(branch=branch, term_end__isnull=True).select_related(
                "member"
            )
        ]


def _phone(i: int) -> str:
    return f"1384756{i:04d}"


def _seed_branch(branch: Branch, rows, offset: int) -> dict[str, Member]:
    groups = [
        services.group_create(branch=branch, name=n)
        if not branch.groups.filter(name=n).exists()
        else branch.groups.get(name=n)
        for n in ("第一党小组", "第二党小组", "第三党小组")[: 1 + max(r[7] for r in rows)]
    ]
    result = {}
    for i, (name, gender, eth, birth, edu, joined, status, gi, flags) in enumerate(rows):
        existing = Member.objects.filter(branch=branch, name=name, birth_date=birth).first()
        if existing:
            result[name] = existing
            continue
        kwargs = {FLAG_FIELDS[f]: True for f in flags}
        if "m" in flags:
            kwargs["mobile_location"] = MOBILE_PLACES[i % len(MOBILE_PLACES)]
        full_on = None
        if status == "full":
            full_on = date(joined.year + 1, joined.month, min(joined.day, 28))
        result[name] = services.member_create(
            branch=branch,
            name=name,
            gender=gender,
            ethnicity=eth,
            birth_date=birth,
            education=edu,
            joined_on=joined,
            status=status,
            full_member_on=full_on,
            group=groups[gi],
            phone=_phone(offset + i),
            stars=(5 - (i % 3)) if status == "full" else None,
            points=(95 - (i * 7) % 30) if status == "full" else None,
            **kwargs,
        )
    return result


@transaction.atomic
def seed() -> DemoContext:
    """Idempotent: what exists is kept, what is missing is added."""
    township = Township.objects.filter(name=TOWNSHIP_NAME).first() or services.township_create(
        name=TOWNSHIP_NAME
    )
    cycle = Cycle.objects.get(year=2018)
    main = Branch.objects.filter(name=MAIN_BRANCH).first() or services.branch_create(
        name=MAIN_BRANCH, township=township
    )
    second = Branch.objects.filter(name=SECOND_BRANCH).first() or services.branch_create(
        name=SECOND_BRANCH, township=township
    )
    ctx = DemoContext(township=township, cycle=cycle, main=main, second=second)
    ctx.members.update(_seed_branch(main, XINYI_ROSTER, 0))
    ctx.members.update(_seed_branch(second, SHUANGSHAN_ROSTER, 100))

    term = date(2016, 11, 20)
    P = CommitteePost.Post
    if not main.posts.exists():
        for name, post in (
            ("王树林", P.SECRETARY),
            ("包金花", P.DEPUTY),
            ("李春明", P.ORGANISATION),
            ("白玉山", P.PUBLICITY),
            ("张桂兰", P.DISCIPLINE),
        ):
            services.post_assign(branch=main, member=ctx.m(name), post=post, term_start=term)
    if not second.posts.exists():
        for name, post in (("刘国华", P.SECRETARY), ("其木格", P.ORGANISATION), ("张永福", P.PUBLICITY)):
            services.post_assign(branch=second, member=ctx.m(name), post=post, term_start=term)

    User = get_user_model()
    logins = [
        ("secretary", Scope.Role.SECRETARY, "王树林", main),
        ("committee", Scope.Role.COMMITTEE, "李春明", main),
        ("member", Scope.Role.MEMBER, "宝音", main),
        ("secretary2", Scope.Role.SECRETARY, "刘国华", second),
    ]
    for username, role, name, branch in logins:
        user = User.objects.filter(username=username).first() or services.account_create(
            username=username, password=DEMO_PASSWORD, role=role, member=ctx.m(name), branch=branch
        )
        ctx.users[username] = user
    ctx.users["township"] = User.objects.filter(username="township").first() or services.account_create(
        username="township", password=DEMO_PASSWORD, role=Scope.Role.TOWNSHIP, township=township
    )
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "", DEMO_PASSWORD)
    ctx.users["admin"] = admin
    return ctx
