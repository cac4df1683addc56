"""Demo rectification (R6) for the 2018 cycle, after the meeting of 2019-01-18.

新义村: measures aimed at the committee's problems (and opinions heard in talks), made public 2019-01-25, filed 2019-01-28
and acknowledged, progress through 2019, every measure closed on time, the half-year report on 2019-07-10, and the
quarterly reports of every member with a commitment for the four quarters after the meeting.
双山村 (meeting planned, not recorded as held): one measure due 2019-05-31 that is not done (overdue in the township view), nothing public, nothing filed.

Idempotent (a branch that has measures is left alone) and deterministic. Everything goes through the services.
"""

from __future__ import annotations

from datetime import date, timedelta

from meetings.models import Meeting, Problem, Talk

from . import services
from .models import Means, Measure, QuarterlyReport

MAIN_HELD_ON = date(2019, 1, 18)  # the 新义村 meeting if meetings' demo has not recorded it
SECOND_PLANNED_ON = date(2019, 3, 15)

# text, responsible, due, progress [(day, text)], closed on, evidence
MAIN_MEASURES = [
    (
        "每月固定主题党日，按时召开“三会一课”，会议记录当月归档",
        "王树林",
        date(2019, 6, 30),
        [
            (date(2019, 2, 15), "制定全年主题党日计划，张贴在党员活动室"),
            (date(2019, 3, 15), "3月主题党日按时召开，到会党员31人"),
            (date(2019, 5, 15), "三会一课记录逐月归档，镇党委抽查合格"),
        ],
        date(2019, 6, 28),
        "上半年主题党日每月按时召开，三会一课记录齐全",
    ),
    (
        "村务公开栏每月更新，群众意见当月答复",
        "白玉山",
        date(2019, 4, 30),
        [
            (date(2019, 2, 28), "更换村务公开栏，公开2月村务收支"),
            (date(2019, 3, 31), "收集群众意见12条，当月答复12条"),
        ],
        date(2019, 4, 26),
        "公开栏每月更新，群众意见答复率100%",
    ),
    (
        "建立党员联系户制度，每名党员联系5户群众，每季度走访一次",
        "包金花",
        date(2019, 9, 30),
        [
            (date(2019, 3, 5), "确定党员联系户名单，全村35名正式党员联系175户"),
            (date(2019, 5, 20), "第一轮走访完成，收集群众困难23件"),
            (date(2019, 8, 10), "第二轮走访完成，解决灌溉用电等问题17件"),
        ],
        date(2019, 9, 25),
        "联系户制度落实，两轮走访覆盖全部联系户",
    ),
    (
        "每季度组织一次《中国共产党纪律处分条例》集中学习，流动党员通过微信群同步学习",
        "李春明",
        date(2019, 12, 20),
        [
            (date(2019, 3, 28), "第一季度集中学习，流动党员3人微信群学习"),
            (date(2019, 6, 27), "第二季度集中学习，观看警示教育片"),
            (date(2019, 9, 26), "第三季度集中学习，党员交流心得"),
            (date(2019, 12, 12), "第四季度集中学习，全年学习记录整理归档"),
        ],
        date(2019, 12, 18),
        "全年集中学习4次，流动党员全部参加线上学习",
    ),
]

FALLBACK_PROBLEMS = [
    (Problem.Area.ORG_LIFE, "“三会一课”有时不按时召开，主题党日内容单一"),
    (Problem.Area.SERVE_MASSES, "联系服务群众不够经常，群众反映的问题答复不及时"),
    (Problem.Area.EDUCATION, "对流动党员的教育管理不够到位"),
    (Problem.Area.WORK_STYLE, "村务公开不够及时，接受群众监督不够"),
]

COMMITTED = ["王树林", "包金花", "李春明", "白玉山", "张桂兰", "宝音", "陈秀英", "朝鲁", "何丽娟", "斯琴"]
COMMITMENT_TEXT = {
    "王树林": "带头落实整改措施，每季度向党员大会报告整改进展",
    "包金花": "每月走访联系户，帮助困难党员解决实际问题",
    "李春明": "按时组织集中学习，做好流动党员送学",
    "白玉山": "每月更新村务公开栏和宣传栏",
    "张桂兰": "监督整改措施落实，每季度检查一次",
}
QUARTER_REPORTS = [
    (1, date(2019, 3, 28), QuarterlyReport.Venue.GROUP_MEETING),
    (2, date(2019, 6, 27), QuarterlyReport.Venue.GENERAL_MEETING),
    (3, date(2019, 9, 26), QuarterlyReport.Venue.GROUP_MEETING),
    (4, date(2019, 12, 26), QuarterlyReport.Venue.GENERAL_MEETING),
]


