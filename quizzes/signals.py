"""Receivers of Django's signals, connected in ``QuizzesConfig.ready()``."""

from __future__ import annotations

from quizzes.selectors.quizzes import user_is_organizer

# Remembered in the session so that the header can show the authoring links without a
# query on every page (``views.common.organizer_required`` keeps it up to date).
ORGANIZER_SESSION_KEY = "studyapp_organizer"


def remember_organizer(sender, request, user, **kwargs) -> None:
    """Note at log-in whether the user may author (``user_logged_in``)."""
    if request is not None and hasattr(request, "session"):
        request.session[ORGANIZER_SESSION_KEY] = user_is_organizer(user=user)
