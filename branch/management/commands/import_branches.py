"""python manage.py import_branches 名单.xlsx --township 八仙筒镇党委 (issue 12).

Imports the township's list of branches all or nothing and opens each secretary's login; prints every login with its
temporary password once (the first login forces a new one). A bad file: every problem in Chinese, exit 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branch.models import Township
from branch.roster_excel import RosterError


class Command(BaseCommand):
    help = "从 Excel 批量导入镇党委所属党支部，并为书记开通登录账号（临时密码只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="党支部名单 .xlsx（列：名称、类型、书记姓名、联系电话、登录名）")
        parser.add_argument("--township", required=True, help="镇党委名称")

    def handle(self, *args, **options):
        from xinyi.onboarding import onboard_file

        township = Township.objects.filter(name=options["township"]).first()
        if township is None:
            names = "、".join(Township.objects.values_list("name", flat=True)) or "无"
            raise CommandError(f"找不到镇党委“{options['township']}”（已有：{names}）。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            done = onboard_file(township=township, data=path.read_bytes())
        except RosterError as exc:
            raise CommandError(
                "党支部名单未导入（整份名单都没有写入）：\n" + "\n".join(exc.problems)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {len(done)} 个党支部（{township}）。书记账号和临时密码（只显示这一次）："
            )
        )
        for branch, login, password in done:
            self.stdout.write(f"  {branch.name}\t{login.first_name}\t{login.username}\t{password}")
