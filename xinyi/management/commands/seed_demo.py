"""Build the demo village. Safe to run again: each step adds only what is missing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from appraisal import demo as appraisal_demo
from branch import demo
from meetings import demo_before, demo_flexible, demo_meeting
from rectification import demo as rectification_demo
from xinyi import demo_levels, demo_years

# Each step of the cycle seeds its own records for the demo, in the order the plan runs them.
STEPS = [
    demo_before,  # R1–R3: study, talks, problems
    demo_meeting,  # R4: the meeting
    demo_flexible,  # R4.6, R7.1: a 流动党员 branch, its meeting by party groups around 春节
    appraisal_demo,  # R5
    rectification_demo,  # R6
    demo_years,  # 2018 closed for 新义村, 2019 opened and half done
    demo_levels,  # a second township of 奈曼旗, and the banner's and the city's logins
]


class Command(BaseCommand):
    help = "建立演示数据：奈曼旗八仙筒镇新义村党支部（及双山村党支部）2018年度（已关闭）与2019年度组织生活会"

    def handle(self, *args, **options):
        with transaction.atomic():
            ctx = demo.seed()
            for step in STEPS:
                step.seed(ctx)
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{ctx.main}、{ctx.second}"))
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, label in [
            ("secretary", "支部书记 王树林"),
            ("committee", "组织委员 李春明"),
            ("member", "党员 宝音"),
            ("secretary3", "流动党员党支部书记 韩立新"),
            ("township", "八仙筒镇党委审核人"),
            ("banner", "奈曼旗委组织部审核人（两个镇，只读）"),
            ("city", "通辽市委组织部审核人（只读）"),
            ("admin", "系统管理员"),
        ]:
            self.stdout.write(f"  {username:<10} {label}")
