"""Forms of a group's member pages: a co-organizer to add and a member list to import.
Forms only read and check input; the views hand the cleaned data to
``quizzes.services.groups``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quizzes.formats.members import MAX_BYTES


class OrganizerAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("The person needs an account already; they become an organizer."),
    )


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (.xlsx or .csv)"),
        help_text=_(
            "Columns: name, username, unit (or 姓名, 用户名 or 账号, 单位), headers in the "
            "first row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB."),
                code="too_large",
                params={"limit": MAX_BYTES // (1024 * 1024)},
            )
        return upload
