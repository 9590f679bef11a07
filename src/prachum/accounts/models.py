from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: an organizer, a focal point or check-in staff. Participants do not need one."""

    language = models.CharField(_("language"), max_length=8, default="lo", choices=[("lo", "ລາວ"), ("en", "English")])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [("administer_site", _("Can invite and deactivate organizer accounts and grant their rights"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"),
        ]
