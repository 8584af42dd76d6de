from django.urls import path

from .views import pages, regrade

app_name = "quizzes"

urlpatterns = [
    path("", pages.home, name="home"),
    path("groups/<int:pk>/", pages.group_detail, name="group_detail"),
    path("banks/<int:pk>/", pages.bank_detail, name="bank_detail"),
]

# --- learner attempts (quizzes/views/attempts.py) ---------------------------------------
urlpatterns += []

# --- organizer authoring: banks, questions, quizzes (quizzes/views/authoring.py) --------
urlpatterns += []

# --- regrading (quizzes/views/regrade.py) -----------------------------------------------
urlpatterns += [
    path("assignments/<int:pk>/regrade/", regrade.regrade_list, name="regrade_list"),
    path(
        "assignments/<int:pk>/regrade/<int:question_pk>/",
        regrade.regrade_question,
        name="regrade_question",
    ),
]
