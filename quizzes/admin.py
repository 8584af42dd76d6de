"""The Django admin: where site staff review scores and attempts, fix data and manage
accounts.

Two rules shape it. Nothing here may falsify a score: attempts, their items and answers,
learner results and the score audit trail are view-only, and a finished attempt cannot be
deleted. Nothing here may edit a question version: versions, their choices and accepted
answers are immutable (the database refuses any UPDATE), so their admins are view-only and a
question's admin changes only its status and key point. Every changelist fetches what its
columns show in a fixed number of queries, whatever the number of rows.
"""

import csv
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, NullIf
from django.http import StreamingHttpResponse
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from quizzes.downloads import Echo, csv_text, csv_time
from quizzes.quality_labels import quality_reasons

from .models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    BlankAnswer,
    Choice,
    ImportBatch,
    KeyPoint,
    Membership,
    Notice,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionVersion,
    Quiz,
    QuizSlot,
    Regrade,
    ScoreChange,
    SourceDocument,
    StudyGroup,
    User,
)
from .selectors.access import subtree_ids

admin.site.site_header = _("studyapp administration")
admin.site.site_title = _("studyapp admin")
admin.site.index_title = _("Scores, questions and study groups")

# An attempt's (and a result's) name is made of its learner, quiz and group: fetched with it.
ATTEMPT_RELATED = ("user", "assignment__quiz", "assignment__group")


def _item_answer_prefetches() -> tuple:
    """What the answer columns of an attempt item read: its shown choices, typed blanks and
    the accepted answers of its version."""
    return (
        Prefetch("choices", queryset=AttemptChoice.objects.select_related("choice")),
        "blanks",
        "question_version__blank_answers",
    )


def _short(text: str, length: int = 60) -> str:
    return Truncator(text).chars(length)


def _plain(value: Decimal | None) -> Decimal | None:
    """A score without the trailing zeros of its four stored decimal places."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _score_text(value: Decimal | None) -> str | None:
    """A score as the pages show it: at most two decimals, none when whole (2.33, 3)."""
    return None if value is None else floatformat(value, -2)


def _score_of_max(row) -> str | None:
    """An attempt's or a result's score out of its maximum: 2.33 / 3."""
    if row.score is None:
        return None
    return f"{_score_text(row.score)} / {_score_text(row.max_score)}"


def _percent_text(value: float | Decimal | None) -> str | None:
    """A percentage as the pages show it: whole, with its sign (12%)."""
    return None if value is None else f"{floatformat(value, 0)}%"


def _short_time(value) -> str:
    # One compact form in every language: 2026-03-02 09:30 (the admin's own is longer).
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "–"


def _percent_expression():
    # As floats: on SQLite, decimal columns holding whole numbers divide as integers.
    return (
        Cast(F("score"), FloatField())
        * Value(100.0)
        / NullIf(Cast(F("max_score"), FloatField()), Value(0.0))
    )


# --- Building blocks --------------------------------------------------------------------


class ViewOnlyMixin:
    """For records nobody edits by hand: they are written by the services (attempts,
    results, audit rows) or are immutable (question versions)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartOfAnotherMixin:
    """For rows that exist only as parts of another row (an attempt's items, the choices
    an item showed and the blanks it typed, a quiz's slots, a question's versions and
    their choices or accepted answers, a document's key points): shown inline under their
    owner, whose inline links to their own page. Left out of the admin index, which then
    lists what staff look for."""

    def has_module_permission(self, request):
        return False


class ViewOnlyInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class DeletesPartsMixin:
    """Deleting a row also deletes the rows that exist only as its parts (an attempt's
    items, a question's versions). Those parts have view-only admins, which would otherwise
    block the deletion; whoever may delete the whole may delete its parts with it. Rows that
    are more than parts (a finished attempt, anything ``PROTECT``-ed) still block it."""

    parts: tuple = ()

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        part_names = {str(model._meta.verbose_name) for model in self.parts}
        perms_needed = {name for name in perms_needed if str(name) not in part_names}
        return deleted, model_count, perms_needed, protected


