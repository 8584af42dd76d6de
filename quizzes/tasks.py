"""Celery tasks. Each is a thin wrapper around a service, so the work can be called and
tested without a broker."""

from celery import shared_task

from quizzes.services.documents import generation_run


@shared_task(ignore_result=True)
def generate_for_document(job_id: int) -> None:
    """Find the key points of a job's document and save its draft questions."""
    generation_run(job_id=job_id)
