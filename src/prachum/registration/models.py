import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prachum.core.bilingual import TranslatedText
from prachum.core.collation import LaoCharField
from prachum.core.crypto import EncryptedJSONField
from prachum.core.identity import email_key, search_key
from prachum.core.romanize import has_lao, romanize_lao

# Badge codes avoid letters that read alike on a screen or a badge (0/O, 1/I/L).
BADGE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BADGE_CODE_LENGTH = 12


def new_badge_code() -> str:
    return "".join(secrets.choice(BADGE_ALPHABET) for _ in range(BADGE_CODE_LENGTH))


def new_secret_token() -> str:
    """A random token for a private link (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_token(purpose: str, nonce: str) -> str:
    """The token of a private link, derived from a random per-row nonce and the server's key.

    Neither the token nor anything that gives it without the key is stored: the row keeps the
    nonce and the token's hash (for lookup). Deriving it lets every later email carry the same
    link; a new nonce revokes the old link."""
    key = settings.PRACHUM_ENCRYPTION_KEY.encode()
    mac = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class KeyedQuerySet(models.QuerySet):
    """bulk_create and bulk_update call no save(): they derive the keys of IdentityKeys models themselves.
    (A queryset's update() of a name or an email would leave them stale: change those through save().)"""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.derive_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.derive_keys()
        return super().bulk_update(objs, self.model.fields_with_keys(fields), *args, **kwargs)


class IdentityKeys(models.Model):
    """`email_key` and `search_text`, derived (prachum.core.identity) from the email and the fields of
    SEARCHED whenever the row is saved, whichever service saves it; the stored text keeps its display form.
    `email_key` is what duplicates are compared by; `search_text` what searches look in."""

    SEARCHED: tuple[str, ...] = ()

    email_key = models.CharField(max_length=320, editable=False, default="")
    # The searched fields' keys, one per line, so that no word matches across two fields.
    search_text = models.TextField(editable=False, default="")

    objects = KeyedQuerySet.as_manager()

    class Meta:
        abstract = True

    def derive_keys(self) -> None:
        key = email_key(self.email)
        # Migration 0009 suffixed "#<id>" to the key of a registration that was already a duplicate by the
        # new comparison (both rows are kept for the organizer to decide): it stays so while the email does.
        if not self.email_key.startswith(f"{key}#"):
            self.email_key = key
        self.search_text = "\n".join(search_key(getattr(self, name)) for name in self.SEARCHED)

    @classmethod
    def fields_with_keys(cls, fields):
        """`fields` (an update_fields list), with the keys where a field they derive from is in it."""
        fields = list(fields)
        if {"email", *cls.SEARCHED} & set(fields):
            fields += [name for name in ("email_key", "search_text") if name not in fields]
        return fields

    def save(self, *args, update_fields=None, **kwargs):
        self.derive_keys()
        if update_fields is not None:
            update_fields = self.fields_with_keys(update_fields)
        super().save(*args, update_fields=update_fields, **kwargs)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("registration status", "Pending")
    APPROVED = "approved", pgettext_lazy("registration status", "Approved")
    REJECTED = "rejected", pgettext_lazy("registration status", "Rejected")
    WAITLISTED = "waitlisted", pgettext_lazy("registration status", "On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")


class Participation(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class ProtocolRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    CO_CHAIR = "co_chair", _("Co-Chair")


class Registration(IdentityKeys):
    """One person at one meeting."""

    Status = RegistrationStatus
    # Names only: check-in staff search them and must learn nothing else (selectors.search_registrations).
    SEARCHED = ("given_name", "family_name", "name_lo")

    # Who holds a seat: pending and approved registrations.
    SEAT_HOLDING = (Status.PENDING, Status.APPROVED)
    # Who may not register again with the same email: everyone not rejected or cancelled.
    ACTIVE = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)
    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.WAITLISTED, Status.CANCELLED},
        Status.WAITLISTED: {Status.APPROVED, Status.PENDING, Status.CANCELLED, Status.REJECTED},
        Status.APPROVED: {Status.CANCELLED},
        Status.REJECTED: {Status.CANCELLED},
        Status.CANCELLED: set(),
    }

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNDISCLOSED = "undisclosed", _("Prefer not to say")

    Participation = Participation
    ProtocolRole = ProtocolRole

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="registrations")
    category = models.ForeignKey("meetings.Category", on_delete=models.PROTECT, related_name="registrations")
    delegation = models.ForeignKey(
        "meetings.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="registrations"
    )
    organization_name = models.CharField(
        _("organization"), max_length=300, blank=True, help_text=_("Where the person named no delegation.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    participation = models.CharField(
        _("takes part"), max_length=16, choices=Participation.choices, default=Participation.IN_PERSON
    )

    honorific = models.ForeignKey(
        "directory.Honorific", verbose_name=_("honorific"), to_field="code", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    family_name_first = models.BooleanField(
        _("family name is written first"), default=False, help_text=_("As in Vietnamese, Chinese or Korean names.")
    )
    name_lo = LaoCharField(_("name in Lao script"), max_length=300, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    position = models.CharField(_("position"), max_length=300, blank=True)
    position_lo = LaoCharField(_("position in Lao"), max_length=300, blank=True)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("E.164, e.g. +8562055512345"))
    language = models.CharField(_("language"), max_length=8, choices=[("lo", "ລາວ"), ("en", "English")], default="lo")
    is_head_of_delegation = models.BooleanField(_("head of delegation"), default=False)
    # Set by the organizer: the meeting's chair and co-chairs lead the List of Participants.
    protocol_role = models.CharField(_("role at the meeting"), max_length=16, choices=ProtocolRole.choices, blank=True)
    # Order inside the delegation after its head, set by the focal point or organizer; empty: by category,
    # then family name (prachum.registration.ordering).
    protocol_rank = models.PositiveIntegerField(_("rank in the delegation"), null=True, blank=True)
    consent_at = models.DateTimeField(_("agreed to the privacy notice"), null=True, blank=True)

    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    manage_token_nonce = models.CharField(max_length=32, editable=False, default="")
    badge_code = models.CharField(_("badge code"), max_length=16, unique=True, default=new_badge_code, editable=False)
    client_token = models.CharField(
        max_length=64, blank=True, editable=False, help_text="One-time form token: a repeated submit finds this row."
    )
    invitation = models.OneToOneField(
        "registration.Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="registration"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("endorsed by the focal point"), null=True, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    waitlisted_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Set when the person's data was anonymised in place (erasure on request, or the meeting's retention
    # period ended); the row stays so that counts and the audit trail hold.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["meeting", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in RegistrationStatus]), name="registration_status_valid"),
            models.CheckConstraint(
                condition=Q(participation__in=[p.value for p in Participation]), name="registration_participation_valid"
            ),
            # By email_key: ຄຳ and ຄໍາ, KEO and keo, are one address.
            models.UniqueConstraint(
                fields=["meeting", "email_key"], condition=Q(status__in=["pending", "approved", "waitlisted"]),
                name="one_active_registration_per_meeting_and_email",
            ),
            models.UniqueConstraint(
                fields=["meeting", "client_token"], condition=~Q(client_token=""),
                name="registration_client_token_unique",
            ),
            models.UniqueConstraint(
                fields=["delegation"], condition=Q(is_head_of_delegation=True, status__in=["pending", "approved"]),
                name="one_head_per_delegation",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="registration_waitlisted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="registration_cancelled_has_time",
            ),
            models.CheckConstraint(condition=~Q(given_name="", family_name=""), name="registration_has_a_name"),
        ]
        indexes = [
            models.Index(fields=["meeting", "status", "category"], name="registration_seat_idx"),
            models.Index(fields=["meeting", "delegation", "status"], name="registration_delegation_idx"),
            models.Index(fields=["meeting", "status", "waitlisted_at"], name="registration_waitlist_idx"),
            # The API's cursor pages (newest first, `id < cursor`): a page reads its 100 rows, not the meeting's.
            models.Index(fields=["meeting", "id"], name="registration_cursor_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = (self.family_name, self.given_name) if self.family_name_first else (self.given_name, self.family_name)
        return " ".join(part for part in parts if part)

    @property
    def latin_name(self) -> str:
        """The name in Latin letters: the given and family names, or their proposed romanization where
        they are written in Lao script (a registration from before the form proposed one)."""
        return romanize_lao(self.full_name)

    @property
    def lao_name(self) -> str:
        """The name in Lao script: `name_lo`, or the given and family names where they are written in Lao."""
        return self.name_lo.strip() or (self.full_name if has_lao(self.full_name) else "")

    def display_name(self, language: str) -> str:
        """The name as a document in `language` prints it: the Lao name in Lao where there is one;
        otherwise, and in English always, the name in Latin letters."""
        return (self.lao_name if language == "lo" else "") or self.latin_name

    def other_name(self, language: str) -> str:
        """The name in the other script, printed beside display_name(language); "" where it would
        print the same name twice."""
        other = self.latin_name if language == "lo" else self.lao_name
        return "" if other == self.display_name(language) else other

    def honorific_in(self, language: str) -> str:
        """The honorific as a document in `language` writes it: "Mr." or "ທ່ານ", never the other one."""
        return self.honorific.label_in(language) if self.honorific_id else ""

    def position_in(self, language: str) -> TranslatedText:
        """The position in `language`; the other language's where only that one is given (marked fallback)."""
        versions = {"lo": self.position_lo.strip(), "en": self.position.strip()}
        other = "en" if language == "lo" else "lo"
        if versions[language]:
            return TranslatedText(versions[language], language, False)
        return TranslatedText(versions[other], other, bool(versions[other]))

    def set_manage_token(self) -> str:
        """Make a new private manage link (revoking the old one); returns its token."""
        self.manage_token_nonce = secrets.token_hex(16)
        token = self.manage_token
        self.manage_token_hash = hash_token(token)
        return token

    @property
    def manage_token(self) -> str:
        return derive_token("registration.manage", self.manage_token_nonce)

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class Answer(models.Model):
    """A registration's answer to a custom question, tied to the version of the question it answered."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("meetings.CustomQuestion", on_delete=models.PROTECT, related_name="answers")
    question_version = models.ForeignKey(
        "meetings.CustomQuestionVersion", on_delete=models.PROTECT, related_name="answers"
    )
    value = models.JSONField(null=True, blank=True)
    sensitive_value = EncryptedJSONField(null=True, blank=True)
    file = models.FileField(upload_to="answers/%Y/", blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="one_answer_per_question"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(sensitive_value__isnull=True),
                name="answer_plain_or_sensitive",
            ),
        ]

    @property
    def answer(self):
        return self.sensitive_value if self.question_version.is_sensitive else self.value


class Invitation(IdentityKeys):
    """A personal invitation to register; the link carries a token of which only the hash is kept."""

    SEARCHED = ("email", "given_name", "family_name")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    honorific = models.ForeignKey(
        "directory.Honorific", verbose_name=_("honorific"), to_field="code", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    category = models.ForeignKey("meetings.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delegation = models.ForeignKey(
        "meetings.Delegation", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    language = models.CharField(_("language"), max_length=8, choices=[("lo", "ລາວ"), ("en", "English")], default="lo")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_nonce = models.CharField(max_length=32, editable=False, default="")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The first time the person opened their link (the registration form with a usable token): a time,
    # nothing about who or from where.
    opened_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The key of the organizer's last "send again" (one per button shown): the same key again, from a
    # double click or a job run twice, sends nothing.
    send_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email_key"], condition=Q(revoked_at__isnull=True),
                name="one_open_invitation_per_meeting_and_email",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def honorific_in(self, language: str) -> str:
        return self.honorific.label_in(language) if self.honorific_id else ""

    def set_token(self) -> str:
        """Make a new invitation link (revoking the old one); returns its token."""
        self.token_nonce = secrets.token_hex(16)
        token = self.token
        self.token_hash = hash_token(token)
        return token

    @property
    def token(self) -> str:
        return derive_token("invitation", self.token_nonce)