class AssignmentListFilter(admin.RelatedFieldListFilter):
    """Filter by assignment. An assignment's name is its quiz's and group's, so they are
    fetched in the same query rather than two queries per assignment listed."""

    def field_choices(self, field, request, model_admin):
        assignments = Assignment.objects.select_related("quiz", "group")
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            assignments = assignments.order_by(*ordering)
        return [(assignment.pk, str(assignment)) for assignment in assignments]


class GroupTreeListFilter(admin.FieldListFilter):
    """On a study-group field (``assignment__group``): rows whose group is the chosen
    group *or any group below it* (``?<path>__subtree=<id>``).

    The choices are the tree as far as it is opened: the top two levels, and along the
    chosen group's path the groups below each group on it — so a tree of hundreds of study
    groups lists a few dozen links, and a click opens the next level. One query reads the
    tree; the filter itself is one ``IN`` subquery (a recursive CTE), whatever the depth."""

    lookup_suffix = "subtree"
    title_text = _("assignment's group, with its sub-groups")

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{self.lookup_suffix}"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = self.title_text
        values = self.used_parameters.get(self.lookup_kwarg)
        self.lookup_val = values[-1] if values else None
        self.lookup_choices = self._tree_choices()

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def _selected_pk(self) -> int | None:
        if self.lookup_val is None:
            return None
        try:
            return int(self.lookup_val)
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error

    def _tree_choices(self) -> list[tuple[int, int, str]]:
        """(id, depth, name) of the groups to list, in tree order."""
        rows = list(StudyGroup.objects.order_by("name", "pk").values_list("pk", "name", "parent"))
        children: dict[int | None, list[tuple[int, str]]] = {}
        parent_of = {}
        for pk, name, parent in rows:
            children.setdefault(parent, []).append((pk, name))
            parent_of[pk] = parent
        opened = {pk for pk, _name in children.get(None, [])}
        try:
            node = self._selected_pk()
        except IncorrectLookupParameters:
            node = None
        while node is not None and node not in opened | {None}:
            opened.add(node)
            node = parent_of.get(node)
        listed: list[tuple[int, int, str]] = []
        # A stack rather than recursion; ``seen`` ends a cycle in bad data.
        stack = [(pk, 0, name) for pk, name in reversed(children.get(None, []))]
        seen = set()
        while stack:
            pk, depth, name = stack.pop()
            if pk in seen:
                continue
            seen.add(pk)
            listed.append((pk, depth, name))
            if pk in opened:
                stack.extend((child, depth + 1, n) for child, n in reversed(children.get(pk, [])))
        return listed

    def has_output(self):
        return bool(self.lookup_choices)

    def queryset(self, request, queryset):
        pk = self._selected_pk()
        if pk is None:
            return queryset
        return queryset.filter(self.condition(pk))

    def condition(self, pk: int) -> Q:
        return Q(**{f"{self.field_path}__in": subtree_ids(group_ids=pk)})

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{pk}__c": Count(pk_attname, filter=self.condition(pk))
            for pk, _depth, _name in self.lookup_choices
        }

    def choices(self, changelist):
        facet_counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
        }
        for pk, depth, name in self.lookup_choices:
            # Em spaces indent each level: HTML does not collapse them.
            display = "\u2003" * depth + name
            if facet_counts is not None:
                display = f"{display} ({facet_counts[f'{pk}__c']})"
            yield {
                "selected": self.lookup_val == str(pk),
                "query_string": changelist.get_query_string({self.lookup_kwarg: pk}),
                "display": display,
            }


class MemberGroupTreeListFilter(GroupTreeListFilter):
    """On a user field (``user``): rows of people who belong (in any role) to the chosen
    group or any group below it (``?<path>__group_subtree=<id>``) — e.g. every attempt made
    by a branch's members, at assignments made to the branch or to the whole committee. A
    person in two of those groups counts once."""

    lookup_suffix = "group_subtree"
    title_text = _("learner's group, with its sub-groups")

    def condition(self, pk: int) -> Q:
        members = Membership.objects.filter(group_id__in=subtree_ids(group_ids=pk)).values(
            "user_id"
        )
        return Q(**{f"{self.field_path}__in": members})


