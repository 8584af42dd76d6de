from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using studyapp. Chinese names do not split into first and last name,
    so the name a person goes by is one field."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        # Also a database default: bulk loaders that list their own columns (seed_load's
        # COPY) need not know this one.
        db_default=False,
        help_text=_(
            "Set for accounts made with an initial password (member import); cleared when "
            "the person chooses their own."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def shown_name(self) -> str:
        return str(self)
