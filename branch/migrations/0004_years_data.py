"""Every branch takes part in every existing cycle; a cycle whose meeting is held has its roster fixed as of that day,
and the 星级/积分 recorded on members move to the newest cycle's roster (R5.3: kept per cycle from now on)."""

from django.db import migrations
from django.db.models import Q

COPIED = (
    "status",
    "group_id",
    "is_mobile",
    "is_veteran",
    "is_hardship",
    "is_health_issue",
    "is_disciplined",
    "is_leading_cadre",
    "is_retired",
)


def forwards(apps, schema_editor):
    Cycle = apps.get_model("branch", "Cycle")
    Branch = apps.get_model("branch", "Branch")
    Member = apps.get_model("branch", "Member")
    BranchCycle = apps.get_model("branch", "BranchCycle")
    Participant = apps.get_model("branch", "Participant")
    Meeting = apps.get_model("meetings", "Meeting")
    newest = Cycle.objects.order_by("-year").first()
    for cycle in Cycle.objects.all():
        held = dict(
            Meeting.objects.filter(cycle=cycle, held_on__isnull=False).values_list("branch_id", "held_on")
        )
        for branch in Branch.objects.all():
            on = held.get(branch.pk)
            BranchCycle.objects.get_or_create(branch=branch, cycle=cycle, defaults={"roster_fixed_on": on})
            if on is None and cycle != newest:
                continue
            members = Member.objects.filter(branch=branch)
            if on is not None:
                members = members.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
            else:
                members = members.filter(left_on__isnull=True, stars__isnull=False) | members.filter(
                    left_on__isnull=True, points__isnull=False
                )
            for m in members:
                p = Participant(cycle=cycle, branch=branch, member=m, **{f: getattr(m, f) for f in COPIED})
                if on is not None and m.full_member_on and m.full_member_on > on:
                    p.status = "probationary"
                if cycle == newest:
                    p.stars, p.points = m.stars, m.points
                p.save()


class Migration(migrations.Migration):
    dependencies = [
        ("branch", "0003_years"),
        ("meetings", "0002_required_materials_2018"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
