"""Demo records for the meeting (R4): 新义村's 2018 组织生活会 fully recorded; 双山村's planned, township not yet contacted.

Idempotent (a branch's meeting that exists is left alone) and deterministic. Everything goes through the services.
"""

from __future__ import annotations

from datetime import date

from .models import Meeting, MeetingAttendance, Speech
from .selectors.meeting import FIRST_CYCLE_STATEMENT
from .services.meeting import AttendanceEntry, attendance_record, meeting_hold, meeting_plan, speech_add

S = MeetingAttendance.Status
K = Speech.Kind

XINYI_SPECIAL = {
    "赵德胜": AttendanceEntry(0, S.ABSENT, reason="因病在旗医院住院治疗"),
    "孙立军": AttendanceEntry(
        0, S.ELSEWHERE, elsewhere_org="呼和浩特市赛罕区某非公企业党支部", elsewhere_on=date(2019, 1, 16)
    ),
    "吴海龙": AttendanceEntry(0, S.LATER, reason="在外务工，春节返乡", elsewhere_on=date(2019, 2, 8)),
}

# (kind, speaker, target, matter) in the order spoken.
XINYI_SPEECHES = [
    (
        K.REPORT,
        "王树林",
        None,
        "代表支委会述职：全年组织集中学习4次，学习《纪律处分条例》《支部工作条例（试行）》，缺课党员均送学上门",
    ),
    (
        K.REPORT,
        "王树林",
        None,
        "会前支委之间、支委与党员谈心谈话全覆盖，书记与8名重点对象逐一谈话，收集意见建议12条",
    ),
    (K.REPORT, "王树林", None, "支委会查摆问题6条：主题党日有时流于形式，对流动党员联系不够，村务公开不及时"),
    (K.RECTIFICATION_REPORT, "王树林", None, FIRST_CYCLE_STATEMENT),
    (K.COMMITTEE_SELF, "王树林", None, "抓班子带队伍不够，对支委分工督促少；土地确权纠纷调处拖了两个月"),
    (K.COMMITTEE_SELF, "包金花", None, "协助书记抓党员教育不够主动，三会一课记录多次补记"),
    (K.COMMITTEE_SELF, "李春明", None, "发展党员工作计划性不强，流动党员组织关系台账未及时更新"),
    (K.COMMITTEE_SELF, "白玉山", None, "宣传工作只在微信群转发文件，没有组织党员讨论"),
    (K.COMMITTEE_SELF, "张桂兰", None, "对村务监督委员会工作指导少，低保评议公示监督不到位"),
    (
        K.COMMITTEE_MUTUAL,
        "王树林",
        "包金花",
        "分管妇女工作时，庭院经济项目推进慢，对群众反映的问题答复不及时",
    ),
    (K.COMMITTEE_MUTUAL, "包金花", "李春明", "对预备党员考察谈话次数少，培养联系人制度没有落实"),
    (K.COMMITTEE_MUTUAL, "李春明", "白玉山", "党员活动室学习资料更新不及时，远程教育设备长期闲置"),
    (K.COMMITTEE_MUTUAL, "白玉山", "张桂兰", "对村级财务公开只看结果、不查凭证，监督流于形式"),
    (K.COMMITTEE_MUTUAL, "张桂兰", "王树林", "召开支委会前征求党员意见不够，有的事项书记一人拍板"),
    (K.ON_COMMITTEE, "宝音", None, "支委会对农田水利设施维修抓得不紧，去年春灌时机井坏了半个月才修"),
    (K.ON_COMMITTEE, "陈秀英", None, "党务村务公开栏内容更新慢，低保名单公示只贴了三天"),
    (K.ON_COMMITTEE, "徐长江", None, "支部主题党日内容单一，建议结合产业发展组织党员外出参观学习"),
    (K.MEMBER_SELF, "宝音", None, "参加集中学习有两次迟到，学习笔记记得少"),
    (K.MEMBER_SELF, "徐长江", None, "作为党员领导干部，回村参加组织生活次数少，对村里困难党员关心不够"),
    (K.MEMBER_SELF, "那仁格日勒", None, "承诺帮助两户困难群众发展养殖，只兑现了一户"),
    (K.MEMBER_MUTUAL, "杨文华", "胡永刚", "受处分后参加组织生活不积极，党费有两个月未按时交纳"),
    (K.MEMBER_MUTUAL, "陈秀英", "朝鲁", "在环境整治中带头不够，自家门前柴草堆放不整齐"),
]


def _seed_xinyi(ctx) -> None:
    branch, cycle = ctx.main, ctx.cycle
    if Meeting.objects.filter(cycle=cycle, branch=branch).exists():
        return
    meeting = meeting_plan(
        cycle=cycle,
        branch=branch,
        planned_on=date(2019, 1, 18),
        place="新义村村委会会议室",
        form="党员大会",
        township_contacted_on=date(2019, 1, 8),
        township_agreed_on=date(2019, 1, 18),
        township_agreed_form="党员大会，会上开展民主评议党员",
        township_invited=True,
        township_attendee="八仙筒镇党委组织委员 韩志刚",
        members_notified_on=date(2019, 1, 11),
    )
    meeting = meeting_hold(meeting=meeting, held_on=date(2019, 1, 18))
    entries = []
    for member in ctx.roster(branch):
        special = XINYI_SPECIAL.get(member.name)
        if special is None:
            entries.append(AttendanceEntry(member.pk, S.PRESENT))
        else:
            entries.append(
                AttendanceEntry(
                    member.pk, special.status, special.reason, special.elsewhere_org, special.elsewhere_on
                )
            )
    attendance_record(meeting=meeting, entries=entries)
    for kind, speaker, target, matter in XINYI_SPEECHES:
        speech_add(
            meeting=meeting,
            kind=kind,
            speaker=ctx.m(speaker),
            target=ctx.m(target) if target else None,
            matter=matter,
        )


def _seed_shuangshan(ctx) -> None:
    """A gap the pages show: planned, not held, the township not yet contacted (R4.5)."""
    branch, cycle = ctx.second, ctx.cycle
    if Meeting.objects.filter(cycle=cycle, branch=branch).exists():
        return
    meeting_plan(
        cycle=cycle, branch=branch, planned_on=date(2019, 3, 15), place="双山村村委会", form="党员大会"
    )


def seed(ctx) -> None:
    _seed_xinyi(ctx)
    _seed_shuangshan(ctx)
