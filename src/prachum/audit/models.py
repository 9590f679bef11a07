from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are not editable")

    def delete(self):
        raise PermissionError("audit events are not deletable")


class AuditEvent(models.Model):
    """Who changed what, when, with the values before and after. Written in the same
    transaction as the change; never edited or deleted."""

    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    registration = models.ForeignKey(
        "registration.Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    kind = models.CharField(_("what"), max_length=80, help_text="Dotted, e.g. registration.approved")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(
        _("by"), max_length=200, blank=True, help_text=_("Kept when the account is deleted; also names devices and the system.")
    )
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["meeting", "-created_at"], name="audit_meeting_idx"),
            models.Index(fields=["registration", "-created_at"], name="audit_registration_idx"),
        ]

    def __str__(self):
        return f"{self.kind} by {self.actor_label or '—'}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("audit events are not editable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are not deletable")
