"""Small pieces several organizer views share."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from quizzes.models import Assignment
from quizzes.selectors.access import GroupAccess, group_access


def managed_assignment(request: HttpRequest, pk: int) -> Assignment:
    """The assignment ``pk`` if ``request.user`` organizes its group or a group above it
    (or is staff); 404 otherwise, so that ids of other groups' assignments reveal nothing."""
    assignment = get_object_or_404(Assignment.objects.select_related("quiz", "group"), pk=pk)
    if group_access(user=request.user, group=assignment.group) not in (
        GroupAccess.STAFF,
        GroupAccess.ORGANIZER,
    ):
        raise Http404
    return assignment


def errors_to_form(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on its field when it names one the
    form has, otherwise as a form-wide error."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
