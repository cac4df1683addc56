"""python manage.py export_members --branch NAME -o FILE: the roster in the template's columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branch import selectors
from branch.models import Branch
from branch.roster_excel import export_workbook


class Command(BaseCommand):
    help = "把党支部的党员名册导出为 Excel（列与导入模板相同）"

    def add_arguments(self, parser):
        parser.add_argument("--branch", required=True, help="党支部名称，如 新义村党支部")
        parser.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")

    def handle(self, *args, branch, output, **options):
        target = Branch.objects.filter(name=branch).first()
        if target is None:
            raise CommandError(f"没有名为「{branch}」的党支部")
        members = list(selectors.roster(branch=target))
        export_workbook(members).save(Path(output))
        self.stdout.write(self.style.SUCCESS(f"已导出 {target} 党员 {len(members)} 人到 {output}"))
