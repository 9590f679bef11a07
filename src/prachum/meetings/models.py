import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prachum.core.bilingual import Translated
from prachum.core.validators import validate_hex_colour, validate_time_zone
from prachum.directory.fields import OrganizationForeignKey


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open to anyone with the link")
    INVITATION = "invitation", _("By personal invitation only")
    NOMINATION = "nomination", _("By nomination of the delegations' focal points")


# The standard fields of a registration that a meeting may mark "needs re-approval"
# (Meeting.reapproval_fields): a participant's change to one of them sends an approved registration
# back to pending where its category needs approval. "organization" is the delegation or the free text.
REAPPROVAL_FIELDS = (
    "honorific", "given_name", "family_name", "name_lo", "gender", "position", "email", "phone", "organization",
)


def validate_reapproval_fields(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Give a list of field names."), code="invalid")
    unknown = [item for item in value if item not in REAPPROVAL_FIELDS]
    if unknown:
        raise ValidationError(
            _("These are not fields that can need re-approval: %(unknown)s. Allowed: %(allowed)s."),
            code="invalid", params={"unknown": ", ".join(unknown), "allowed": ", ".join(REAPPROVAL_FIELDS)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Name each field only once."), code="duplicate")


# Names of the organizer area's own pages at /<lang>/manage/<name>/: a meeting named so would be hidden.
RESERVED_SLUGS = frozenset({"new", "accounts", "outbox", "jobs", "honorifics"})


def validate_slug_not_reserved(value) -> None:
    if str(value).lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the name of one of Prachum's own pages. Please choose another short name."),
            code="reserved_slug", params={"slug": value},
        )


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("meeting status", "Published")
    CLOSED = "closed", pgettext_lazy("meeting status", "Registration closed")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Meeting(models.Model):
    Format = MeetingFormat

    RegistrationMode = RegistrationMode

    Status = MeetingStatus

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True,
                            validators=[validate_slug_not_reserved])
    series = models.CharField(_("series"), max_length=80, blank=True, help_text=_("e.g. ADGSOM, ADGMIN"))
    title_lo = models.CharField(_("title (Lao)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_lo = models.TextField(_("description (Lao)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Vientiane", validators=[validate_time_zone])
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_lo = models.CharField(_("venue (Lao)"), max_length=300, blank=True)
    venue_en = models.CharField(_("venue (English)"), max_length=300, blank=True)
    # The host as it was named on the meeting's first day (prachum.directory.fields).
    host = OrganizationForeignKey(
        "directory.Organization", verbose_name=_("host"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="hosted_meetings", as_of=lambda meeting: meeting.starts_on,
    )
    contact_email = models.EmailField(
        _("secretariat's email"), blank=True,
        help_text=_("Where people write with questions, e.g. someone whose organization is not in the list. "
                    "Empty: the host organization's contact email."),
    )
    registration_mode = models.CharField(
        _("registration"), max_length=16, choices=RegistrationMode.choices, default=RegistrationMode.OPEN
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    online_capacity = models.PositiveIntegerField(
        _("online capacity"), null=True, blank=True, help_text=_("Hybrid meetings: seats for online participants.")
    )
    show_seats_left = models.BooleanField(_("show seats left on the public page"), default=False)
    allows_free_text_organization = models.BooleanField(
        _("people may name an organization that has no delegation"), default=False
    )
    edits_close_at = models.DateTimeField(
        _("participants may change their registration until"), null=True, blank=True,
        help_text=_("Empty: until the meeting starts. Cancelling stays possible until the meeting ends."),
    )
    reapproval_fields = models.JSONField(
        _("changes that need re-approval"), default=list, blank=True, validators=[validate_reapproval_fields],
        help_text=_("Standard fields whose change sends an approved registration back for review, "
                    "where its category needs approval."),
    )
    emails_in_both_languages = models.BooleanField(
        _("write emails in both languages"), default=False,
        help_text=_("Each email in the participant's language first, then in the other language."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=[("lo", "ລາວ"), ("en", "English")], default="lo"
    )
    privacy_notice_lo = models.TextField(_("privacy notice (Lao)"), blank=True)
    privacy_notice_en = models.TextField(_("privacy notice (English)"), blank=True)
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days after the meeting)"), default=365
    )
    # Retention (registration.services.erasure): the owners were told 30 days before; the people's data
    # was anonymised once the period ended.
    retention_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    calendar_sequence = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="SEQUENCE of the meeting's calendar events: raised when times change, so calendars update.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    title = Translated("title")
    description = Translated("description")
    venue = Translated("venue")
    privacy_notice = Translated("privacy_notice")

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="meeting_registration_window_ordered",
            ),
            models.CheckConstraint(condition=~Q(title_lo="", title_en=""), name="meeting_has_a_title"),
            models.CheckConstraint(condition=Q(format__in=[f.value for f in MeetingFormat]), name="meeting_format_valid"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in MeetingStatus]), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=Q(registration_mode__in=[m.value for m in RegistrationMode]),
                name="meeting_registration_mode_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_status_start_idx")]

    def __str__(self):
        return str(self.title)

    @property
    def edits_close(self):
        """Until when participants may change their registration: edits_close_at, or the meeting's start."""
        return self.edits_close_at or self.starts_at

    @property
    def starts_on(self):
        """The meeting's first day where it takes place (its time zone), or None before it has a start: the day
        whose organization names and ASEAN members its documents use (prachum.directory.history)."""
        if self.starts_at is None:
            return None
        try:
            zone = zoneinfo.ZoneInfo(self.time_zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            zone = zoneinfo.ZoneInfo("UTC")
        return self.starts_at.astimezone(zone).date()

    @property
    def secretariat_email(self) -> str:
        """Where people write to the meeting's secretariat: the meeting's own address (contact_email), else
        the host organization's contact email, else ""."""
        if self.contact_email:
            return self.contact_email
        host = self.host if self.host_id is not None else None
        return host.email if host is not None else ""

    @property
    def personal_data_erased_after(self):
        """When the retention period ends: `retention_days` after the meeting's end."""
        return self.ends_at + timedelta(days=self.retention_days)

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)


