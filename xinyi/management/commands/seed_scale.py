"""python manage.py seed_scale --townships 20 --branches 50 --members 50 (issue 12 item 7).

A dataset the size of a city's banner (about 1,000 branches and 50,000 members at the defaults) so anyone can measure
the overviews: a banner 规模测试旗 with its townships, each branch with its roster, a committee, a study session with
everyone's attendance, talks, a problem and a meeting held before the deadline of the plan's 2018 cycle — in
proportions that vary by branch, so the overviews have something to sort. Written with bulk inserts (history rows
are not made: this is a measuring set, not a deployment's records), so it takes minutes, not hours.

Refuses to run on a database that holds anything but the scale set and the demo, unless --force.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from branch import services
from branch.models import Branch, CommitteePost, Cycle, Member, Scope, Township
from meetings.models import (
    Meeting,
    MeetingAttendance,
    Problem,
    RequiredMaterial,
    StudyAttendance,
    StudySession,
    Talk,
)

BANNER = "规模测试旗"
CITY = "规模测试市"
PASSWORD = "xinyi2019demo"


class Command(BaseCommand):
    help = "生成规模测试数据（默认约 1,000 个党支部、50,000 名党员），用于测量总览页面的速度"

    def add_arguments(self, parser):
        parser.add_argument("--townships", type=int, default=20)
        parser.add_argument("--branches", type=int, default=50, help="每个镇的党支部数")
        parser.add_argument("--members", type=int, default=50, help="每个党支部的党员数")
        parser.add_argument("--force", action="store_true", help="数据库中已有其他数据时也生成")

    def handle(self, *args, **o):
        if min(o["townships"], o["branches"], o["members"]) < 1 or o["members"] < 4:
            raise CommandError("镇、支部数至少为 1，每个支部至少 4 名党员")
        foreign = Township.objects.exclude(banner__name__in=[BANNER, "奈曼旗"]).exists()
        if foreign and not o["force"]:
            raise CommandError(
                "数据库中已有演示以外的镇党委：规模测试数据只应生成在测试数据库中；确需生成请加 --force"
            )
        if Township.objects.filter(banner__name=BANNER).exists():
            raise CommandError(f"已有{BANNER}的规模测试数据；请先清空数据库")
        with transaction.atomic():
            n = self._seed(o["townships"], o["branches"], o["members"])
        self.stdout.write(
            self.style.SUCCESS(f"已生成：{o['townships']} 个镇，{n[0]} 个党支部，{n[1]} 名党员")
        )
        self.stdout.write(f"旗县委审核人：scale-banner，镇党委审核人：scale-t1 …（密码均为 {PASSWORD}）")

    def _seed(self, townships: int, per_township: int, per_branch: int) -> tuple[int, int]:
        cycle = Cycle.objects.get(year=2018, township__isnull=True)
        materials = list(RequiredMaterial.objects.filter(cycle=cycle))
        banner = services.banner_named(BANNER, city=CITY)
        towns = Township.objects.bulk_create(
            Township(name=f"{BANNER}第{t + 1}镇党委", banner=banner) for t in range(townships)
        )
        kinds = [k for k, _ in Branch.Kind.choices]
        branches = Branch.objects.bulk_create(
            Branch(name=f"{t.name}第{b + 1}党支部", township=t, kind=kinds[b % 7 if b % 5 == 0 else 0])
            for t in towns
            for b in range(per_township)
        )
        members = Member.objects.bulk_create(
            Member(
                branch=br,
                name=f"党员{br.pk}-{i}",
                gender="M" if i % 2 else "F",
                birth_date=date(1950 + i % 45, 1 + i % 12, 1 + i % 28),
                joined_on=date(1980 + i % 37, 7, 1),
                full_member_on=date(1981 + i % 37, 7, 1),
                status="full" if i % 10 else "probationary",
                is_mobile=i % 13 == 0,
                mobile_location="呼和浩特市" if i % 13 == 0 else "",
                phone=f"139{br.pk:05d}{i:03d}"[:11],
            )
            for br in branches
            for i in range(per_branch)
        )
        by_branch: dict[int, list[Member]] = {}
        for m in members:
            by_branch.setdefault(m.branch_id, []).append(m)
        posts = [CommitteePost.Post.SECRETARY, CommitteePost.Post.ORGANISATION, CommitteePost.Post.PUBLICITY]
        CommitteePost.objects.bulk_create(
            CommitteePost(branch_id=b, member=ms[k], post=p, term_start=date(2016, 11, 1))
            for b, ms in by_branch.items()
            for k, p in enumerate(posts)
        )
        # Progress differs by branch: every branch studied; 4 in 5 talked; 3 in 5 found problems; 1 in 2 held the
        # meeting before the deadline, 1 in 5 only planned it.
        sessions = StudySession.objects.bulk_create(
            StudySession(
                cycle=cycle,
                branch=br,
                held_on=date(2019, 1, 5) + timedelta(days=br.pk % 20),
                form="lecture",
                leader=by_branch[br.pk][0],
                place="党员活动室",
            )
            for br in branches
        )
        Through = StudySession.materials.through
        Through.objects.bulk_create(
            Through(studysession_id=s.pk, requiredmaterial_id=m.pk) for s in sessions for m in materials
        )
        StudyAttendance.objects.bulk_create(
            StudyAttendance(session=s, member=m, present=True)
            for s in sessions
            for m in by_branch[s.branch_id]
        )
        Talk.objects.bulk_create(
            Talk(
                cycle=cycle,
                branch=br,
                held_on=date(2019, 2, 1),
                by=by_branch[br.pk][0],
                with_member=m,
                opinions_on_branch="希望多组织学习",
            )
            for i, br in enumerate(branches)
            if i % 5
            for m in by_branch[br.pk][1:]
        )
        Problem.objects.bulk_create(
            Problem(cycle=cycle, branch=br, member=m, area=Problem.Area.PROMISES, text="参加组织生活不够经常")
            for i, br in enumerate(branches)
            if i % 5 < 3
            for m in by_branch[br.pk]
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                cycle=cycle,
                branch=br,
                planned_on=date(2019, 3, 10),
                held_on=date(2019, 3, 10) if i % 2 == 0 else None,
                place="村委会",
                members_notified_on=date(2019, 3, 1),
                township_contacted_on=date(2019, 2, 20),
            )
            for i, br in enumerate(branches)
            if i % 10 < 7
        )
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=mt, member=m, status="present")
            for mt in meetings
            if mt.held_on
            for m in by_branch[mt.branch_id]
        )
        User = get_user_model()
        if not User.objects.filter(username="scale-banner").exists():
            services.account_create(
                username="scale-banner", password=PASSWORD, role=Scope.Role.BANNER, banner=banner
            )
        for k, t in enumerate(towns[:3], start=1):
            if not User.objects.filter(username=f"scale-t{k}").exists():
                services.account_create(
                    username=f"scale-t{k}", password=PASSWORD, role=Scope.Role.TOWNSHIP, township=t
                )
        return len(branches), len(members)
