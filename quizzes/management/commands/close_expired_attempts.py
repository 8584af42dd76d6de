"""``python manage.py close_expired_attempts``: finish every attempt whose deadline and
grace period have passed, as of its deadline, and print how many. Safe to run at any
time and as often as wanted (it is meant to run on a schedule): a second run finishes
nothing twice."""

from django.core.management.base import BaseCommand

from quizzes.services.attempts import attempts_close_expired


class Command(BaseCommand):
    help = (
        "Finish, as of their deadline, all in-progress attempts whose deadline plus the "
        "grace period has passed; print how many were closed."
    )

    def handle(self, *args, **options) -> None:
        closed = attempts_close_expired()
        self.stdout.write(f"Closed {closed} expired attempt{'s' if closed != 1 else ''}.")
