"""Request middleware of the quizzes app."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Pages a person with an initial password may still open: the password change itself,
# logging out, the language switch and the JavaScript catalog those pages use, and the
# icon the browser asks for.
ALLOWED_URL_NAMES = (
    "password_change",
    "password_change_done",
    "logout",
    "set_language",
    "javascript-catalog",
    "healthz",
    "favicon",
)


class InitialPasswordMiddleware:
    """Someone whose account was made with an initial password (shown to an organizer,
    perhaps printed) must choose their own before anything else: pages redirect to the
    password change, the API answers 403 with the reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def allowed_paths(self) -> tuple[str, ...]:
        if self._allowed is None:
            self._allowed = tuple(reverse(name) for name in ALLOWED_URL_NAMES)
        return self._allowed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and request.path_info not in self.allowed_paths()
        ):
            reason = _("Choose your own password first: yours was given to you by an organizer.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": reason}, status=403)
            messages.info(request, reason)
            return redirect("password_change")
        return self.get_response(request)