class Session(models.Model):
    """A day or a part of a day: what attendance and online joins are counted against."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    title_lo = models.CharField(_("title (Lao)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location_lo = models.CharField(_("room (Lao)"), max_length=200, blank=True)
    location_en = models.CharField(_("room (English)"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    title = Translated("title")
    location = Translated("location")

    class Meta:
        verbose_name = pgettext_lazy("part of a meeting", "session")
        verbose_name_plural = pgettext_lazy("part of a meeting", "sessions")
        ordering = ["meeting", "starts_at", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=~Q(title_lo="", title_en=""), name="session_has_a_title"),
        ]

    def __str__(self):
        return str(self.title)


# A session's agenda stays short enough to read on a phone and to print on a page.
MAX_AGENDA_ITEMS = 30


class AgendaItem(models.Model):
    """One item of a session's agenda: opening remarks, a presentation, a discussion. The session is the
    time slot with its room (or online room): join links, reminders, attendance and calendar events are
    per session; its items are what the public programme, the emails and the news item list."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    title_lo = models.CharField(_("title (Lao)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    start_time = models.TimeField(
        _("starts at"), null=True, blank=True,
        help_text=_("Optional: the time of day in the meeting's time zone, within the session."),
    )
    speaker_lo = models.CharField(_("speaker or presenter (Lao)"), max_length=300, blank=True)
    speaker_en = models.CharField(_("speaker or presenter (English)"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    title = Translated("title")
    speaker = Translated("speaker")

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title_lo="", title_en=""), name="agenda_item_has_a_title"),
        ]

    def __str__(self):
        return str(self.title)


class Category(models.Model):
    """A participant category of one meeting: Co-Chair, Head of Delegation, Delegate, Observer…"""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("code"), max_length=40)
    name_lo = models.CharField(_("name (Lao)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    badge_colour = models.CharField(_("badge colour"), max_length=7, default="#1F6FB2", validators=[validate_hex_colour])
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True, help_text=_("Empty: no limit."))
    needs_approval = models.BooleanField(_("needs the secretariat's approval"), default=True)
    needs_endorsement = models.BooleanField(
        _("needs the focal point's endorsement first"), default=False,
        help_text=_("Two-step review: the delegation's focal point endorses, then the secretariat approves."),
    )
    allows_self_registration = models.BooleanField(_("people may register themselves"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    name = Translated("name")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "code"], name="category_code_unique_per_meeting"),
            models.CheckConstraint(condition=~Q(name_lo="", name_en=""), name="category_has_a_name"),
            models.CheckConstraint(
                condition=Q(needs_endorsement=False) | Q(needs_approval=True),
                name="category_endorsement_implies_approval",
            ),
        ]

    def __str__(self):
        return str(self.name)


class Delegation(models.Model):
    """The people one Organization sends to one Meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="delegations")
    # The organization as it was on the meeting's first day: its name then, a member state only once it
    # had joined (prachum.directory.fields); select "meeting" with delegations whose organization has a history.
    organization = OrganizationForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="delegations",
        as_of=lambda delegation: delegation.meeting.starts_on if delegation.meeting_id is not None else None,
    )
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True, help_text=_("Empty: no limit."))
    submitted_at = models.DateTimeField(_("submitted to the secretariat"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["meeting", "organization__protocol_order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organization"], name="delegation_unique_per_meeting"),
        ]

    def __str__(self):
        return str(self.organization)

    @property
    def focal_points(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(
            meeting_roles__delegation=self, meeting_roles__role=MeetingRole.Role.FOCAL_POINT
        )


class CustomQuestion(models.Model):
    """A question of a meeting's registration form. Its wording lives in versions:
    an edit makes a new version, and every answer keeps the version it answered."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=60, help_text=_("Stable name used in exports and conditions."))
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("shown on the form"), default=True)
    current_version = models.ForeignKey(
        "CustomQuestionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("custom question")
        verbose_name_plural = _("custom questions")
        ordering = ["meeting", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="question_key_unique_per_meeting")]

    def __str__(self):
        return str(self.current_version.label) if self.current_version else self.key


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes or no")
    COUNTRY = "country", _("Country")
    FILE = "file", _("File")
    PHOTO = "photo", _("Photo")


