"""R1.2: the 2018 plan also requires a viewing — "集中学习必学内容，认真组织观看，了解掌握组织生活会和民主评议党员的要求和程序"
(seed/000_4ca6e8d736ccf145.txt, 规范程序要求). 0002 listed the four texts only; this adds the viewing as the fifth item."""

from django.db import migrations

VIEWING_2018 = "组织生活会和民主评议党员的要求和程序（集中观看）"


def add(apps, schema_editor):
    Cycle = apps.get_model("branch", "Cycle")
    RequiredMaterial = apps.get_model("meetings", "RequiredMaterial")
    cycle = Cycle.objects.filter(year=2018, township__isnull=True).first()
    if cycle is None:
        return
    RequiredMaterial.objects.get_or_create(cycle=cycle, title=VIEWING_2018, defaults={"order": 5})


def remove(apps, schema_editor):
    RequiredMaterial = apps.get_model("meetings", "RequiredMaterial")
    RequiredMaterial.objects.filter(cycle__year=2018, title=VIEWING_2018).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_required_materials_2018"), ("branch", "0003_years")]
    operations = [migrations.RunPython(add, remove)]
