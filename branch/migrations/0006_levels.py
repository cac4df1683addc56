"""Levels above the township (issue 12): 市委 and 旗（县）委 become rows; Township.banner points at its banner;
scopes gain the banner and city reviewer roles. Today's text banners and cities become rows of their own."""

import django.db.models.deletion
from django.db import migrations, models


def texts_to_rows(apps, schema_editor):
    City = apps.get_model("branch", "City")
    Banner = apps.get_model("branch", "Banner")
    Township = apps.get_model("branch", "Township")
    for t in Township.objects.all():
        city, _ = City.objects.get_or_create(name=(t.city or "通辽市").strip() or "通辽市")
        banner, _ = Banner.objects.get_or_create(
            name=(t.banner or "奈曼旗").strip() or "奈曼旗", defaults={"city": city}
        )
        t.banner_unit = banner
        t.save(update_fields=["banner_unit"])


def rows_to_texts(apps, schema_editor):
    Township = apps.get_model("branch", "Township")
    for t in Township.objects.select_related("banner_unit__city"):
        t.banner_text, t.city_text = t.banner_unit.name, t.banner_unit.city.name
        t.save(update_fields=["banner_text", "city_text"])


class Migration(migrations.Migration):
    dependencies = [("branch", "0005_member_scores_per_cycle")]

    operations = [
        migrations.CreateModel(
            name="City",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="名称")),
            ],
            options={"verbose_name": "市委", "verbose_name_plural": "市委", "ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Banner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="名称")),
                (
                    "city",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="banners",
                        to="branch.city",
                        verbose_name="所属市",
                    ),
                ),
            ],
            options={"verbose_name": "旗（县）委", "verbose_name_plural": "旗（县）委", "ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="township",
            name="banner_unit",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="branch.banner"
            ),
        ),
        migrations.RenameField("township", "banner", "banner_text"),
        migrations.RenameField("township", "city", "city_text"),
        migrations.RunPython(texts_to_rows, rows_to_texts),
        migrations.RemoveField("township", "banner_text"),
        migrations.RemoveField("township", "city_text"),
        migrations.RenameField("township", "banner_unit", "banner"),
        migrations.AlterField(
            model_name="township",
            name="banner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="townships",
                to="branch.banner",
                verbose_name="所属旗县",
            ),
        ),
        migrations.RemoveConstraint(model_name="scope", name="scope_fits_role"),
        migrations.AddField(
            model_name="scope",
            name="banner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="branch.banner",
                verbose_name="旗（县）委",
            ),
        ),
        migrations.AddField(
            model_name="scope",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="branch.city",
                verbose_name="市委",
            ),
        ),
        migrations.AlterField(
            model_name="scope",
            name="role",
            field=models.CharField(
                choices=[
                    ("township", "镇党委审核人"),
                    ("banner", "旗县委审核人"),
                    ("city", "市委审核人"),
                    ("secretary", "支部书记"),
                    ("committee", "支委委员"),
                    ("member", "党员"),
                ],
                max_length=20,
                verbose_name="角色",
            ),
        ),
        migrations.AddConstraint(
            model_name='scope',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'township'), ('township__isnull', False), ('banner__isnull', True), ('branch__isnull', True), ('city__isnull', True)), models.Q(('banner__isnull', False), ('role', 'banner'), ('branch__isnull', True), ('city__isnull', True), ('township__isnull', True)), models.Q(('city__isnull', False), ('role', 'city'), ('banner__isnull', True), ('branch__isnull', True), ('township__isnull', True)), models.Q(('branch__isnull', False), ('role__in', ['secretary', 'committee', 'member']), ('banner__isnull', True), ('city__isnull', True), ('township__isnull', True)), _connector='OR'), name='scope_fits_role_level'),
        ),
    ]
