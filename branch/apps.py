from datetime import date

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The plan's own cycle (R0.1). A data migration creates it; this keeps it there after a test flush too.
PLAN_CYCLE = {"year": 2018, "deadline": date(2019, 3, 20), "title": "2018年度组织生活会和民主评议党员"}


def ensure_plan_cycle(sender, using="default", **kwargs):
    """Reference data, not domain flow: `flush` (used between transactional tests) empties every table and then sends
    post_migrate, so the rows the data migrations made are put back here."""
    from .models import Cycle

    if not Cycle.objects.using(using).filter(year=PLAN_CYCLE["year"]).exists():
        Cycle.objects.using(using).create(**PLAN_CYCLE)


class BranchConfig(AppConfig):
    name = "branch"
    verbose_name = "党组织与党员"

    def ready(self):
        post_migrate.connect(ensure_plan_cycle, sender=self, dispatch_uid="branch.ensure_plan_cycle")
