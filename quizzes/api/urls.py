from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path(
        "assignments/<int:pk>/attempts/",
        views.AttemptStartView.as_view(),
        name="attempt-start",
    ),
    path("attempts/<int:pk>/", views.AttemptDetailView.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:pk>/items/<int:position>/",
        views.AttemptItemView.as_view(),
        name="attempt-item",
    ),
    path("attempts/<int:pk>/answers/", views.AnswerView.as_view(), name="attempt-answer"),
    path(
        "attempts/<int:pk>/items/<int:position>/check/",
        views.CheckView.as_view(),
        name="attempt-check",
    ),
    path("attempts/<int:pk>/finish/", views.FinishView.as_view(), name="attempt-finish"),
]
