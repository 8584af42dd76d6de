"""Forms of the study-group pages: a group's settings and the join page's sign-up. Forms
only read and check input; the views hand the cleaned data to ``quizzes.services.groups``."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from quizzes.models import StudyGroup, User
from quizzes.selectors.groups import tree_order

# Indentation of a group below its parent in a drop-down list (spaces are collapsed there).
_INDENT = "\u00a0\u00a0\u00a0"


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.ChoiceField(
        label=_("Part of"),
        required=False,
        help_text=_("The group this one belongs to. Its organizers see this group's reports."),
    )

    def __init__(self, *args, parents: list[StudyGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parents = {str(group.pk): group for group in parents}
        self.fields["parent"].choices = [
            ("", _("— none: a top group —")),
            *(
                (str(group.pk), _INDENT * depth + group.name)
                for group, depth in tree_order(groups=parents)
            ),
        ]

    @classmethod
    def initial_from(cls, group: StudyGroup) -> dict:
        return {
            "name": group.name,
            "description": group.description,
            "parent": str(group.parent_id or ""),
        }

    def clean_parent(self) -> StudyGroup | None:
        value = self.cleaned_data["parent"]
        return self.parents[value] if value else None


class JoinRegisterForm(UserCreationForm):
    """Sign-up on a group's join page: Django's user-creation form (its username checks,
    the password validators, the two password fields) with the name a person goes by."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("As your organizer knows you, e.g. 张三."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("display_name", "username")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The name comes first on the page, so it takes the focus, not the username.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["display_name"].widget.attrs.update(autocomplete="name")
        self.fields["username"].widget.attrs.update(autocomplete="username")
