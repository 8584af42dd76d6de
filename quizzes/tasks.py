"""Background work. Each Celery task is a thin wrapper around a service, so the work can
be called and tested without a broker.

The services hand work on by the task's name (``quizzes.background``) and never import
this module; ``quizzes.background`` also says where a task runs (a Celery worker, a
thread of the serving process, or inline).
"""

from __future__ import annotations

import smtplib

from celery import shared_task

from quizzes.services.documents import generation_jobs_fail_stale, generation_run
from quizzes.services.groups import reminder_emails_send


@shared_task(ignore_result=True)
def generate_for_document(job_id: int) -> None:
    """Find the key points of a job's document and save its draft questions."""
    generation_run(job_id=job_id)


@shared_task(ignore_result=True)
def fail_stale_generation_jobs() -> int:
    """Mark failed every generation job that stopped giving signs of life (Celery beat
    runs this every minute, see ``CELERY_BEAT_SCHEDULE``)."""
    return generation_jobs_fail_stale()


@shared_task(
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    max_retries=4,
)
def send_reminder_emails(*, subject: str, body: str, addresses: list[str]) -> int:
    """Send one batch of reminder e-mails; a mail server that is down is tried again later
    (30 s, 60 s, 120 s, 240 s). Only this batch is resent, so a retry repeats at most a
    batch's worth of messages."""
    return reminder_emails_send(subject=subject, body=body, addresses=addresses)