class CustomQuestionVersion(models.Model):
    Kind = QuestionKind

    question = models.ForeignKey(CustomQuestion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label_lo = models.CharField(_("question (Lao)"), max_length=300, blank=True)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_lo = models.TextField(_("help (Lao)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    choices = models.JSONField(
        _("choices"), default=list, blank=True,
        help_text=_('For choice questions: [{"value": "veg", "lo": "…", "en": "Vegetarian"}, …]'),
    )
    is_required = models.BooleanField(_("required"), default=False)
    is_sensitive = models.BooleanField(
        _("sensitive (encrypted, hidden from exports unless asked)"), default=False
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="question_versions",
        help_text=_("Ask only people in these categories; none selected: ask everyone."),
    )
    show_if_question = models.ForeignKey(
        CustomQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="dependent_versions",
        verbose_name=_("show only if the answer to"),
    )
    show_if_value = models.CharField(_("is"), max_length=200, blank=True)
    needs_reapproval = models.BooleanField(
        _("a change of the answer needs re-approval"), default=False,
        help_text=_("A participant who changes this answer sends an approved registration back for review, "
                    "where its category needs approval."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    label = Translated("label")
    help = Translated("help")

    class Meta:
        verbose_name = _("custom question version")
        verbose_name_plural = _("custom question versions")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique"),
            models.CheckConstraint(condition=~Q(label_lo="", label_en=""), name="question_version_has_a_label"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in QuestionKind]), name="question_version_kind_valid"),
        ]

    def __str__(self):
        return f"{self.label} (v{self.number})"


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    REVIEWER = "reviewer", _("Reviewer")
    CHECKIN = "checkin", _("Check-in staff")
    FOCAL_POINT = "focal_point", _("Focal point")


class MeetingRole(models.Model):
    """What one user may do at one meeting. A focal point's role names their delegation."""

    Role = Role

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    delegation = models.ForeignKey(
        Delegation, null=True, blank=True, on_delete=models.CASCADE, related_name="roles",
        help_text=_("Only for focal points: the delegation they manage."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting role")
        verbose_name_plural = _("meeting roles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="focal_point") & Q(delegation__isnull=False))
                | (~Q(role="focal_point") & Q(delegation__isnull=True)),
                name="meeting_role_delegation_iff_focal_point",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user", "role"], condition=Q(delegation__isnull=True),
                name="meeting_role_unique",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user", "delegation"], condition=Q(delegation__isnull=False),
                name="meeting_role_focal_point_unique",
            ),
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="meeting_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.meeting.slug}"


def document_upload_to(instance, filename):
    # The stored name is random: a participant's file name may carry personal data.
    import secrets
    from pathlib import Path

    return f"documents/{instance.meeting_id}/{secrets.token_hex(16)}{Path(filename).suffix.lower()[:10]}"


class DocumentVisibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    PARTICIPANTS = "participants", _("Approved participants")
    ORGANIZERS = "organizers", _("Organizers only")


class Document(models.Model):
    Visibility = DocumentVisibility

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title_lo = models.CharField(_("title (Lao)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    visibility = models.CharField(_("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.ORGANIZERS)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    title = Translated("title")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title_lo="", title_en=""), name="document_has_a_title"),
            models.CheckConstraint(
                condition=Q(visibility__in=[v.value for v in DocumentVisibility]), name="document_visibility_valid"
            ),
        ]

    def __str__(self):
        return str(self.title)


class EmailTextKind(models.TextChoices):
    """The emails whose opening paragraph organizers may write, by the notify kind they replace."""

    RECEIVED = "registration.received", _("Registration received (waiting for review)")
    CONFIRMED = "registration.confirmed", _("Registration confirmed")
    WAITLISTED = "registration.waitlisted", _("On the waiting list")
    PROMOTED = "registration.promoted", _("Moved up from the waiting list")
    REJECTED = "registration.rejected", _("Registration not accepted")
    CANCELLED = "registration.cancelled", _("Registration cancelled")
    MEETING_CANCELLED = "meeting.cancelled", _("The meeting is cancelled")


class EmailText(models.Model):
    """An organizer's own words for one kind of email of one meeting, in both languages. The text replaces
    the email's opening paragraph; the rest (the meeting's facts, links, e-ticket, calendar file) stays.
    An empty subject or body in a language keeps the standard one in that language."""

    Kind = EmailTextKind

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="email_texts")
    kind = models.CharField(_("email"), max_length=40, choices=Kind.choices)
    subject_lo = models.CharField(_("subject (Lao)"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_lo = models.TextField(_("text (Lao)"), max_length=5000, blank=True)
    body_en = models.TextField(_("text (English)"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email text")
        verbose_name_plural = _("email texts")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind"], name="email_text_unique_per_meeting"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in EmailTextKind]), name="email_text_kind_valid"),
        ]

    def __str__(self):
        return f"{self.meeting.slug} · {self.kind}"
