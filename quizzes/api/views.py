"""API views of a learner's attempt. Thin: they validate, call ``services.attempts`` and
read through ``selectors.attempts``, like the HTML views.

Status codes: 404 for an attempt that is not the caller's own (never 403, which would
reveal it exists); 409 for a stale save (an older ``sequence`` than the item's newest) or
a locked (checked) item; 410 once the attempt is finished or its time is up; 400 for an
answer that does not fit the question; 403 for a request without a session or CSRF token.
Every call first finishes an expired attempt as of its deadline.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from quizzes.models import Attempt, AttemptItem
from quizzes.selectors.attempts import (
    attempt_map,
    immediate_feedback,
    learner_assignment,
    learner_attempt,
    question_screen,
)
from quizzes.services.attempts import (
    AttemptError,
    attempt_check_item,
    attempt_close_if_expired,
    attempt_finish,
    attempt_save_answer,
    attempt_start_or_resume,
)

from .serializers import (
    AnswerInputSerializer,
    AnswerSavedSerializer,
    AttemptSerializer,
    FinishedSerializer,
    QuestionScreenSerializer,
    StartedSerializer,
)

# The answer endpoint validates and renders through one shared instance of each
# serializer: instantiating a serializer deep-copies its fields, which cost this hot
# endpoint more than the validation itself. Both methods keep no per-request state.
ANSWER_INPUT = AnswerInputSerializer()
ANSWER_SAVED = AnswerSavedSerializer()

ERROR_STATUS = {
    "expired": status.HTTP_410_GONE,
    "finished": status.HTTP_410_GONE,
    "stale": status.HTTP_409_CONFLICT,
    "locked": status.HTTP_409_CONFLICT,
    "not_assigned": status.HTTP_404_NOT_FOUND,
    "not_found": status.HTTP_404_NOT_FOUND,
    "not_open": status.HTTP_409_CONFLICT,
    "closed": status.HTTP_409_CONFLICT,
    "no_attempts_left": status.HTTP_409_CONFLICT,
    "empty_quiz": status.HTTP_409_CONFLICT,
}


def _result_url(attempt: Attempt) -> str:
    return reverse("quizzes:attempt_result", kwargs={"pk": attempt.pk})


def _error(error: AttemptError, attempt: Attempt | None = None, **extra) -> Response:
    body = {"code": error.code, "detail": str(error.message), **extra}
    code = ERROR_STATUS.get(error.code, status.HTTP_400_BAD_REQUEST)
    if code == status.HTTP_410_GONE and attempt is not None:
        body["result_url"] = _result_url(attempt)
    return Response(body, status=code)


def _gone(attempt: Attempt) -> Response:
    return Response(
        {
            "code": "finished",
            "detail": _("This attempt is finished; answers can no longer be changed."),
            "result_url": _result_url(attempt),
        },
        status=status.HTTP_410_GONE,
    )


class AttemptMixin:
    def get_attempt(self, request, pk: int) -> Attempt:
        """The caller's own attempt (else 404), finished first if it has expired."""
        attempt = learner_attempt(user=request.user, pk=pk)
        if attempt is None:
            raise NotFound
        attempt, _closed = attempt_close_if_expired(attempt=attempt)
        return attempt


class AttemptStartView(APIView):
    """POST: start an attempt at an assignment, or get the open one (201 / 200)."""

    def post(self, request, pk: int) -> Response:
        assignment = learner_assignment(user=request.user, pk=pk)
        if assignment is None:
            raise NotFound
        try:
            attempt, created = attempt_start_or_resume(assignment=assignment, user=request.user)
        except AttemptError as error:
            return _error(error)
        attempt.url = reverse("quizzes:attempt_detail", kwargs={"pk": attempt.pk})
        return Response(
            StartedSerializer(attempt).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttemptDetailView(AttemptMixin, APIView):
    """GET: the attempt's state, deadline, the server's clock and its question map."""

    def get(self, request, pk: int) -> Response:
        attempt = self.get_attempt(request, pk)
        data = {
            "attempt": attempt,
            "grace_seconds": settings.STUDYAPP_ATTEMPT_GRACE_SECONDS,
            "server_now": timezone.now(),
            "items": attempt_map(attempt=attempt),
            "result_url": _result_url(attempt),
        }
        return Response(AttemptSerializer(data).data)


class AttemptItemView(AttemptMixin, APIView):
    """GET: one question of an open attempt, as its page shows it (no key)."""

    def get(self, request, pk: int, position: int) -> Response:
        attempt = self.get_attempt(request, pk)
        if attempt.state != Attempt.State.IN_PROGRESS:
            return _gone(attempt)
        total = AttemptItem.objects.filter(attempt=attempt).count()
        screen = question_screen(attempt=attempt, position=position, total=total)
        if screen is None:
            raise NotFound
        return Response(QuestionScreenSerializer(screen).data)


class AnswerView(AttemptMixin, APIView):
    """POST ``{"position", "sequence", "choices": [shown positions], "blanks": [text]}``:
    save one answer. 200 with the saved sequence; 409 stale; 410 finished or expired."""

    def post(self, request, pk: int) -> Response:
        # The hot path: ownership, state and expiry are checked by the service under the
        # attempt's row lock, so no separate read of the attempt comes first.
        attempt = Attempt(pk=pk, user=request.user)
        try:
            data = ANSWER_INPUT.run_validation(request.data)
        except ValidationError as invalid:
            return Response(
                {
                    "code": "invalid",
                    "detail": _("The answer could not be read."),
                    "errors": invalid.detail,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            saved = attempt_save_answer(
                attempt=attempt,
                position=data["position"],
                sequence=data["sequence"],
                selected_positions=data["choices"],
                blanks=data["blanks"],
            )
        except AttemptError as error:
            extra = {}
            if error.code == "stale":
                extra["sequence"] = (
                    AttemptItem.objects.filter(attempt=attempt, position=data["position"])
                    .values_list("sequence", flat=True)
                    .first()
                )
            return _error(error, attempt, position=data["position"], **extra)
        body = {
            "position": saved.position,
            "sequence": saved.sequence,
            "answered": bool(data["choices"]) or any(text.strip() for text in data["blanks"]),
            "saved_at": saved.answered_at,
            "server_now": timezone.now(),
            "deadline": saved.deadline,
        }
        return Response(ANSWER_SAVED.to_representation(body))


class CheckView(AttemptMixin, APIView):
    """POST: with immediate feedback, check one answered item: lock it and return its
    grade, the right answer and the explanation."""

    def post(self, request, pk: int, position: int) -> Response:
        attempt = self.get_attempt(request, pk)
        if attempt.state != Attempt.State.IN_PROGRESS:
            return _gone(attempt)
        try:
            attempt_check_item(attempt=attempt, position=position)
        except AttemptError as error:
            return _error(error, attempt)
        total = AttemptItem.objects.filter(attempt=attempt).count()
        screen = question_screen(attempt=attempt, position=position, total=total)
        if screen is None or not immediate_feedback(attempt=attempt):
            raise NotFound
        return Response(QuestionScreenSerializer(screen).data)


class FinishView(AttemptMixin, APIView):
    """POST: finish the attempt (finishing twice returns the same result)."""

    def post(self, request, pk: int) -> Response:
        attempt = self.get_attempt(request, pk)
        attempt = attempt_finish(attempt=attempt)
        percent = attempt.percent
        data = {
            "attempt": attempt,
            "percent": percent,
            "passed": None if percent is None else percent >= attempt.assignment.quiz.pass_mark,
            "result_url": _result_url(attempt),
        }
        return Response(FinishedSerializer(data).data)
