"""python manage.py cycle_status --branch 新义村党支部 --year 2018: one line per rule; exit 1 when any rule fails."""

import sys

from django.core.management.base import BaseCommand

from xinyi import checks
from xinyi.checks import Status

from ._cycle_args import add_arguments, branch_and_cycle


class Command(BaseCommand):
    help = "按规则列出一个党支部某年度组织生活会的检查结果；有未通过项时退出码为 1"

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        branch, cycle = branch_and_cycle(options)
        results = checks.evaluate(cycle=cycle, branches=[branch])[branch.pk]
        self.stdout.write(f"{branch} · {cycle}")
        for c in results:
            self.stdout.write(f"{c.rule:<6} {c.label:<4} {c.reason}")
        failed = [c for c in results if c.status == Status.FAIL]
        missing = checks.missing_steps()
        if missing:
            self.stdout.write("尚未上线的步骤（未检查）：" + "、".join(s.label for s in missing))
        if failed:
            self.stdout.write(f"未通过 {len(failed)} 项：" + "、".join(dict.fromkeys(c.rule for c in failed)))
            sys.exit(1)
        self.stdout.write("全部规则通过或仅有提醒。")
