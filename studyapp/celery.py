"""The Celery application. Tasks live in ``quizzes/tasks.py``.

With ``REDIS_URL`` set, tasks go through Redis to a worker
(``celery -A studyapp worker``); without it, settings make them run in-process
(``CELERY_TASK_ALWAYS_EAGER``), so local serving needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")

app = Celery("studyapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
