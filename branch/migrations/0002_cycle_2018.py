"""R0.1: the 2018 cycle of the work plan, to be completed by 2019-03-20."""

from datetime import date

from django.db import migrations


def create_2018(apps, schema_editor):
    Cycle = apps.get_model("branch", "Cycle")
    Cycle.objects.get_or_create(
        year=2018,
        defaults={"deadline": date(2019, 3, 20), "title": "2018年度组织生活会和民主评议党员"},
    )


def remove_2018(apps, schema_editor):
    Cycle = apps.get_model("branch", "Cycle")
    Cycle.objects.filter(year=2018, deadline=date(2019, 3, 20)).delete()


class Migration(migrations.Migration):
    dependencies = [("branch", "0001_initial")]
    operations = [migrations.RunPython(create_2018, remove_2018)]
