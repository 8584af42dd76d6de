"""A learner taking a quiz: the assignment page, start, one question per screen, submit,
result and review.

Every page works without JavaScript: the question form posts the answer, which is saved,
and the learner moves on. ``static/js/attempt.js`` adds saving as answers are given
(through the API), an offline queue and the countdown. Views stay thin: reads through
``selectors.attempts``, writes through ``services.attempts``.

Someone else's attempt answers 404, never 403, so its existence is not revealed. Every
attempt page first finishes an expired attempt (``attempt_close_if_expired``).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.models import Attempt
from quizzes.selectors.attempts import (
    MapEntry,
    assignment_overview,
    attempt_map,
    attempt_result,
    attempt_review,
    immediate_feedback,
    learner_assignment,
    learner_attempt,
    question_screen,
    review_allowed,
)
from quizzes.services.attempts import (
    AttemptError,
    attempt_check_item,
    attempt_close_if_expired,
    attempt_finish,
    attempt_save_answer,
    attempt_start,
)

# Errors of a save that leave the learner on the same question to try again.
_STAY_ON_QUESTION = {"stale", "bad_choice", "one_choice", "bad_blanks", "unanswered"}


def _time_up_message() -> str:
    return _(
        "Time ran out, so your attempt was submitted with the answers saved before the deadline."
    )


def _own_attempt(request: HttpRequest, pk: int) -> Attempt:
    """The signed-in learner's attempt ``pk`` (else 404), finished first if expired."""
    attempt = learner_attempt(user=request.user, pk=pk)
    if attempt is None:
        raise Http404
    attempt, closed = attempt_close_if_expired(attempt=attempt)
    if closed:
        messages.warning(request, _time_up_message())
    return attempt


def _result_redirect(attempt: Attempt) -> HttpResponseRedirect:
    return redirect("quizzes:attempt_result", pk=attempt.pk)


def _question_url(attempt: Attempt, position: int) -> str:
    return reverse("quizzes:attempt_question", kwargs={"pk": attempt.pk, "position": position})


def _timer_context(attempt: Attempt, now: datetime) -> dict:
    """The deadline and the server's clock for the countdown: the page computes the time
    left from these two alone, so a phone's wrong clock does not matter. More than a day
    ahead, only the deadline is shown."""
    if attempt.deadline is None:
        return {"deadline": None}
    left = max(0, int((attempt.deadline - now).total_seconds()))
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours >= 24:
        shown = ""
    elif hours:
        shown = f"{hours}:{minutes:02d}:{seconds:02d}"
    else:
        shown = f"{minutes}:{seconds:02d}"
    return {
        "deadline": attempt.deadline,
        "deadline_iso": attempt.deadline.isoformat(timespec="milliseconds"),
        "server_now_iso": now.isoformat(timespec="milliseconds"),
        "deadline_is_today": timezone.localdate(attempt.deadline) == timezone.localdate(now),
        "time_left": shown,
    }


def _first_unanswered(entries: list[MapEntry]) -> int:
    return next((e.position for e in entries if not e.answered), 1)


# --- The assignment page and starting ----------------------------------------------------


