from django.urls import path

from .views import pages

app_name = "quizzes"

urlpatterns = [
    path("", pages.home, name="home"),
    path("groups/<int:pk>/", pages.group_detail, name="group_detail"),
    path("banks/<int:pk>/", pages.bank_detail, name="bank_detail"),
]
