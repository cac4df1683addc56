"""Demo records before the meeting (R1–R3) for the 2018 cycle.

新义村党支部 satisfies every rule: four study sessions cover the required materials and every absentee got the
materials; the talks cover R2.1, R2.3 and R2.4 (the secretary starts first), all before the meeting of 2019-01-18;
the committee has a problem in each area of R3.1 and every member has checked themself (R3.2), some problems
traced to the talk where they were heard (R3.3).
双山村党支部 has the gaps the pages show: 《中国共产党支部工作条例（试行）》 not studied, an absentee not yet given
the materials, and a focus member (王淑芬) who has not talked with the secretary.

Deterministic and idempotent: each part is skipped when the branch already has records of that kind.
"""

from __future__ import annotations

from datetime import date, timedelta

from branch.models import Member

from .models import Problem, RequiredMaterial, StudyAttendance, StudySession, Talk
from .services import before as services

Form = StudySession.Form
Delivery = StudyAttendance.Delivery
Area = Problem.Area
Means = Talk.Means

BRANCH_OPINIONS = [
    "组织生活有时流于形式，希望多结合村里实际",
    "村里环境整治要常抓不懈",
    "希望支部多关心外出务工的党员",
    "党务村务公开要更及时",
    "希望多组织种植养殖技术培训",
    "",
]
COMMITTEE_OPINIONS = [
    "班子成员入户走访不够",
    "",
    "个别支委开会发言少，带头作用不明显",
    "",
]
SITUATIONS = [
    "家庭生活稳定，思想积极",
    "今年玉米收成不错，愿意带动周边农户",
    "身体欠佳，盼望支部常来看看",
    "外出务工，关心村里发展",
    "思想稳定，愿意多参加志愿服务",
]
MEMBER_PROBLEMS = {
    Area.STUDY_THOUGHT: "学习习近平新时代中国特色社会主义思想不够系统，满足于听读",
    Area.FOUR_TWO: "对“四个意识”的理解停留在口头，联系自身实际不够",
    Area.PROMISES: "年初承诺的帮扶事项落实不够及时",
    Area.RESPONSIBILITY: "遇到矛盾纠纷有时回避，担当精神不够",
    Area.REAL_WORK: "参与村里环境整治不够主动",
    Area.DISCIPLINE: "参加组织生活有时迟到",
}
COMMITTEE_PROBLEMS = [
    (Area.POLITICAL_LEAD, "政治引领作用发挥不够，对群众思想动态掌握不及时", None),
    (Area.CARRY_OUT, "落实上级党组织部署有时停留在开会传达", None),
    (Area.ORG_LIFE, "“三会一课”有时流于形式，结合村里实际不够", "组织生活有时流于形式"),
    (Area.EDUCATION, "对外出务工党员的日常教育管理跟得不紧", "希望支部多关心外出务工的党员"),
    (Area.SERVE_MASSES, "班子成员入户走访少，联系服务群众不够经常", "班子成员入户走访不够"),
    (Area.WORK_STYLE, "工作作风不够扎实，个别事项拖沓", None),
]


def seed(ctx) -> None:
    cycle = ctx.cycle
    materials = {m.title: m for m in RequiredMaterial.objects.filter(cycle=cycle)}
    _seed_xinyi(ctx, cycle, materials)
    _seed_shuangshan(ctx, cycle, materials)


def _active(ctx, branch) -> list[Member]:
    return [m for m in ctx.roster(branch) if m.is_active]


def _session(ctx, branch, cycle, *, held_on, form, leader, place, materials, absent, other="", deliveries=()):
    roster = _active(ctx, branch)
    absent = {ctx.m(name): reason for name, reason in absent.items()}
    session = services.study_session_record(
        cycle=cycle,
        branch=branch,
        held_on=held_on,
        form=form,
        place=place,
        leader=ctx.m(leader),
        materials=materials,
        other_content=other,
        present=[m for m in roster if m not in absent],
        absent=absent,
    )
    for name, days_after, method, by in deliveries:
        attendance = session.attendance.get(member=ctx.m(name))
        services.study_delivery_record(
            attendance=attendance,
            delivered_on=held_on + timedelta(days=days_after),
            method=method,
            by=ctx.m(by),
        )
    return session


