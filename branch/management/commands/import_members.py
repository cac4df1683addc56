"""python manage.py import_members FILE --branch NAME: the same all-or-nothing import as the web upload."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branch.models import Branch
from branch.roster_excel import RosterError, import_roster


class Command(BaseCommand):
    help = "从 Excel 名册导入党员（有任何错误则一行也不写入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名册 .xlsx 文件")
        parser.add_argument("--branch", required=True, help="党支部名称，如 新义村党支部")

    def handle(self, *args, file, branch, **options):
        target = Branch.objects.filter(name=branch).first()
        if target is None:
            raise CommandError(f"没有名为「{branch}」的党支部")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            result = import_roster(branch=target, data=path.read_bytes())
        except RosterError as e:
            raise CommandError("\n".join(e.problems)) from None
        for line in result.skipped:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{target}：{result.summary}"))
