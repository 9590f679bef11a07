"""Online and hybrid meetings: where a session is held online, who joined it, and the reminders.

- OnlineRoom: how a meeting (session empty) or one session is held online: a pasted link, a
  BigBlueButton server, or a self-hosted Jitsi Meet with JWT. A session without its own room uses the
  meeting's; each session still gets its own room name on BigBlueButton and Jitsi.
- Join: one person entered one session (through their personal link, or seen in BigBlueButton's list).
- ReminderRule / Reminder: "one day before each session"; one Reminder row per rule, session and person,
  whose unique constraint and status decide, in the database, that each reminder goes out once.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prachum.core.crypto import decrypt_value, encrypt_value


class Provider(models.TextChoices):
    LINK = "link", _("A link to any video conference (Zoom, Webex, Teams…)")
    BIGBLUEBUTTON = "bigbluebutton", _("BigBlueButton")
    JITSI = "jitsi", _("Jitsi Meet (self-hosted, with JWT)")


class OnlineRoom(models.Model):
    """How a meeting, or one of its sessions, is held online. Secrets are encrypted at rest and never
    shown again after they are saved (write-only in the organizer's form)."""

    Provider = Provider

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="online_rooms")
    session = models.OneToOneField(
        "meetings.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="online_room",
        help_text=_("Empty: the meeting's settings, used by every session that has none of its own."),
    )
    provider = models.CharField(_("video conference"), max_length=16, choices=Provider.choices, default=Provider.LINK)
    join_link = models.URLField(
        _("link to the video conference"), max_length=1000, blank=True,
        help_text=_("For a link: the address the organizer got from Zoom, Webex, Teams or another service."),
    )
    server_url = models.URLField(
        _("server address"), max_length=500, blank=True,
        help_text=_("BigBlueButton: e.g. https://bbb.example.org/bigbluebutton/ · Jitsi: e.g. https://meet.example.org/"),
    )
    app_id = models.CharField(_("Jitsi app id"), max_length=100, blank=True)
    secret_encrypted = models.TextField(blank=True, editable=False)
    room_name = models.SlugField(
        _("room name"), max_length=100, blank=True,
        help_text=_("Empty: made from the meeting's short name and the session."),
    )
    opens_minutes_before = models.PositiveIntegerField(
        _("joining opens (minutes before the session)"), default=30
    )
    moderator_categories = models.ManyToManyField(
        "meetings.Category", blank=True, related_name="+", verbose_name=_("categories that join as moderators"),
        help_text=_("For example the co-chairs and the secretariat."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online room")
        verbose_name_plural = _("online rooms")
        constraints = [
            models.UniqueConstraint(fields=["meeting"], condition=Q(session__isnull=True), name="online_room_one_per_meeting"),
            models.CheckConstraint(
                condition=Q(provider__in=[p.value for p in Provider]), name="online_room_provider_valid"
            ),
        ]

    def __str__(self):
        return f"{self.meeting.slug} · {self.session or '*'} · {self.provider}"

    @property
    def secret(self) -> str:
        return decrypt_value(self.secret_encrypted) if self.secret_encrypted else ""

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = encrypt_value(value) if value else ""

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


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
            # The provider's list is fetched again and again: one row per person and session from it.
            models.UniqueConstraint(
                fields=["session", "registration"], condition=Q(source="provider"), name="join_one_provider_row"
            ),
        ]

    def __str__(self):
        return f"{self.registration} → {self.session}"


class ReminderRule(models.Model):
    """'Remind everyone N minutes before each session', set by the organizer."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="reminder_rules")
    minutes_before = models.PositiveIntegerField(_("minutes before each session"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["meeting", "-minutes_before"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "minutes_before"], name="reminder_rule_unique"),
            models.CheckConstraint(condition=Q(minutes_before__gte=1), name="reminder_rule_positive"),
        ]

    def __str__(self):
        return f"{self.meeting.slug} −{self.minutes_before} min"


class ReminderStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Written to the outbox")
    SKIPPED = "skipped", _("Not sent (no longer approved, or too late)")


class Reminder(models.Model):
    """One reminder of one rule, for one session, to one person. Queued ahead of time; when it falls due,
    one worker turns it from queued to sent (or skipped) with a conditional UPDATE and writes the email
    in the same transaction, so two workers never both send it."""

    Status = ReminderStatus

    rule = models.ForeignKey(ReminderRule, on_delete=models.CASCADE, related_name="reminders")
    session = models.ForeignKey("meetings.Session", on_delete=models.CASCADE, related_name="reminders")
    registration = models.ForeignKey("registration.Registration", on_delete=models.CASCADE, related_name="reminders")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    message = models.ForeignKey("notify.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["rule", "session", "registration"], name="reminder_once_per_person"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in ReminderStatus]), name="reminder_status_valid"),
        ]
        indexes = [models.Index(fields=["rule", "session", "status"], name="reminder_due_idx")]
