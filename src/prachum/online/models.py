from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Join(models.Model):
    """A participant joined an online session: through their personal link, or seen in the provider's list."""

    class Source(models.TextChoices):
        LINK = "link", _("Personal join link")
        PROVIDER = "provider", _("Video conference attendee list")

    registration = models.ForeignKey("registration.Registration", on_delete=models.PROTECT, related_name="joins")
    session = models.ForeignKey("meetings.Session", on_delete=models.PROTECT, related_name="joins")
    joined_at = models.DateTimeField(_("joined"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.LINK)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("online join")
        verbose_name_plural = _("online joins")
        ordering = ["joined_at"]
        indexes = [models.Index(fields=["session", "registration"], name="join_session_person_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=["link", "provider"]), name="join_source_valid"),
        ]

    def __str__(self):
        return f"{self.registration} → {self.session}"
