from django.apps import AppConfig


class XinyiConfig(AppConfig):
    name = "xinyi"
    verbose_name = "总览与档案"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_temporary_password

        user_logged_in.connect(note_temporary_password, dispatch_uid="xinyi.temporary_password")