def _meeting_on(ctx, branch, fallback: date, *, held: bool) -> date:
    """The meeting as meetings' demo recorded it (held, else planned); if there is none yet, one on the fallback date."""
    meeting = Meeting.objects.filter(cycle=ctx.cycle, branch=branch).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            cycle=ctx.cycle,
            branch=branch,
            planned_on=fallback,
            held_on=fallback if held else None,
            place="村党员活动室",
        )
    return meeting.held_on or meeting.planned_on


def _problems(ctx, branch, rows) -> list[Problem]:
    """The committee's problems (R3.1) of the cycle; if meetings' demo has none yet, a few are added."""
    problems = list(
        Problem.objects.filter(cycle=ctx.cycle, branch=branch, member__isnull=True).order_by("pk")
    )
    if not problems:
        problems = [Problem.objects.create(cycle=ctx.cycle, branch=branch, area=a, text=t) for a, t in rows]
    return problems


def seed(ctx) -> None:
    _seed_main(ctx)
    _seed_second(ctx)


def _seed_main(ctx) -> None:
    branch, cycle = ctx.main, ctx.cycle
    if Measure.objects.filter(cycle=cycle, branch=branch).exists():
        return
    held_on = _meeting_on(ctx, branch, MAIN_HELD_ON, held=True)
    problems = _problems(ctx, branch, FALLBACK_PROBLEMS)
    talks = list(
        Talk.objects.filter(cycle=cycle, branch=branch)
        .exclude(opinions_on_branch="", opinions_on_committee="")
        .order_by("held_on", "pk")[:4]
    )
    for i, (text, who, due, steps, closed_on, evidence) in enumerate(MAIN_MEASURES):
        measure = services.measure_create(
            cycle=cycle,
            branch=branch,
            text=text,
            responsible=ctx.m(who),
            due_on=due,
            problems=[problems[i % len(problems)]],
            talks=talks[i : i + 1],
            created_on=held_on,
        )
        for day, step in steps:
            services.measure_progress(measure=measure, done_on=day, text=step)
        services.measure_close(measure=measure, closed_on=closed_on, evidence=evidence)

    services.publicity_record(
        cycle=cycle,
        branch=branch,
        published_on=date(2019, 1, 25),
        means=Means.BOARD,
        note="村委会门前公示栏，公示7天",
    )
    filing = services.filing_submit(cycle=cycle, branch=branch, filed_on=date(2019, 1, 28))
    # No `by`: a branch's backup holds the logins its rows point to, and the township's login is not the branch's.
    services.filing_acknowledge(filing=filing, township=ctx.township, on=date(2019, 1, 30))
    services.half_year_report_record(
        cycle=cycle,
        branch=branch,
        reported_on=date(2019, 7, 10),
        means=Means.GENERAL_MEETING,
        note="7月主题党日党员大会上通报，并在公示栏张贴",
    )
    for name in COMMITTED:
        member = ctx.m(name)
        services.commitment_create(
            cycle=cycle,
            member=member,
            text=COMMITMENT_TEXT.get(name, "带头参加主题党日，联系5户群众，每季度走访一次"),
            due_on=date(2019, 12, 31),
        )
        for quarter, day, venue in QUARTER_REPORTS:
            services.quarterly_report_record(
                cycle=cycle,
                member=member,
                quarter=quarter,
                reported_on=day,
                venue=venue,
                kept=f"第{quarter}季度按承诺落实，{'走访联系户5户' if quarter % 2 else '参加主题党日和集中学习'}",
            )


def _seed_second(ctx) -> None:
    branch, cycle = ctx.second, ctx.cycle
    if Measure.objects.filter(cycle=cycle, branch=branch).exists():
        return
    # meetings' demo plans 双山村's meeting (2019-03-15) and leaves it unrecorded: its measure counts from the plan.
    meeting_on = _meeting_on(ctx, branch, SECOND_PLANNED_ON, held=False)
    problems = _problems(ctx, branch, [(Problem.Area.ORG_LIFE, "党员活动室失修，主题党日时断时续")])
    measure = services.measure_create(
        cycle=cycle,
        branch=branch,
        text="修缮村党员活动室，恢复每月主题党日",
        responsible=ctx.m("刘国华"),
        due_on=date(2019, 5, 31),
        problems=problems[:1],
        created_on=meeting_on,
    )
    services.measure_progress(
        measure=measure, done_on=meeting_on + timedelta(days=12), text="联系施工队查看活动室屋顶"
    )
