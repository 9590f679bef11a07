from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prachum.badges.layouts import Layout

MAX_BACKGROUND_BYTES = 3 * 1024 * 1024
MAX_BACKGROUND_PIXELS = 40_000_000  # e.g. 7,000 × 5,700: more than A4 at 600 dpi, less than a decompression bomb


class BadgeLanguage(models.TextChoices):
    LAO = "lo", "ລາວ"
    ENGLISH = "en", "English"
    PARTICIPANT = "participant", _("Each participant's language")


class BandPosition(models.TextChoices):
    BOTTOM = "bottom", _("Colour band at the bottom")
    TOP = "top", _("Colour band at the top")


def validate_background(file) -> None:
    """The background must be a PNG or JPEG image by its content (not its name), of a sensible size."""
    from PIL import Image, UnidentifiedImageError

    if file.size > MAX_BACKGROUND_BYTES:
        raise ValidationError(
            _("The background image is too large: at most %(mb)s MB."), code="too_large", params={"mb": 3}
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        with Image.open(file) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ValidationError(_("The background must be a PNG or JPEG image."), code="not_an_image")
            if image.width * image.height > MAX_BACKGROUND_PIXELS:
                raise ValidationError(
                    _("The background image has too many pixels: at most about 7,000 × 5,700."), code="too_large"
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The background must be a PNG or JPEG image."), code="not_an_image") from None
    finally:
        file.seek(position)


class BadgeDesign(models.Model):
    """How the badges of one meeting look: one design for the whole meeting (no category), and
    optionally one per category that overrides it (e.g. a gold band and another background for the co-chairs)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="badge_designs")
    category = models.ForeignKey(
        "meetings.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="badge_designs",
        verbose_name=_("category"), help_text=_("Empty: every category without a design of its own."),
    )
    layout = models.CharField(_("paper"), max_length=16, choices=Layout.choices, default=Layout.A6)
    language = models.CharField(_("language"), max_length=16, choices=BadgeLanguage.choices, default=BadgeLanguage.LAO)
    band_position = models.CharField(
        _("colour band"), max_length=8, choices=BandPosition.choices, default=BandPosition.BOTTOM
    )
    background = models.FileField(
        _("background image"), upload_to="badges/backgrounds/%Y/", blank=True, validators=[validate_background],
        help_text=_("Optional. PNG or JPEG, at most 3 MB; light colours keep the text readable."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("badge design")
        verbose_name_plural = _("badge designs")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "category"], name="badge_design_one_per_category"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(category__isnull=True), name="badge_design_one_default_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(layout__in=[choice.value for choice in Layout]), name="badge_design_layout_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=[choice.value for choice in BadgeLanguage]), name="badge_design_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(band_position__in=[choice.value for choice in BandPosition]), name="badge_design_band_valid"
            ),
        ]

    def __str__(self):
        return f"{self.meeting} — {self.category or _('all categories')}"


class BadgePrint(models.Model):
    """A badge printed for a registration (in a batch or at the desk): lets organizers print only the
    badges not printed yet, e.g. for late approvals."""

    registration = models.ForeignKey(
        "registration.Registration", on_delete=models.CASCADE, related_name="badge_prints"
    )
    printed_at = models.DateTimeField(_("printed"), auto_now_add=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("printed badge")
        verbose_name_plural = _("printed badges")
        indexes = [models.Index(fields=["registration", "printed_at"], name="badge_print_registration_idx")]
