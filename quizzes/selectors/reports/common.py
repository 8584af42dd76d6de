"""What the report selectors share: figures in percent, and figures cached until the data
they are computed from changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from quizzes.models import (
    Assignment,
    Attempt,
    Regrade,
    ScoreChange,
)

T = TypeVar("T")


def as_float(*, value) -> float | None:
    return None if value is None else float(value)


def share(*, part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, or ``None`` when there is nothing to divide."""
    return part * 100.0 / whole if whole else None


# --- Figures cached until their data changes -------------------------------------------
#
# Mastery and item analysis read every item of an assignment's finished attempts (10^5
# rows and more for a large group), so their figures are kept in Django's cache, keyed by
# the assignment, next to a fingerprint of what they were computed from. A request reads
# the fingerprint first (one cheap query) and recomputes whenever it differs: figures are
# never shown stale. Entries are plain tuples (picklable, whatever the cache backend).

REPORT_CACHE_SECONDS = 24 * 60 * 60
# In every key: change it when what an entry holds changes shape, so no code reads an
# entry an older version wrote.
_CACHE_SHAPE = 1

_ATTEMPTS = Attempt._meta.db_table
_REGRADES = Regrade._meta.db_table
_SCORE_CHANGES = ScoreChange._meta.db_table

_FINGERPRINT_SQL = f"""
SELECT COUNT(*), SUM(a.id), MAX(a.finished_at),
       (SELECT MAX(r.id) FROM {_REGRADES} r WHERE r.assignment_id = %(assignment)s),
       (SELECT MAX(s.id) FROM {_SCORE_CHANGES} s JOIN {_ATTEMPTS} c ON c.id = s.attempt_id
        WHERE c.assignment_id = %(assignment)s)
FROM {_ATTEMPTS} a
WHERE a.assignment_id = %(assignment)s AND a.state = %(finished)s
"""


def finished_fingerprint(*, assignment: Assignment) -> tuple[str, ...]:
    """What the figures over an assignment's finished attempts are computed from, in one
    query. It changes whenever an input does:

    - an attempt finishes, or a finished one disappears: the count, the sum of their ids
      and the newest finish time;
    - a regrade moves items to another version (and regrades them): the newest
      ``Regrade``, even when no score changes;
    - a finished attempt's score changes: the newest ``ScoreChange`` (the database refuses
      such a change without one).

    Nothing else the figures read changes once an attempt is finished: its items, their
    versions and scores (but by a regrade), its shown choices and what was selected, and
    the choices' texts and keys (question versions are immutable). The first element is
    the number of finished attempts."""
    with connection.cursor() as cursor:
        cursor.execute(
            _FINGERPRINT_SQL,
            {"assignment": assignment.pk, "finished": Attempt.State.FINISHED.value},
        )
        row = cursor.fetchone()
    return tuple("" if value is None else str(value) for value in row)


def cached(*, key: str, fingerprint: tuple[str, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned before for the same ``fingerprint``. The caller
    reads the fingerprint before computing, so an entry never holds older data than its
    fingerprint says."""
    key = f"reports:{_CACHE_SHAPE}:{key}"
    entry = cache.get(key)
    if entry is not None and entry[0] == fingerprint:
        return entry[1]
    value = compute()
    cache.set(key, (fingerprint, value), REPORT_CACHE_SECONDS)
    return value
