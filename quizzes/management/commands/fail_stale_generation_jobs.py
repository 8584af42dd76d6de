"""``python manage.py fail_stale_generation_jobs``: mark failed every question-generation
job that has given no sign of life for ``STUDYAPP_GENERATION_STALE_SECONDS``, and print
how many. For cron or a systemd timer where Celery beat does not run; safe to run at any
time and as often as wanted."""

from django.core.management.base import BaseCommand

from quizzes.services.documents import generation_jobs_fail_stale


class Command(BaseCommand):
    help = (
        "Mark failed (as stale) every queued or running question-generation job with no "
        "heartbeat for STUDYAPP_GENERATION_STALE_SECONDS; print how many."
    )

    def handle(self, *args, **options) -> None:
        failed = generation_jobs_fail_stale()
        self.stdout.write(
            f"Marked {failed} stale generation job{'s' if failed != 1 else ''} failed."
        )
