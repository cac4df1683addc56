"""python manage.py cycle_status --branch 新义村党支部 --year 2018: one line per rule; exit 1 when any rule fails.

A closed cycle prints the checks stored when it closed (its records are frozen); an open one is evaluated now.
"""

import sys

from django.core.management.base import BaseCommand

from branch.checks import STATUS_LABELS
from branch.selectors import branch_cycle
from xinyi import checks
from xinyi.checks import Status

from ._cycle_args import add_arguments, branch_and_cycle


class Command(BaseCommand):
    help = "按规则列出一个党支部某年度组织生活会的检查结果；有未通过项时退出码为 1"

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        branch, cycle = branch_and_cycle(options)
        bc = branch_cycle(branch=branch, cycle=cycle)
        self.stdout.write(f"{branch} · {cycle}")
        if bc.is_closed:
            self._stored(bc)
            return
        results = checks.evaluate(cycle=cycle, branches=[branch])[branch.pk]
        for c in results:
            self.stdout.write(f"{c.rule:<6} {c.label:<4} {c.reason}")
        failed = [c.rule for c in results if c.status == Status.FAIL]
        missing = checks.missing_steps()
        if missing:
            self.stdout.write("尚未上线的步骤（未检查）：" + "、".join(s.label for s in missing))
        self._verdict(failed)

    def _stored(self, bc):
        when = bc.closed_at.astimezone().strftime("%Y-%m-%d %H:%M") if bc.closed_at else ""
        self.stdout.write(f"已关闭（{when}），以下为关闭时封存的检查结果；档案 SHA-256 {bc.archive_sha256}")
        failed = []
        for c in bc.checks:
            status = Status(c.get("status") or (Status.PASS if c["ok"] else Status.FAIL))
            self.stdout.write(f"{c['rule']:<6} {STATUS_LABELS[status]:<4} {c['text']}")
            if status == Status.FAIL:
                failed.append(c["rule"])
        self._verdict(failed)

    def _verdict(self, failed):
        if failed:
            self.stdout.write(f"未通过 {len(failed)} 项：" + "、".join(dict.fromkeys(failed)))
            sys.exit(1)
        self.stdout.write("全部规则通过或仅有提醒。")
