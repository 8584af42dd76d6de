"""The HTML pages, one block per view module (``quizzes/views/``)."""

from django.urls import path

from .views import (
    assignments,
    attempts,
    banks,
    documents,
    groups,
    home,
    imports,
    members,
    notices,
    quizzes,
    regrade,
    reports,
)

app_name = "quizzes"

urlpatterns = [
    # --- the signed-in person's home page (views/home.py)
    path("", home.home, name="home"),
    # --- banks and questions (views/banks.py)
    path("banks/<int:pk>/", banks.bank_detail, name="bank_detail"),
    path("banks/", banks.bank_list, name="bank_list"),
    path("banks/new/", banks.bank_create, name="bank_create"),
    path("banks/<int:pk>/edit/", banks.bank_edit, name="bank_edit"),
    path("banks/<int:pk>/questions/", banks.bank_questions, name="bank_questions"),
    path("banks/<int:pk>/questions/new/", banks.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", banks.question_edit, name="question_edit"),
    path("questions/<int:pk>/status/", banks.question_status, name="question_status"),
    path("questions/<int:pk>/history/", banks.question_history_view, name="question_history"),
    # --- quizzes and their slots (views/quizzes.py)
    path("quizzes/", quizzes.quiz_list, name="quiz_list"),
    path("quizzes/new/", quizzes.quiz_create, name="quiz_create"),
    path("quizzes/<int:pk>/", quizzes.quiz_builder, name="quiz_builder"),
    path("quizzes/<int:pk>/settings/", quizzes.quiz_edit, name="quiz_edit"),
    path("quizzes/<int:pk>/add-questions/", quizzes.quiz_add_questions, name="quiz_add_questions"),
    path("quizzes/<int:pk>/rules/", quizzes.quiz_add_rule, name="quiz_add_rule"),
    path("quizzes/<int:pk>/rules/count/", quizzes.quiz_rule_count, name="quiz_rule_count"),
    path(
        "quizzes/<int:pk>/slots/<int:slot_pk>/move/", quizzes.quiz_slot_move, name="quiz_slot_move"
    ),
    path(
        "quizzes/<int:pk>/slots/<int:slot_pk>/points/",
        quizzes.quiz_slot_points,
        name="quiz_slot_points",
    ),
    path("quizzes/<int:pk>/slots/<int:slot_pk>/pin/", quizzes.quiz_slot_pin, name="quiz_slot_pin"),
    path(
        "quizzes/<int:pk>/slots/<int:slot_pk>/remove/",
        quizzes.quiz_slot_remove,
        name="quiz_slot_remove",
    ),
    path("quizzes/<int:pk>/assign/", quizzes.quiz_assign, name="quiz_assign"),
    # --- documents and the review queue (views/documents.py)
    path("banks/<int:pk>/documents/new/", documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/progress/", documents.document_progress, name="document_progress"),
    path("documents/<int:pk>/retry/", documents.document_retry, name="document_retry"),
    path("documents/<int:pk>/delete/", documents.document_delete, name="document_delete"),
    path("banks/<int:pk>/review/", documents.review_queue, name="review_queue"),
    path("banks/<int:pk>/review/decide/", documents.review_decide, name="review_decide"),
    # --- question interchange: imports and exports (views/imports.py)
    path("banks/<int:pk>/import/", imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", imports.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("imports/template.xlsx", imports.import_template, name="import_template"),
    path("banks/<int:pk>/export/", imports.bank_export, name="bank_export"),
    path(
        "banks/<int:pk>/export/<slug:fmt>/",
        imports.bank_export_download,
        name="bank_export_download",
    ),
    path("quizzes/<int:pk>/export/", imports.quiz_export, name="quiz_export"),
    path(
        "quizzes/<int:pk>/export/<slug:fmt>/",
        imports.quiz_export_download,
        name="quiz_export_download",
    ),
    # --- study groups and joining (views/groups.py)
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/join-code/", groups.join_code_regenerate, name="join_code_regenerate"),
    path("groups/<int:pk>/join-sheet/", groups.group_join_sheet, name="group_join_sheet"),
    path("groups/<int:pk>/join-qr.svg", groups.group_join_qr, name="group_join_qr"),
    path("join/<str:code>/", groups.join, name="join"),
    # --- a group"s members and member import (views/members.py)
    path("groups/<int:pk>/organizers/", members.organizer_add, name="organizer_add"),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/role/", members.member_role, name="member_role"
    ),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path("groups/<int:pk>/import/", members.member_import, name="member_import"),
    path(
        "groups/<int:pk>/import/confirm/",
        members.member_import_confirm,
        name="member_import_confirm",
    ),
    path("groups/<int:pk>/import/done/", members.member_import_result, name="member_import_result"),
    path(
        "groups/<int:pk>/import/passwords/",
        members.member_import_passwords,
        name="member_import_passwords",
    ),
    # --- an assignment"s progress and reminders (views/assignments.py)
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path(
        "assignments/<int:pk>/progress/<slug:which>.csv",
        assignments.assignment_progress_csv,
        name="assignment_progress_csv",
    ),
    path("assignments/<int:pk>/remind/", assignments.assignment_remind, name="assignment_remind"),
    # --- a learner"s notices (views/notices.py)
    path("notices/<int:pk>/dismiss/", notices.notice_dismiss, name="notice_dismiss"),
    # --- a learner taking a quiz (views/attempts.py)
    path("assignments/<int:pk>/take/", attempts.assignment_take, name="assignment_take"),
    path("assignments/<int:pk>/start/", attempts.attempt_begin, name="attempt_begin"),
    path("attempts/<int:pk>/", attempts.attempt_detail, name="attempt_detail"),
    path("attempts/<int:pk>/q/<int:position>/", attempts.attempt_question, name="attempt_question"),
    path("attempts/<int:pk>/submit/", attempts.attempt_submit, name="attempt_submit"),
    path("attempts/<int:pk>/result/", attempts.attempt_result_page, name="attempt_result"),
    path("attempts/<int:pk>/review/", attempts.attempt_review_page, name="attempt_review"),
    # --- reports (views/reports.py)
    path("assignments/<int:pk>/report/", reports.assignment_report, name="assignment_report"),
    path(
        "assignments/<int:pk>/report/mastery/",
        reports.assignment_mastery_report,
        name="assignment_mastery",
    ),
    path(
        "assignments/<int:pk>/report/items/",
        reports.assignment_items_report,
        name="assignment_items",
    ),
    path(
        "assignments/<int:pk>/report/<slug:table>.<slug:fmt>",
        reports.assignment_report_export,
        name="assignment_report_export",
    ),
    path("groups/<int:pk>/report/", reports.group_report, name="group_report"),
    # --- regrading (views/regrade.py)
    path("assignments/<int:pk>/regrade/", regrade.regrade_list, name="regrade_list"),
    path(
        "assignments/<int:pk>/regrade/<int:question_pk>/",
        regrade.regrade_question,
        name="regrade_question",
    ),
]
