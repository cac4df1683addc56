"""python manage.py cycle_open --year 2019 --deadline 2020-03-20 [--township 名称] [--title …] (R0.1, R1.2).

Opens the year and copies the previous cycle's required materials. A year that exists, a deadline before 1 January of
the next year or an unknown township is a Chinese error with a non-zero exit.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from branch.models import Township
from meetings.models import RequiredMaterial
from xinyi import cycles


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期“{text}”格式不对，应为 2020-03-20 这样的年-月-日") from exc


class Command(BaseCommand):
    help = "开启一个新年度的组织生活会和民主评议党员，并沿用上一年度的必学内容"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int, help="年度，如 2019")
        parser.add_argument("--deadline", required=True, help="完成期限，如 2020-03-20")
        parser.add_argument("--township", default="", help="镇党委名称；不填则面向所有镇党委")
        parser.add_argument(
            "--banner", default="", help="旗县委名称：为其所属各镇党委开启（已自行开启的镇保留）"
        )
        parser.add_argument("--title", default="", help="名称；不填则为“XXXX年度组织生活会和民主评议党员”")

    def handle(self, *args, **options):
        if options["banner"]:
            return self._for_banner(options)
        township = None
        if options["township"]:
            township = Township.objects.filter(name=options["township"]).first()
            if township is None:
                names = "、".join(Township.objects.values_list("name", flat=True)) or "无"
                raise CommandError(f"找不到镇党委“{options['township']}”（已有：{names}）。")
        try:
            cycle = cycles.cycle_open(
                year=options["year"],
                deadline=_day(options["deadline"]),
                title=options["title"],
                township=township,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        n = RequiredMaterial.objects.filter(cycle=cycle).count()
        where = township.name if township else "所有镇党委"
        self.stdout.write(self.style.SUCCESS(f"已开启：{cycle}（{where}），沿用必学内容 {n} 项"))

    def _for_banner(self, options):
        from branch.models import Banner

        banner = Banner.objects.filter(name=options["banner"]).first()
        if banner is None:
            names = "、".join(Banner.objects.values_list("name", flat=True)) or "无"
            raise CommandError(f"找不到旗县委“{options['banner']}”（已有：{names}）。")
        try:
            done = cycles.cycle_open_for_banner(
                banner=banner,
                year=options["year"],
                deadline=_day(options["deadline"]),
                title=options["title"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        names = "、".join(c.township.name for c in done.opened)
        self.stdout.write(self.style.SUCCESS(f"已为{banner}开启{options['year']}年度：{names}"))
        if done.skipped:
            self.stdout.write("已自行开启、保留其设置：" + "、".join(t.name for t in done.skipped))