def _seed_xinyi(ctx, cycle, materials) -> None:
    branch = ctx.main
    if not StudySession.objects.filter(cycle=cycle, branch=branch).exists():
        place = "新义村党员活动室"
        _session(
            ctx,
            branch,
            cycle,
            held_on=date(2018, 11, 16),
            form=Form.LECTURE,
            leader="王树林",
            place=place,
            materials=[materials["党的十九大精神"], materials["习近平新时代中国特色社会主义思想"]],
            absent={"孙立军": "外出务工", "吴海龙": "外出务工", "哈斯巴根": "外出务工"},
            deliveries=[
                ("孙立军", 1, Delivery.WECHAT, "李春明"),
                ("吴海龙", 1, Delivery.WECHAT, "李春明"),
                ("哈斯巴根", 2, Delivery.PHONE, "李春明"),
            ],
        )
        _session(
            ctx,
            branch,
            cycle,
            held_on=date(2018, 12, 7),
            form=Form.PARTY_CLASS,
            leader="张桂兰",
            place=place,
            materials=[materials["《中国共产党纪律处分条例》"]],
            absent={"赵德胜": "身体原因", "孙立军": "外出务工", "吴海龙": "外出务工", "哈斯巴根": "外出务工"},
            deliveries=[
                ("赵德胜", 1, Delivery.HOME, "白玉山"),
                ("孙立军", 1, Delivery.WECHAT, "李春明"),
                ("吴海龙", 1, Delivery.WECHAT, "李春明"),
                ("哈斯巴根", 1, Delivery.WECHAT, "李春明"),
            ],
        )
        _session(
            ctx,
            branch,
            cycle,
            held_on=date(2018, 12, 21),
            form=Form.SEMINAR,
            leader="包金花",
            place=place,
            materials=[materials["《中国共产党支部工作条例（试行）》"]],
            absent={"孙立军": "外出务工", "吴海龙": "外出务工", "刘振国": "生病住院"},
            deliveries=[
                ("孙立军", 2, Delivery.PHONE, "李春明"),
                ("吴海龙", 2, Delivery.WECHAT, "李春明"),
                ("刘振国", 3, Delivery.HOME, "包金花"),
            ],
        )
        _session(
            ctx,
            branch,
            cycle,
            held_on=date(2019, 1, 10),
            form=Form.VIEWING,
            leader="白玉山",
            place=place,
            materials=[
                materials["《中国共产党纪律处分条例》"],
                materials["组织生活会和民主评议党员的要求和程序（集中观看）"],
            ],
            other="观看警示教育片",
            absent={"吴海龙": "外出务工未返乡"},
            deliveries=[("吴海龙", 1, Delivery.WECHAT, "李春明")],
        )
    if not Talk.objects.filter(cycle=cycle, branch=branch).exists():
        _talks_xinyi(ctx, cycle)
    if not Problem.objects.filter(cycle=cycle, branch=branch).exists():
        _problems(ctx, cycle, branch, COMMITTEE_PROBLEMS)


def _talk(ctx, cycle, by, with_, day, i, means=Means.FACE):
    # 李春明 has the committee login and records his own talks; the secretaries record the others'.
    user = ctx.users.get("committee") if by == "李春明" else None
    user = user or ctx.users.get("secretary" if ctx.m(by).branch_id == ctx.main.pk else "secretary2")
    return services.talk_record(
        cycle=cycle,
        by=ctx.m(by),
        with_=ctx.m(with_),
        held_on=day,
        means=means,
        place="" if means == Means.PHONE else "村党员活动室",
        opinions_on_branch=BRANCH_OPINIONS[i % len(BRANCH_OPINIONS)],
        opinions_on_committee=COMMITTEE_OPINIONS[i % len(COMMITTEE_OPINIONS)],
        member_situation=SITUATIONS[i % len(SITUATIONS)],
        recorded_by=user,
    )


