"""python manage.py export_archive --branch 新义村党支部 --year 2018 -o 档案.pdf (R7.2)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyi import archive, checks

from ._cycle_args import add_arguments, branch_and_cycle


class Command(BaseCommand):
    help = "生成一个党支部某年度组织生活会的档案资料 PDF"

    def add_arguments(self, parser):
        add_arguments(parser)
        parser.add_argument("-o", "--output", required=True, help="输出的 PDF 文件路径")

    def handle(self, *args, **options):
        branch, cycle = branch_and_cycle(options)
        out = Path(options["output"])
        if not out.parent.exists():
            raise CommandError(f"输出目录不存在：{out.parent}")
        data, sha256 = archive.archive_bytes(cycle=cycle, branch=branch)
        out.write_bytes(data)
        if sha256:
            self.stdout.write(self.style.SUCCESS(f"已导出封存档案：{out}（SHA-256 {sha256}）"))
            return
        self.stdout.write(self.style.SUCCESS(f"已生成：{out}"))
        missing = checks.missing_steps()
        if missing:
            self.stdout.write("档案尚缺：" + "、".join(s.label for s in missing))
