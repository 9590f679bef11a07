from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Device(models.Model):
    """A phone or laptop that checks people in at one meeting, with its own token."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="devices")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("check-in device")
        verbose_name_plural = _("check-in devices")

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CheckIn(models.Model):
    """A person checked in at the door. Idempotent by the id the device made (client_id):
    a check-in replayed from an offline device is stored once."""

    registration = models.ForeignKey("registration.Registration", on_delete=models.PROTECT, related_name="checkins")
    session = models.ForeignKey(
        "meetings.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="checkins",
        help_text=_("Empty: checked in for the meeting as a whole."),
    )
    client_id = models.UUIDField(_("id made by the device"), unique=True)
    checked_in_at = models.DateTimeField(
        _("checked in"), help_text=_("The device's time, corrected by its clock's offset from the server's.")
    )
    device_time = models.DateTimeField(
        _("time on the device"), null=True, blank=True, help_text=_("As the device's clock said it; may be wrong.")
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins")
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_conflict = models.BooleanField(
        _("conflict"), default=False, help_text=_("Another device checked the same person in while offline.")
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["checked_in_at"]
        indexes = [
            models.Index(fields=["registration", "session"], name="checkin_person_session_idx"),
            # The desk's live counter counts these with every scan: an index of only the counting rows
            # answers it from the index alone (the session's plain index left a heap lookup per row).
            # With the registration second, it also finds "who counts for this person and session" at
            # once; with the session alone the planner read every counting row of the session for it.
            models.Index(
                fields=["session", "registration"], condition=Q(undone_at__isnull=True, is_conflict=False),
                name="checkin_counting_session_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_at__gte=models.F("received_at")),
                name="checkin_undone_after_received",
            ),
            # One check-in counts per person and session (0 stands for "the meeting as a whole"):
            # the others are undone or kept as conflicts. Backs the registration lock in services.
            models.UniqueConstraint(
                models.F("registration"), Coalesce("session", models.Value(0)),
                condition=Q(undone_at__isnull=True, is_conflict=False),
                name="checkin_one_counts_per_person_session",
            ),
        ]

    def __str__(self):
        return f"{self.registration} @ {self.checked_in_at:%Y-%m-%d %H:%M}"


class CheckInCount(models.Model):
    """How many check-ins count for a session, or for the meeting as a whole (session empty): kept with every
    check-in, undo and sync in the same transaction, so that the desk reads one row instead of counting its
    check-ins with every scan (a count that grew with the meeting and with stale planner statistics)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("meetings.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    checked_in = models.IntegerField(_("people checked in"), default=0)

    class Meta:
        verbose_name = _("check-in count")
        verbose_name_plural = _("check-in counts")
        constraints = [
            models.UniqueConstraint(fields=["meeting"], condition=Q(session__isnull=True),
                                    name="checkin_count_one_per_meeting"),
            models.UniqueConstraint(fields=["session"], condition=Q(session__isnull=False),
                                    name="checkin_count_one_per_session"),
            models.CheckConstraint(condition=Q(checked_in__gte=0), name="checkin_count_not_negative"),
        ]

    def __str__(self):
        return f"{self.meeting_id}/{self.session_id or 0}: {self.checked_in}"
