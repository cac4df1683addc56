"""python manage.py restore FILE [--replace]: load a backup into an empty database, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from xinyi import backup, backup_crypt


class Command(BaseCommand):
    help = "恢复：把备份文件载入空数据库（已有数据时拒绝，除非加 --replace 先清空再恢复）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件路径")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="先删除数据库中现有的全部业务数据和账号，再恢复（不可撤销）",
        )

    def handle(self, *args, file, replace=False, **options):
        try:
            with backup_crypt.decrypted(
                file
            ) as plain:  # an encrypted backup: XINYI_BACKUP_PASSPHRASE opens it
                document = backup.read(plain)
                counts = backup.restore(document, replace=replace)
        except (backup.BackupError, backup_crypt.CryptError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已恢复 {len(counts)} 类、{sum(counts.values())} 条数据（来自 {file}）")
        )
