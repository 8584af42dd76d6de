"""Handing work to the background by task name.

The services never import ``quizzes.tasks`` (the tasks import the services, to run them):
they name the task they want run and hand it on here. Work that reads rows the caller has
just written is handed on inside ``transaction.on_commit``, so that it never runs before
those rows are committed.

A task is run by one of three runners (for question generation,
``STUDYAPP_GENERATION_RUNNER`` chooses):

- ``celery``: the task's ``delay``, taken by ``celery -A studyapp worker`` through the
  broker; without a broker (``CELERY_TASK_ALWAYS_EAGER``), Celery runs it here and now;
- ``thread``: ``in_process``, one background thread of the serving process with a bounded
  queue, so that a request returns at once (the embedded set-up without a broker);
- ``inline``: the task's function, here and now (the test suite).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from time import monotonic

from celery import Task, current_app
from celery.result import AsyncResult
from django.db import connections

logger = logging.getLogger(__name__)

RUNNERS = ("celery", "thread", "inline")


def task(name: str) -> Task:
    """The Celery task registered as ``name`` (e.g. ``quizzes.tasks.generate_for_document``).
    The first call has Celery import the installed apps' task modules."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    return tasks[name]


def send(name: str, **kwargs: object) -> AsyncResult:
    """Send the task ``name`` to Celery (a worker; at once here without a broker)."""
    return task(name).delay(**kwargs)


def run(name: str, *, runner: str, **kwargs: object) -> bool:
    """Have the task ``name`` run by ``runner`` (one of ``RUNNERS``). False when the
    in-process queue is full and nothing was queued; True otherwise."""
    if runner == "celery":
        send(name, **kwargs)
        return True
    if runner == "inline":
        task(name).run(**kwargs)
        return True
    if runner == "thread":
        return in_process.submit(task(name).run, **kwargs)
    raise ValueError(f"unknown runner {runner!r}; expected one of {RUNNERS}")


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

    def submit(self, call: Callable[..., object], *args: object, **kwargs: object) -> bool:
        """Queue ``call(*args, **kwargs)``; False when the queue is full (nothing is
        queued)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._queue = queue.Queue(maxsize=self.maxsize)
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._work, args=(self._queue,), name="studyapp-generation", daemon=True
                )
                self._thread.start()
            try:
                self._queue.put_nowait((call, args, kwargs))
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
            call, args, kwargs = work.get()
            try:
                call(*args, **kwargs)
            except Exception:
                logger.exception(
                    "Background call %s%r%r failed",
                    getattr(call, "__name__", call),
                    args,
                    kwargs,
                )
            finally:
                # This thread's own connections: none is left open between jobs.
                connections.close_all()
                work.task_done()


# Calls beyond this many waiting are refused at once (a generation job is then failed
# "busy") rather than left to wait behind a long queue in a process that may restart.
IN_PROCESS_QUEUE_SIZE = 16
in_process = InProcessWorker(maxsize=IN_PROCESS_QUEUE_SIZE)
