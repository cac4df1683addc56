"""R1.2: the 2018 cycle's required study materials, as the work plan names them."""

from django.db import migrations

MATERIALS_2018 = [
    "《中国共产党纪律处分条例》",
    "《中国共产党支部工作条例（试行）》",
    "党的十九大精神",
    "习近平新时代中国特色社会主义思想",
]


def add(apps, schema_editor):
    Cycle = apps.get_model("branch", "Cycle")
    RequiredMaterial = apps.get_model("meetings", "RequiredMaterial")
    cycle = Cycle.objects.filter(year=2018).first()
    if cycle is None:
        return
    for order, title in enumerate(MATERIALS_2018, start=1):
        RequiredMaterial.objects.get_or_create(cycle=cycle, title=title, defaults={"order": order})


def remove(apps, schema_editor):
    RequiredMaterial = apps.get_model("meetings", "RequiredMaterial")
    RequiredMaterial.objects.filter(cycle__year=2018, title__in=MATERIALS_2018).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("branch", "0002_cycle_2018")]
    operations = [migrations.RunPython(add, remove)]
