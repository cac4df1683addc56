"""Demo of the plan's simple flexible forms (R4.6, R7.1): 八仙筒镇流动党员党支部, a third branch of the demo township.

Its members work away (北京, 天津, 呼和浩特, 包头, 沈阳). Its 2018 meeting was held by party groups while they were
home for 春节 2019 (第一党小组 on 腊月廿八, 第二党小组 on 正月初六); one member who could not come back took part where
he is, in writing (在外参加), another with the Party organisation where he works. Its dashboard and checks show the
difference with the 农村 branches: R0.2 passes for a meeting by groups, R4.6 counts 在外参加.

Idempotent (what exists is left alone) and deterministic. Everything goes through the services.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from branch import services as branch_services
from branch.demo import DEMO_PASSWORD
from branch.models import Branch, CommitteePost, Member, Scope

from .models import Meeting, MeetingAttendance, Speech
from .selectors.meeting import FIRST_CYCLE_STATEMENT
from .services.meeting import (
    BY_GROUPS,
    AttendanceEntry,
    attendance_record,
    group_session_record,
    meeting_hold,
    meeting_plan,
    speech_add,
)

BRANCH_NAME = "八仙筒镇流动党员党支部"
LOGIN = "secretary3"
GROUPS = ("第一党小组（京津）", "第二党小组（呼包沈）")

# name, gender, ethnicity, birth, education, joined, status, group index, where they work
ROSTER = [
    ("韩立新", "M", "汉族", date(1972, 5, 6), "大专", date(1999, 7, 1), "full", 0, "北京市朝阳区"),  # 书记
    ("包春梅", "F", "蒙古族", date(1981, 3, 12), "本科", date(2006, 6, 30), "full", 0, "天津市滨海新区"),
    ("刘海涛", "M", "汉族", date(1985, 9, 21), "高中", date(2010, 7, 1), "full", 0, "北京市丰台区"),
    ("敖登", "F", "蒙古族", date(1979, 11, 2), "大专", date(2004, 7, 1), "full", 1, "呼和浩特市赛罕区"),
    ("王建华", "M", "汉族", date(1976, 1, 15), "初中", date(2001, 7, 1), "full", 1, "包头市昆都仑区"),
    ("赵永军", "M", "汉族", date(1983, 8, 8), "高中", date(2009, 7, 1), "full", 1, "沈阳市铁西区"),
    ("孟凡宇", "M", "汉族", date(1992, 4, 18), "本科", date(2018, 5, 20), "probationary", 0, "北京市海淀区"),
]

S = MeetingAttendance.Status
K = Speech.Kind

SPECIAL = {
    "刘海涛": AttendanceEntry(
        0,
        S.AWAY,
        elsewhere_org="北京市丰台区（春节在工地值守）",
        elsewhere_on=date(2019, 2, 2),
        away_means=MeetingAttendance.AwayMeans.WRITTEN,
    ),
    "赵永军": AttendanceEntry(
        0, S.ELSEWHERE, elsewhere_org="沈阳市铁西区某非公企业党支部", elsewhere_on=date(2019, 1, 25)
    ),
}

SPEECHES = [
    (K.REPORT, "韩立新", None, "代表支委会述职：全年通过微信群组织学习6次，春节前逐一电话联系在外党员"),
    (K.RECTIFICATION_REPORT, "韩立新", None, FIRST_CYCLE_STATEMENT),
    (K.COMMITTEE_SELF, "韩立新", None, "对在沈阳、包头的党员联系少，党费有两人靠年底补交"),
    (K.ON_COMMITTEE, "敖登", None, "支部活动多在北京，呼包沈的党员参加少，建议按片区建党小组"),
    (K.MEMBER_SELF, "包春梅", None, "在外务工参加流入地党组织活动不主动"),
    (K.MEMBER_SELF, "刘海涛", None, "书面自评：全年只参加了两次线下学习"),
    (K.MEMBER_MUTUAL, "王建华", "赵永军", "组织关系转到流入地后和支部联系少"),
]


def _branch(township) -> Branch:
    branch = Branch.objects.filter(name=BRANCH_NAME).first()
    if branch is None:
        branch = branch_services.branch_create(name=BRANCH_NAME, township=township, kind=Branch.Kind.MOBILE)
    return branch


def _members(branch: Branch) -> dict[str, Member]:
    groups = [
        branch.groups.filter(name=name).first() or branch_services.group_create(branch=branch, name=name)
        for name in GROUPS
    ]
    result = {}
    for i, (name, gender, eth, birth, edu, joined, status, gi, place) in enumerate(ROSTER):
        existing = Member.objects.filter(branch=branch, name=name, birth_date=birth).first()
        if existing:
            result[name] = existing
            continue
        full_on = date(joined.year + 1, joined.month, min(joined.day, 28)) if status == "full" else None
        result[name] = branch_services.member_create(
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
            phone=f"1394756{300 + i:04d}",
            is_mobile=True,
            mobile_location=place,
        )
    return result


def _meeting(ctx, branch: Branch, members: dict[str, Member]) -> None:
    cycle = ctx.cycle
    if Meeting.objects.filter(cycle=cycle, branch=branch).exists():
        return
    meeting = meeting_plan(
        cycle=cycle,
        branch=branch,
        planned_on=date(2019, 2, 2),
        place="八仙筒镇党群服务中心",
        form=BY_GROUPS,
        township_contacted_on=date(2019, 1, 14),
        township_agreed_on=date(2019, 2, 2),
        township_agreed_form="春节返乡期间按党小组分别召开，会上开展民主评议党员",
        township_invited=True,
        township_attendee="八仙筒镇党委组织委员 韩志刚",
        members_notified_on=date(2019, 1, 18),
    )
    groups = {g.name: g for g in branch.groups.all()}
    group_session_record(
        meeting=meeting, group_id=groups[GROUPS[0]].pk, held_on=date(2019, 2, 2), place="八仙筒镇党群服务中心"
    )
    group_session_record(
        meeting=meeting,
        group_id=groups[GROUPS[1]].pk,
        held_on=date(2019, 2, 10),
        place="八仙筒镇党群服务中心",
    )
    meeting = meeting_hold(meeting=meeting, held_on=date(2019, 2, 10))
    entries = []
    for name, member in members.items():
        special = SPECIAL.get(name)
        if special is None:
            entries.append(AttendanceEntry(member.pk, S.PRESENT))
        else:
            entries.append(
                AttendanceEntry(
                    member.pk,
                    special.status,
                    special.reason,
                    special.elsewhere_org,
                    special.elsewhere_on,
                    special.away_means,
                )
            )
    attendance_record(meeting=meeting, entries=entries)
    for kind, speaker, target, matter in SPEECHES:
        speech_add(
            meeting=meeting,
            kind=kind,
            speaker=members[speaker],
            target=members[target] if target else None,
            matter=matter,
        )


def seed(ctx) -> None:
    branch = _branch(ctx.township)
    members = _members(branch)
    if not branch.posts.exists():
        branch_services.post_assign(
            branch=branch,
            member=members["韩立新"],
            post=CommitteePost.Post.SECRETARY,
            term_start=date(2016, 11, 20),
        )
    User = get_user_model()
    if not User.objects.filter(username=LOGIN).exists():
        branch_services.account_create(
            username=LOGIN,
            password=DEMO_PASSWORD,
            role=Scope.Role.SECRETARY,
            member=members["韩立新"],
            branch=branch,
        )
    _meeting(ctx, branch, members)
