from django.apps import AppConfig
from django.db.models.signals import post_migrate

# R1.2: what the 2018 plan requires every branch to study (also created by migrations 0002 and 0003).
PLAN_MATERIALS = [
    "《中国共产党纪律处分条例》",
    "《中国共产党支部工作条例（试行）》",
    "党的十九大精神",
    "习近平新时代中国特色社会主义思想",
    "组织生活会和民主评议党员的要求和程序（集中观看）",  # "集中学习必学内容，认真组织观看" (migration 0003)
]


def ensure_plan_materials(sender, using="default", **kwargs):
    """Put the plan's required materials back after a flush (see branch.apps.ensure_plan_cycle); a cycle that already
    has materials is left as the branch keeps it."""
    from branch.models import Cycle

    from .models import RequiredMaterial

    cycle = Cycle.objects.using(using).filter(year=2018, township__isnull=True).first()
    if cycle is None or RequiredMaterial.objects.using(using).filter(cycle=cycle).exists():
        return
    RequiredMaterial.objects.using(using).bulk_create(
        [RequiredMaterial(cycle=cycle, title=t, order=i) for i, t in enumerate(PLAN_MATERIALS, start=1)]
    )


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "学习、谈心谈话与组织生活会"

    def ready(self):
        # After branch's handler (apps run in INSTALLED_APPS order), so the cycle exists.
        post_migrate.connect(
            ensure_plan_materials, sender=self, dispatch_uid="meetings.ensure_plan_materials"
        )