@login_required
@require_safe
@never_cache
def assignment_take(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner's page of one assignment: the quiz's rules, their attempts, and the
    button that starts (or the link that continues) an attempt."""
    assignment = learner_assignment(user=request.user, pk=pk)
    if assignment is None:
        raise Http404
    now = timezone.now()
    open_attempt = Attempt.objects.filter(
        assignment=assignment, user=request.user, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        _attempt, closed = attempt_close_if_expired(attempt=open_attempt, now=now)
        if closed:
            messages.warning(request, _time_up_message())
    overview = assignment_overview(user=request.user, assignment=assignment, now=now)
    return render(
        request, "quizzes/attempt_assignment.html", {"overview": overview, "assignment": assignment}
    )


@login_required
@require_POST
def attempt_begin(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an attempt, or continue the open one (a double click or a second tab gets
    the same attempt), and go to its first unanswered question."""
    assignment = learner_assignment(user=request.user, pk=pk)
    if assignment is None:
        raise Http404
    try:
        attempt = attempt_start(assignment=assignment, user=request.user)
    except AttemptError as error:
        messages.error(request, error.message)
        return redirect("quizzes:assignment_take", pk=assignment.pk)
    return redirect("quizzes:attempt_detail", pk=attempt.pk)


@login_required
@require_safe
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where an attempt continues: its first unanswered question, or its result."""
    attempt = _own_attempt(request, pk)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return _result_redirect(attempt)
    return redirect(_question_url(attempt, _first_unanswered(attempt_map(attempt=attempt))))


# --- One question per screen ---------------------------------------------------------------


def _posted_answer(request: HttpRequest) -> tuple[list[int], list[str]]:
    positions = [int(value) for value in request.POST.getlist("choice") if value.isdigit()]
    blanks = []
    number = 1
    while f"blank-{number}" in request.POST:
        blanks.append(request.POST[f"blank-{number}"])
        number += 1
    return positions, blanks


def _target(go: str, position: int, total: int, attempt: Attempt) -> str:
    if go == "submit" or (go == "next" and position >= total):
        return reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})
    if go == "prev":
        return _question_url(attempt, max(1, position - 1))
    if go.isdigit() and 1 <= int(go) <= total:
        return _question_url(attempt, int(go))
    if go == "next":
        return _question_url(attempt, position + 1)
    return _question_url(attempt, position)


def _question_post(request: HttpRequest, attempt: Attempt, position: int, total: int):
    """Save the posted answer (when the form carried one), then check it or move on."""
    go = request.POST.get("go", "next")
    here = _question_url(attempt, position)
    sequence = request.POST.get("sequence", "")
    if sequence.isdigit():
        positions, blanks = _posted_answer(request)
        try:
            attempt_save_answer(
                attempt=attempt,
                position=position,
                sequence=int(sequence),
                selected_positions=positions,
                blanks=blanks,
            )
        except AttemptError as error:
            if error.code in {"expired", "finished"}:
                messages.error(request, error.message)
                return _result_redirect(attempt)
            if error.code in _STAY_ON_QUESTION:
                messages.error(request, error.message)
                return redirect(here)
            # "locked": a checked answer stays as it was; moving on is fine.
    if go == "check":
        try:
            attempt_check_item(attempt=attempt, position=position)
        except AttemptError as error:
            messages.error(request, error.message)
            if error.code in {"expired", "finished"}:
                return _result_redirect(attempt)
        return redirect(here)
    return redirect(_target(go, position, total, attempt))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def attempt_question(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return _result_redirect(attempt)
    entries = attempt_map(attempt=attempt)
    total = len(entries)
    if not 1 <= position <= total:
        raise Http404
    if request.method == "POST":
        return _question_post(request, attempt, position, total)
    screen = question_screen(attempt=attempt, position=position, total=total)
    now = timezone.now()
    return render(
        request,
        "quizzes/attempt_question.html",
        {
            "attempt": attempt,
            "quiz": attempt.assignment.quiz,
            "screen": screen,
            "entries": entries,
            "current": position,
            "can_check": immediate_feedback(attempt=attempt) and not screen.checked,
            "unanswered_count": sum(1 for e in entries if not e.answered),
            **_timer_context(attempt, now),
        },
    )


# --- Submit, result, review -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation, listing unanswered questions. POST: finish (twice is the
    same as once) and show the result."""
    attempt = _own_attempt(request, pk)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return _result_redirect(attempt)
    if request.method == "POST":
        attempt = attempt_finish(attempt=attempt)
        if attempt.deadline is not None and attempt.finished_at == attempt.deadline:
            messages.info(request, _("Time is up: your attempt was submitted."))
        return _result_redirect(attempt)
    entries = attempt_map(attempt=attempt)
    unanswered = [e for e in entries if not e.answered]
    return render(
        request,
        "quizzes/attempt_submit.html",
        {
            "attempt": attempt,
            "quiz": attempt.assignment.quiz,
            "entries": entries,
            "total": len(entries),
            "unanswered": unanswered,
            "answered_count": len(entries) - len(unanswered),
            "back_to": unanswered[0].position if unanswered else len(entries),
            **_timer_context(attempt, timezone.now()),
        },
    )


@login_required
@require_safe
@never_cache
def attempt_result_page(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.state == Attempt.State.IN_PROGRESS:
        return redirect("quizzes:attempt_detail", pk=attempt.pk)
    summary = attempt_result(attempt=attempt, now=timezone.now())
    return render(
        request,
        "quizzes/attempt_result.html",
        {"attempt": attempt, "quiz": attempt.assignment.quiz, "summary": summary},
    )


@login_required
@require_safe
@never_cache
def attempt_review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Each question with the learner's answer, the right answer, the explanation and the
    source, exactly as the attempt showed it — once the quiz's feedback timing allows."""
    attempt = _own_attempt(request, pk)
    if attempt.state == Attempt.State.IN_PROGRESS:
        return redirect("quizzes:attempt_detail", pk=attempt.pk)
    if not review_allowed(attempt=attempt, now=timezone.now()):
        messages.info(request, _("The answers of this quiz are shown after its due date."))
        return _result_redirect(attempt)
    return render(
        request,
        "quizzes/attempt_review.html",
        {
            "attempt": attempt,
            "quiz": attempt.assignment.quiz,
            "review": attempt_review(attempt=attempt),
        },
    )
