"""Account pages that differ from Django's own."""

from django.contrib.auth import views as auth_views


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also ends the must-change-password state of an
    account made with an initial password (saved with the new password, in one write)."""

    def form_valid(self, form):
        form.user.must_change_password = False
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's password reset by e-mail, which likewise ends the must-change-password
    state: the new password is the person's own."""

    def form_valid(self, form):
        form.user.must_change_password = False
        return super().form_valid(form)
