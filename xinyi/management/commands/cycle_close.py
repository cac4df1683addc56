"""python manage.py cycle_close --year 2018 --branch 新义村党支部: close and freeze a branch's cycle (R7.2).

Refused while its rectification is not done and its time (31 December of the next year) is not up.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xinyi import cycles

from ._cycle_args import add_arguments, branch_and_cycle


class Command(BaseCommand):
    help = "关闭一个党支部某年度的组织生活会：生成并封存档案，保存检查结果，此后记录只读"

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        branch, cycle = branch_and_cycle(options)
        try:
            bc = cycles.branch_cycle_close(cycle=cycle, branch=branch, by=None)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已关闭并封存：{branch} · {cycle}；档案 SHA-256 {bc.archive_sha256}")
        )
