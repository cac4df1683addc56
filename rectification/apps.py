from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = "整改落实"
