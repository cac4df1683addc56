from django.apps import AppConfig


class XinyiConfig(AppConfig):
    name = "xinyi"
    verbose_name = "总览与档案"