def _talks_xinyi(ctx, cycle) -> None:
    branch = ctx.main
    secretary = "王树林"
    committee = ["王树林", "包金花", "李春明", "白玉山", "张桂兰"]
    i = 0
    day = date(2018, 11, 20)
    # R2.4: the secretary leads, with every committee member first.
    for other in committee[1:]:
        _talk(ctx, cycle, secretary, other, day, i)
        i += 1
    day = date(2018, 11, 23)
    for a_index, a in enumerate(committee[1:], start=1):
        for b in committee[a_index + 1 :]:
            _talk(ctx, cycle, a, b, day, i)
            i += 1
        day += timedelta(days=1)
    # R2.3: the secretary with every focus member; those away by phone.
    others = [m for m in _active(ctx, branch) if m.name not in committee]
    day = date(2018, 12, 3)
    for m in others:
        if m.is_focus:
            _talk(ctx, cycle, secretary, m.name, day, i, Means.PHONE if m.is_mobile else Means.FACE)
            i += 1
            day += timedelta(days=1)
    # R2.1: every other member with a committee member, shared out in turn.
    talkers = committee[1:]
    day = date(2018, 12, 10)
    for n, m in enumerate(x for x in others if not x.is_focus):
        _talk(ctx, cycle, talkers[n % len(talkers)], m.name, day, i)
        i += 1
        if n % len(talkers) == len(talkers) - 1:
            day += timedelta(days=3)


def _problems(ctx, cycle, branch, committee_problems) -> None:
    talks = list(Talk.objects.filter(cycle=cycle, branch=branch).order_by("held_on", "pk"))
    for area, text, opinion in committee_problems:
        source = [
            t for t in talks if opinion and opinion in (t.opinions_on_branch + t.opinions_on_committee)
        ][:2]
        services.problem_record(cycle=cycle, branch=branch, area=area, text=text, talks=source)
    areas = list(MEMBER_PROBLEMS)
    talk_with = {t.with_member_id: t for t in talks}
    for n, m in enumerate(sorted(_active(ctx, branch), key=lambda x: x.name)):
        area = areas[n % len(areas)]
        source = talk_with.get(m.pk)
        if source is not None and n % 4 == 0:
            # R3.3: what the member said of themself in the talk became their problem.
            services.problem_from_talk(talk=source, member=m, area=area, text=MEMBER_PROBLEMS[area])
        else:
            services.problem_record(
                cycle=cycle, branch=branch, member=m, area=area, text=MEMBER_PROBLEMS[area]
            )


def _seed_shuangshan(ctx, cycle, materials) -> None:
    branch = ctx.second
    if not StudySession.objects.filter(cycle=cycle, branch=branch).exists():
        place = "双山村委会会议室"
        _session(
            ctx,
            branch,
            cycle,
            held_on=date(2018, 12, 14),
            form=Form.LECTURE,
            leader="刘国华",
            place=place,
            materials=[
                materials["党的十九大精神"],
                materials["习近平新时代中国特色社会主义思想"],
                materials["《中国共产党纪律处分条例》"],
            ],
            absent={"巴特尔": "外出务工"},
            deliveries=[("巴特尔", 2, Delivery.WECHAT, "其木格")],
        )
        # Gap (R1.2): 《中国共产党支部工作条例（试行）》 never studied. Gap (R1.3): 李长海 not given the materials.
        _session(
            ctx,
            branch,
            cycle,
            held_on=date(2019, 1, 8),
            form=Form.SEMINAR,
            leader="其木格",
            place=place,
            materials=[],
            other="脱贫攻坚政策学习",
            absent={"李长海": "生病"},
        )
    if not Talk.objects.filter(cycle=cycle, branch=branch).exists():
        i = 0
        for by, with_, day, means in [
            ("刘国华", "其木格", date(2018, 12, 17), Means.FACE),
            ("刘国华", "张永福", date(2018, 12, 17), Means.FACE),
            ("其木格", "张永福", date(2018, 12, 18), Means.FACE),
            ("刘国华", "巴特尔", date(2018, 12, 19), Means.PHONE),
            # Gap (R2.3): 王淑芬 (家庭生活困难) talked with the 组织委员 only, never with the secretary.
            ("其木格", "王淑芬", date(2018, 12, 20), Means.FACE),
            ("其木格", "李长海", date(2018, 12, 20), Means.FACE),
            ("张永福", "赵春花", date(2018, 12, 21), Means.FACE),
            ("张永福", "孙海军", date(2018, 12, 21), Means.FACE),
            ("其木格", "高娃", date(2018, 12, 22), Means.FACE),
            ("刘国华", "周立新", date(2018, 12, 24), Means.FACE),
        ]:
            _talk(ctx, cycle, by, with_, day, i, means)
            i += 1
    if not Problem.objects.filter(cycle=cycle, branch=branch).exists():
        for area, text, _opinion in COMMITTEE_PROBLEMS[:3]:
            services.problem_record(cycle=cycle, branch=branch, area=area, text=text)