class ScoreBandListFilter(admin.SimpleListFilter):
    """Score as a percentage of the maximum, in the bands reports use: below 60, 60 to
    below 80, 80 and above; or no score yet (an attempt in progress)."""

    title = _("score")
    parameter_name = "score_band"
    # The field or annotation holding the percentage (0-100) on the filtered queryset.
    percent_field = "percent"
    BANDS = {"0-59": (None, 60), "60-79": (60, 80), "80-100": (80, None)}

    def lookups(self, request, model_admin):
        return [
            ("0-59", _("0–59 %")),
            ("60-79", _("60–79 %")),
            ("80-100", _("80–100 %")),
            ("none", _("no score yet")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == "none":
            return queryset.filter(**{f"{self.percent_field}__isnull": True})
        if value not in self.BANDS:
            raise IncorrectLookupParameters(f"unknown score band {value!r}")
        low, high = self.BANDS[value]
        condition = Q(**{f"{self.percent_field}__isnull": False})
        if low is not None:
            condition &= Q(**{f"{self.percent_field}__gte": low})
        if high is not None:
            condition &= Q(**{f"{self.percent_field}__lt": high})
        return queryset.filter(condition)


class AttemptScoreBandListFilter(ScoreBandListFilter):
    percent_field = "percent_value"


# --- Accounts ---------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "is_staff",
        "is_active",
        "last_login",
        "date_joined",
    )
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    date_hierarchy = "date_joined"
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("display_name", "email", "first_name", "last_name")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


# --- Banks, documents, questions ---------------------------------------------------------


@admin.register(QuestionBank)
class QuestionBankAdmin(DeletesPartsMixin, admin.ModelAdmin):
    parts = (QuestionVersion, Choice, BlankAnswer)
    list_display = ("title", "owner", "document_count", "question_count", "created_at")
    list_select_related = ("owner",)
    search_fields = ("title", "description", "owner__username", "owner__display_name")
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_documents=Count("documents", distinct=True),
                n_questions=Count("questions", distinct=True),
            )
        )

    @admin.display(description=_("documents"), ordering="n_documents")
    def document_count(self, obj):
        return obj.n_documents

    @admin.display(description=_("questions"), ordering="n_questions")
    def question_count(self, obj):
        return obj.n_questions


class KeyPointInline(ViewOnlyInline):
    model = KeyPoint
    fields = ("ordinal", "text", "start_offset", "end_offset", "score")
    readonly_fields = fields


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    """Documents are uploaded through the app, which extracts the text, checksums it and
    finds its key points; key points and questions point into the text by offset, so the
    text cannot change here. Only the descriptive fields can."""

    list_display = (
        "title",
        "bank",
        "language",
        "original_filename",
        "key_point_count",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("language", "bank")
    list_select_related = ("bank", "uploaded_by")
    search_fields = ("title", "source", "original_filename", "bank__title")
    date_hierarchy = "created_at"
    fields = (
        "bank",
        "title",
        "source",
        "original_filename",
        "language",
        "checksum",
        "uploaded_by",
        "created_at",
        "text",
    )
    readonly_fields = ("bank", "language", "checksum", "uploaded_by", "created_at", "text")
    inlines = (KeyPointInline,)

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_key_points=Count("key_points"))

    @admin.display(description=_("key points"), ordering="n_key_points")
    def key_point_count(self, obj):
        return obj.n_key_points


@admin.register(KeyPoint)
class KeyPointAdmin(PartOfAnotherMixin, admin.ModelAdmin):
    """Key points are found by the generator and point into their document's text: view
    them, or delete a wrong one (its questions keep their source excerpt)."""

    list_display = ("short_text", "ordinal", "document", "score")
    list_filter = ("document__language", "document__bank")
    list_select_related = ("document",)
    search_fields = ("text", "document__title")
    ordering = ("document", "ordinal")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text, 80)


