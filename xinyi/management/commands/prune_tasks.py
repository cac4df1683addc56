"""python manage.py prune_tasks: fail background work that lost its worker, delete old finished work (daily cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from xinyi import tasks


class Command(BaseCommand):
    help = "把长时间没有进展的后台任务标记为失败，删除超过保留天数的已完成任务和档案压缩包"

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=settings.TASK_RESULTS_KEEP_DAYS,
            help="已完成的任务和压缩包保留天数（默认 %(default)s）",
        )

    def handle(self, *args, **options):
        n = tasks.tasks_prune(keep_days=options["keep_days"])
        self.stdout.write(
            f"中断的档案打包 {n['stale_bundles']} 个、中断的后台任务 {n['stuck_tasks']} 个已标记为失败；"
            f"删除旧压缩包 {n['old_bundles']} 个、旧任务记录 {n['old_results']} 条"
        )
