"""Background work. Each Celery task is a thin wrapper around a service, so the work can
be called and tested without a broker.

Question generation is handed on by ``generation_enqueue``, which follows
``STUDYAPP_GENERATION_RUNNER``:

- ``celery`` (the default with ``REDIS_URL``): the ``generate_for_document`` task, run by
  ``celery -A studyapp worker``;
- ``thread`` (the default without a broker, the embedded set-up): ``InProcessWorker``, one
  background thread of the serving process with a bounded queue, so the upload request
  returns at once and the document page shows the progress;
- ``inline``: in the caller, at once (the test suite's default).
"""

from __future__ import annotations

import logging
import os
import queue
import smtplib
import threading
from collections.abc import Callable
from time import monotonic

from celery import shared_task
from django.conf import settings
from django.db import connections

from quizzes.services.documents import (
    generation_job_fail,
    generation_jobs_fail_stale,
    generation_run,
)
from quizzes.services.groups import reminder_emails_send

logger = logging.getLogger(__name__)

RUNNERS = ("celery", "thread", "inline")


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


class InProcessWorker:
    """One daemon thread working through a bounded queue of calls, in the serving
    process, for the set-up without a broker.

    The thread starts with the first call (and again in a forked child, or after it
    died), closes its database connections after each call, and logs what a call
    raises. A call that is lost with the process (a restart) leaves its job queued or
    running without a heartbeat, which the stale check then fails."""

    def __init__(self, *, maxsize: int) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def submit(self, call: Callable[..., object], *args: object) -> bool:
        """Queue ``call(*args)``; False when the queue is full (nothing is queued)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._queue = queue.Queue(maxsize=self.maxsize)
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._work, args=(self._queue,), name="studyapp-generation", daemon=True
                )
                self._thread.start()
            try:
                self._queue.put_nowait((call, args))
            except queue.Full:
                return False
            return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued call has finished; False if ``timeout`` passed first."""
        work = self._queue
        if work is None:
            return True
        deadline = monotonic() + timeout
        with work.all_tasks_done:
            while work.unfinished_tasks:
                left = deadline - monotonic()
                if left <= 0:
                    return False
                work.all_tasks_done.wait(left)
        return True

    @staticmethod
    def _work(work: queue.Queue) -> None:
        while True:
            call, args = work.get()
            try:
                call(*args)
            except Exception:
                logger.exception(
                    "Background call %s%r failed", getattr(call, "__name__", call), args
                )
            finally:
                # This thread's own connections: none is left open between jobs.
                connections.close_all()
                work.task_done()


# Jobs beyond this many waiting are refused at once (failed "busy") rather than left to
# wait behind a long queue in a process that may restart.
IN_PROCESS_QUEUE_SIZE = 16
in_process = InProcessWorker(maxsize=IN_PROCESS_QUEUE_SIZE)


def generation_enqueue(job_id: int) -> None:
    """Hand a queued generation job to the configured runner. Called once the upload's
    (or the retry's) transaction has committed."""
    runner = settings.STUDYAPP_GENERATION_RUNNER
    if runner == "celery":
        generate_for_document.delay(job_id)
    elif runner == "inline":
        generation_run(job_id=job_id)
    elif not in_process.submit(_generation_in_thread, job_id):
        logger.warning("Generation job %s refused: the in-process queue is full", job_id)
        generation_job_fail(job_id=job_id, code="busy")


def _generation_in_thread(job_id: int) -> None:
    generation_run(job_id=job_id)