class QuestionVersionInline(ViewOnlyInline):
    model = QuestionVersion
    fields = ("number", "kind", "stem", "difficulty", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-number",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ("status", "key_point")

    def clean_key_point(self):
        key_point = self.cleaned_data.get("key_point")
        if key_point is not None and key_point.document.bank_id != self.instance.bank_id:
            raise ValidationError(
                _("Choose a key point of a document in this question's bank."),
                code="other_bank",
            )
        return key_point


@admin.register(Question)
class QuestionAdmin(DeletesPartsMixin, admin.ModelAdmin):
    """A question's content lives in its immutable versions, written by the bank services;
    here staff change only its status and key point."""

    parts = (QuestionVersion, Choice, BlankAnswer)
    form = QuestionAdminForm
    list_display = (
        "id",
        "current_stem",
        "current_kind",
        "version_count",
        "bank",
        "status",
        "origin",
        "quality",
        "review_rank",
        "rejection_reason",
        "created_at",
    )
    list_display_links = ("id", "current_stem")
    list_filter = ("status", "origin", "rejection_reason", "versions__kind", "bank")
    list_select_related = ("bank",)
    search_fields = ("versions__stem", "key_point__text", "bank__title")
    autocomplete_fields = ("key_point",)
    date_hierarchy = "created_at"
    fields = (
        "bank",
        "origin",
        "status",
        "key_point",
        "quality",
        "quality_reasons_shown",
        "review_rank",
        "rejection_reason",
        "rejection_note",
        "created_by",
        "created_at",
        "updated_at",
    )
    # The generator's score and the reviewer's reason are records of what happened: shown,
    # never edited here.
    readonly_fields = (
        "bank",
        "origin",
        "quality",
        "quality_reasons_shown",
        "review_rank",
        "rejection_reason",
        "rejection_note",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (QuestionVersionInline,)

    def has_add_permission(self, request):
        # A question without a version shows nothing; questions come from the bank services.
        return False

    def get_queryset(self, request):
        newest = QuestionVersion.objects.newest_for()
        return (
            super()
            .get_queryset(request)
            .annotate(
                newest_stem=Subquery(newest.values("stem")[:1]),
                newest_kind=Subquery(newest.values("kind")[:1]),
                n_versions=Subquery(
                    QuestionVersion.objects.filter(question=OuterRef("pk"))
                    .order_by()
                    .values("question")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
            )
            # A question's name is its newest stem: prefetched so that autocomplete
            # results and deletion pages do not query once per question.
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=QuestionVersion.objects.only("id", "question_id", "number", "stem"),
                )
            )
        )

    @admin.display(description=_("stem"), ordering="newest_stem")
    def current_stem(self, obj):
        return _short(obj.newest_stem or "", 80)

    @admin.display(description=_("kind"), ordering="newest_kind")
    def current_kind(self, obj):
        field = QuestionVersion._meta.get_field("kind")
        return dict(field.flatchoices).get(obj.newest_kind, obj.newest_kind)

    @admin.display(description=_("versions"), ordering="n_versions")
    def version_count(self, obj):
        return obj.n_versions or 0

    @admin.display(description=_("quality reasons"))
    def quality_reasons_shown(self, obj):
        reasons = quality_reasons(obj.quality_reasons or [])
        if not reasons:
            return "-"
        signs = {True: "+", False: "−", None: "·"}
        return format_html_join(
            mark_safe("<br>"), "{} {}", ((signs[r.positive], r.label) for r in reasons)
        )


class ChoiceInline(ViewOnlyInline):
    model = Choice
    fields = ("ordinal", "text", "is_correct", "feedback")
    readonly_fields = fields
    show_change_link = False


class BlankAnswerInline(ViewOnlyInline):
    model = BlankAnswer
    fields = ("blank", "text")
    readonly_fields = fields
    show_change_link = False


@admin.register(QuestionVersion)
class QuestionVersionAdmin(PartOfAnotherMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "short_stem",
        "question_id",
        "number",
        "kind",
        "difficulty",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "difficulty", "question__bank")
    list_select_related = ("created_by",)
    search_fields = ("stem", "explanation", "source_excerpt")
    date_hierarchy = "created_at"
    inlines = (ChoiceInline, BlankAnswerInline)

    @admin.display(description=_("stem"), ordering="stem")
    def short_stem(self, obj):
        return _short(obj.stem, 80)


@admin.register(Choice)
class ChoiceAdmin(PartOfAnotherMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("short_text", "version", "ordinal", "is_correct")
    list_filter = ("is_correct", "version__kind")
    list_select_related = ("version",)
    search_fields = ("text", "version__stem")

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text, 80)


@admin.register(BlankAnswer)
class BlankAnswerAdmin(PartOfAnotherMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("text", "blank", "version")
    list_select_related = ("version",)
    search_fields = ("text", "version__stem")


@admin.register(ImportBatch)
class ImportBatchAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Question files uploaded for import: written by the import service (preview, then
    import or cancel), read here. The file's bytes are not shown."""

    list_display = (
        "filename",
        "bank",
        "format",
        "state",
        "question_count",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("state", "format")
    list_select_related = ("bank", "created_by")
    search_fields = ("filename", "bank__title", "created_by__username")
    date_hierarchy = "created_at"
    exclude = ("data",)


# --- Quizzes ----------------------------------------------------------------------------


class QuizSlotInline(admin.TabularInline):
    model = QuizSlot
    extra = 0
    fields = ("position", "question", "pinned_version", "points")
    autocomplete_fields = ("question", "pinned_version")


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "owner",
        "slot_count",
        "attempts_allowed",
        "time_limit",
        "pass_mark",
        "grading_method",
        "feedback_timing",
        "created_at",
    )
    list_filter = ("grading_method", "feedback_timing", "shuffle_questions")
    list_select_related = ("owner",)
    search_fields = ("title", "description", "owner__username", "owner__display_name")
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = (QuizSlotInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_slots=Count("slots"))

    @admin.display(description=_("questions"), ordering="n_slots")
    def slot_count(self, obj):
        return obj.n_slots


@admin.register(QuizSlot)
class QuizSlotAdmin(PartOfAnotherMixin, admin.ModelAdmin):
    list_display = ("__str__", "quiz", "position", "question_stem", "pinned_version", "points")
    list_filter = ("quiz",)
    list_select_related = ("quiz", "pinned_version")
    search_fields = ("quiz__title",)
    autocomplete_fields = ("quiz", "question", "pinned_version")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                newest_stem=Subquery(
                    QuestionVersion.objects.newest_for("question").values("stem")[:1]
                )
            )
        )

    @admin.display(description=_("question"), ordering="newest_stem")
    def question_stem(self, obj):
        return _short(obj.newest_stem or "", 80)


