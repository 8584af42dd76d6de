"""The project's URLs plus the baseline endpoint of ``bench/answer_save.py``."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from quizzes.models import Attempt, AttemptItem


@csrf_exempt
@require_POST
def baseline_save(request: HttpRequest, pk: int, position: int, sequence: int) -> JsonResponse:
    """Only the row write the answer-save endpoint does, under the same lock: lock the
    attempt row, update the item's sequence and time. No auth, no parsing, no checks."""
    with transaction.atomic():
        Attempt.objects.select_for_update().filter(pk=pk).values_list("pk").get()
        AttemptItem.objects.filter(attempt_id=pk, position=position).update(
            sequence=sequence, answered_at=timezone.now()
        )
    return JsonResponse({"sequence": sequence})


urlpatterns = [
    path(
        "bench/baseline/<int:pk>/<int:position>/<int:sequence>/",
        baseline_save,
        name="bench-baseline",
    ),
    path("", include("studyapp.urls")),
]
