from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Study quizzes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from quizzes import signals

        user_logged_in.connect(
            signals.remember_organizer, dispatch_uid="studyapp-remember-organizer"
        )
