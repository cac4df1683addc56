"""python manage.py backup -o FILE [--branch NAME] [--encrypt]: the deployment (or one branch) in one versioned JSON
file, readable by its owner only (mode 0600), encrypted with XINYI_BACKUP_PASSPHRASE when asked (xinyi.backup_crypt)."""

from django.core.management.base import BaseCommand, CommandError

from branch.models import Branch
from xinyi import backup, backup_crypt


class Command(BaseCommand):
    help = "备份：把全部数据（或一个党支部的数据）写入一个带校验和的 JSON 文件"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="备份文件路径")
        parser.add_argument("--branch", help="只备份此党支部（名称）")
        parser.add_argument(
            "--encrypt",
            action="store_true",
            help=f"用环境变量 {backup_crypt.PASSPHRASE_ENV} 中的口令加密备份文件",
        )

    def handle(self, *args, output, branch=None, encrypt=False, **options):
        scope = None
        if branch:
            scope = Branch.objects.filter(name=branch).first()
            if scope is None:
                raise CommandError(f"没有名为“{branch}”的党支部")
        try:
            if encrypt:
                with backup_crypt.encrypting(output) as plain:
                    document = backup.write(plain, branch=scope)
            else:
                with backup_crypt.private_file(output):
                    document = backup.write(output, branch=scope)
        except backup_crypt.CryptError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(m["count"] for m in document["manifest"])
        what = f"党支部“{scope.name}”" if scope else "全部数据"
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份{what}：{len(document['manifest'])} 类、{total} 条 → {output}"
                + ("（已加密）" if encrypt else "")
            )
        )