# --- Study groups -----------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "unit", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "join_code", "member_count", "created_by", "created_at")
    list_filter = ("parent",)
    list_select_related = ("parent", "created_by")
    search_fields = ("name", "description", "join_code")
    autocomplete_fields = ("parent", "created_by")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("memberships"))

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "role", "unit", "joined_at")
    list_filter = ("role", "group")
    list_select_related = ("user", "group")
    search_fields = ("user__username", "user__display_name", "group__name", "unit")
    autocomplete_fields = ("user", "group")
    date_hierarchy = "joined_at"


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Reminders shown on learners' home pages, written when an organizer sends one. Staff
    read them and may delete one; nobody rewrites what was sent."""

    list_display = (
        "user",
        "assignment",
        "short_message",
        "created_by",
        "created_at",
        "dismissed_at",
    )
    list_filter = (("dismissed_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user", "assignment__quiz", "assignment__group", "created_by")
    search_fields = ("user__username", "user__display_name", "message")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("message"))
    def short_message(self, obj):
        return _short(obj.message, 80)


@admin.register(Assignment)
class AssignmentAdmin(DeletesPartsMixin, admin.ModelAdmin):
    # Results are computed from attempts, which protect the assignment: an assignment that
    # can be deleted at all has no attempt a result could come from.
    parts = (AssignmentResult,)
    list_display = ("__str__", "quiz", "group", "opens_at", "due_at", "attempt_count")
    list_filter = ("group", "quiz")
    list_select_related = ("quiz", "group")
    search_fields = ("quiz__title", "group__name")
    autocomplete_fields = ("quiz", "group", "created_by")
    readonly_fields = ("created_at",)
    date_hierarchy = "due_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_attempts=Count("attempts"))

    @admin.display(description=_("attempts"), ordering="n_attempts")
    def attempt_count(self, obj):
        return obj.n_attempts


# --- Attempts and scores ----------------------------------------------------------------


class AttemptItemInline(ViewOnlyInline):
    model = AttemptItem
    fields = ("position", "question_version", "points", "score_shown", "answer", "correct_answer")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("question_version")
            .prefetch_related(*_item_answer_prefetches())
        )

    @admin.display(description=_("score"))
    def score_shown(self, obj):
        return _score_text(obj.score)

    @admin.display(description=_("answer"))
    def answer(self, obj):
        return answer_summary(obj) or _("(no answer)")

    @admin.display(description=_("correct answer"))
    def correct_answer(self, obj):
        return correct_answer_summary(obj)


def _letter(position: int) -> str:
    return chr(ord("A") + position - 1) if 1 <= position <= 26 else str(position)


def answer_summary(item: AttemptItem) -> str:
    """What the learner answered, as one line: the selected choices, or what they typed
    into each blank."""
    if item.question_version.kind == QuestionKind.BLANK:
        return "; ".join(f"[{blank.blank}] {blank.response}" for blank in item.blanks.all())
    return "; ".join(
        f"{_letter(shown.position)}. {shown.choice.text}"
        for shown in item.choices.all()
        if shown.selected
    )


def correct_answer_summary(item: AttemptItem) -> str:
    if item.question_version.kind == QuestionKind.BLANK:
        return "; ".join(
            f"[{answer.blank}] {answer.text}"
            for answer in item.question_version.blank_answers.all()
        )
    return "; ".join(
        f"{_letter(shown.position)}. {shown.choice.text}"
        for shown in item.choices.all()
        if shown.choice.is_correct
    )


class ScoreChangeInline(ViewOnlyInline):
    model = ScoreChange
    fields = ("changed_at", "old_score", "new_score", "reason", "changed_by")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


def _csv_number(value) -> str:
    return "" if value is None else str(_plain(value))


@admin.register(Attempt)
class AttemptAdmin(DeletesPartsMixin, admin.ModelAdmin):
    """Attempts are written only by the attempt services. Here staff review them: filter,
    search, total and export, but change nothing. A finished attempt cannot be deleted; an
    unfinished one can, with its items and answers."""

    parts = (AttemptItem, AttemptChoice, AttemptBlank)
    # Narrow enough for a 1280 px screen with both sidebars: quiz and group share a cell,
    # start and finish too, the score is shown out of its maximum, as the pages do.
    list_display = (
        "learner",
        "quiz_and_group",
        "number",
        "state",
        "time_shown",
        "score_of_max",
        "percent_shown",
    )
    list_filter = (
        ("user", MemberGroupTreeListFilter),
        ("assignment__group", GroupTreeListFilter),
        "assignment__quiz",
        ("assignment", AssignmentListFilter),
        "state",
        AttemptScoreBandListFilter,
        "started_at",
    )
    list_select_related = ATTEMPT_RELATED
    search_fields = ("user__username", "user__display_name", "assignment__quiz__title")
    search_help_text = _("Search by learner's user name or name, or by quiz title.")
    date_hierarchy = "started_at"
    actions = ("export_as_csv",)
    fieldsets = (
        (None, {"fields": ("user", "assignment", "number", "state")}),
        (_("Time"), {"fields": ("started_at", "deadline", "finished_at")}),
        (_("Score"), {"fields": ("score_shown", "max_score_shown", "percent_shown")}),
    )
    readonly_fields = ("score_shown", "max_score_shown", "percent_shown")
    inlines = (AttemptItemInline, ScoreChangeInline)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state == Attempt.State.FINISHED:
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(*ATTEMPT_RELATED)
            .annotate(percent_value=_percent_expression())
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["attempt_totals"] = self.totals(context["cl"].queryset)
        return response

    def totals(self, queryset) -> dict:
        """Count and score totals of every attempt the current filters and search select
        (on all pages), in one aggregate query."""
        return queryset.aggregate(
            count=Count("pk"),
            learners=Count("user", distinct=True),
            finished=Count("pk", filter=Q(state=Attempt.State.FINISHED)),
            score_sum=Sum("score"),
            score_mean=Avg("score"),
            max_score_sum=Sum("max_score", filter=Q(score__isnull=False)),
            percent_mean=Avg("percent_value"),
        )

    @admin.display(description=_("learner"), ordering="user__username")
    def learner(self, obj):
        if obj.user.display_name:
            return f"{obj.user.display_name} ({obj.user.username})"
        return obj.user.username

    @admin.display(description=_("quiz and group"), ordering="assignment__quiz__title")
    def quiz_and_group(self, obj):
        quiz, group = obj.assignment.quiz.title, obj.assignment.group.name
        return format_html(
            '<span title="{}">{}</span><br><span class="quiet" title="{}">{}</span>',
            quiz,
            _short(quiz, 40),
            group,
            _short(group, 30),
        )

    @admin.display(description=_("started – finished"), ordering="started_at")
    def time_shown(self, obj):
        return format_html("{}<br>{}", _short_time(obj.started_at), _short_time(obj.finished_at))

    @admin.display(description=_("score"), ordering="score")
    def score_of_max(self, obj):
        return _score_of_max(obj)

    @admin.display(description=_("score"), ordering="score")
    def score_shown(self, obj):
        return _score_text(obj.score)

    @admin.display(description=_("maximum score"), ordering="max_score")
    def max_score_shown(self, obj):
        return _score_text(obj.max_score)

    @admin.display(description=_("percent"), ordering="percent_value")
    def percent_shown(self, obj):
        value = getattr(obj, "percent_value", None)
        return None if value is None else _percent_text(value)

    @admin.action(description=_("Export selected attempts as CSV"), permissions=["view"])
    def export_as_csv(self, request, queryset):
        header = [
            _("attempt id"),
            _("learner username"),
            _("learner name"),
            _("group"),
            _("quiz"),
            _("attempt number"),
            _("state"),
            _("started"),
            _("finished"),
            _("score"),
            _("maximum score"),
            _("percent"),
        ]
        attempts = queryset.select_related(*ATTEMPT_RELATED)
        writer = csv.writer(Echo())

        def rows():
            # The byte order mark makes Excel read the file as UTF-8, so Chinese names
            # and titles open correctly.
            yield "\ufeff"
            yield writer.writerow([str(title) for title in header])
            for attempt in attempts.iterator(chunk_size=1000):
                percent = attempt.percent_value
                yield writer.writerow(
                    [
                        attempt.pk,
                        csv_text(attempt.user.username),
                        csv_text(attempt.user.display_name),
                        csv_text(attempt.assignment.group.name),
                        csv_text(attempt.assignment.quiz.title),
                        attempt.number,
                        attempt.get_state_display(),
                        csv_time(attempt.started_at),
                        csv_time(attempt.finished_at),
                        _csv_number(attempt.score),
                        _csv_number(attempt.max_score),
                        "" if percent is None else f"{percent:.2f}",
                    ]
                )

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            rows(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="attempts-{stamp}.csv"'},
        )


class AttemptChoiceInline(ViewOnlyInline):
    model = AttemptChoice
    fields = ("position", "choice", "selected", "is_correct")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("choice")

    @admin.display(description=_("correct"), boolean=True)
    def is_correct(self, obj):
        return obj.choice.is_correct


class AttemptBlankInline(ViewOnlyInline):
    model = AttemptBlank
    fields = ("blank", "response")
    readonly_fields = fields
    show_change_link = False


@admin.register(AttemptItem)
class AttemptItemAdmin(PartOfAnotherMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "attempt",
        "position",
        "question_version",
        "points",
        "score",
        "answered_at",
    )
    list_filter = (
        "attempt__state",
        "attempt__assignment__quiz",
        ("attempt__assignment", AssignmentListFilter),
    )
    list_select_related = (
        "attempt__user",
        "attempt__assignment__quiz",
        "attempt__assignment__group",
        "question_version",
    )
    search_fields = (
        "attempt__user__username",
        "attempt__user__display_name",
        "question_version__stem",
    )
    fields = (
        "attempt",
        "position",
        "question",
        "question_version",
        "slot",
        "points",
        "score",
        "answer",
        "correct_answer",
        "sequence",
        "answered_at",
    )
    readonly_fields = ("answer", "correct_answer")
    inlines = (AttemptChoiceInline, AttemptBlankInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "attempt__user",
                "attempt__assignment__quiz",
                "attempt__assignment__group",
                "question_version",
            )
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            prefetch_related_objects([obj], *_item_answer_prefetches())
        return obj

    @admin.display(description=_("answer"))
    def answer(self, obj):
        return answer_summary(obj) or _("(no answer)")

    @admin.display(description=_("correct answer"))
    def correct_answer(self, obj):
        return correct_answer_summary(obj)


@admin.register(AttemptChoice)
class AttemptChoiceAdmin(PartOfAnotherMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "item", "position", "selected", "is_correct")
    list_filter = ("selected", "choice__is_correct")
    list_select_related = ("item__question_version", "choice")
    search_fields = ("choice__text", "item__attempt__user__username")

    @admin.display(description=_("correct"), boolean=True, ordering="choice__is_correct")
    def is_correct(self, obj):
        return obj.choice.is_correct


@admin.register(AttemptBlank)
class AttemptBlankAdmin(PartOfAnotherMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "item", "blank", "response")
    list_select_related = ("item__question_version",)
    search_fields = ("response", "item__attempt__user__username")


@admin.register(AssignmentResult)
class AssignmentResultAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "assignment",
        "attempts_finished",
        "score_shown",
        "percent_shown",
        "passed",
        "last_finished_at",
    )
    list_filter = (
        ("user", MemberGroupTreeListFilter),
        ("assignment__group", GroupTreeListFilter),
        "assignment__quiz",
        ("assignment", AssignmentListFilter),
        "passed",
        ScoreBandListFilter,
    )
    list_select_related = ATTEMPT_RELATED
    search_fields = ("user__username", "user__display_name", "assignment__quiz__title")
    date_hierarchy = "last_finished_at"

    @admin.display(description=_("score"), ordering="score")
    def score_shown(self, obj):
        return _score_of_max(obj)

    @admin.display(description=_("percent"), ordering="percent")
    def percent_shown(self, obj):
        return _percent_text(obj.percent)


@admin.register(ScoreChange)
class ScoreChangeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("attempt", "old_score", "new_score", "regrade", "changed_by", "changed_at")
    list_filter = ("attempt__assignment__quiz",)
    list_select_related = (
        "attempt__user",
        "attempt__assignment__quiz",
        "attempt__assignment__group",
        "regrade__to_version",
        "changed_by",
    )
    search_fields = (
        "attempt__user__username",
        "attempt__user__display_name",
        "changed_by__username",
        "reason",
    )
    date_hierarchy = "changed_at"


@admin.register(Regrade)
class RegradeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "assignment", "to_version", "created_by", "created_at")
    list_filter = ("assignment__group", "assignment__quiz")
    list_select_related = (
        "assignment__quiz",
        "assignment__group",
        "to_version",
        "created_by",
    )
    search_fields = ("reason", "created_by__username", "assignment__quiz__title")
    date_hierarchy = "created_at"


# --- generation jobs (documents and review) ----------------------------------------------
from .models import GenerationJob  # noqa: E402  (kept with its admin: one block per author)


@admin.register(GenerationJob)
class GenerationJobAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Runs of the question generator: written by the generation task, read here."""

    list_display = (
        "document",
        "status",
        "progress",
        "stage",
        "drafts_created",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "document__bank")
    list_select_related = ("document", "created_by")
    search_fields = ("document__title", "error", "created_by__username")
    date_hierarchy = "created_at"
