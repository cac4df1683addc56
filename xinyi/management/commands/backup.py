"""python manage.py backup -o FILE [--branch NAME]: the deployment (or one branch) in one versioned JSON file."""

from django.core.management.base import BaseCommand, CommandError

from branch.models import Branch
from xinyi import backup


class Command(BaseCommand):
    help = "备份：把全部数据（或一个党支部的数据）写入一个带校验和的 JSON 文件"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="备份文件路径")
        parser.add_argument("--branch", help="只备份此党支部（名称）")

    def handle(self, *args, output, branch=None, **options):
        scope = None
        if branch:
            scope = Branch.objects.filter(name=branch).first()
            if scope is None:
                raise CommandError(f"没有名为“{branch}”的党支部")
        document = backup.write(output, branch=scope)
        total = sum(m["count"] for m in document["manifest"])
        what = f"党支部“{scope.name}”" if scope else "全部数据"
        self.stdout.write(
            self.style.SUCCESS(f"已备份{what}：{len(document['manifest'])} 类、{total} 条 → {output}")
        )
