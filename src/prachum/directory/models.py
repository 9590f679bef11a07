from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from prachum.core.bilingual import Translated, pick
from prachum.core.collation import LaoCharField
from prachum.core.validators import validate_time_zone

from .history import HistoryError, parse_former_names


def validate_former_names(value) -> None:
    try:
        parse_former_names(value)
    except HistoryError as exc:
        raise ValidationError(str(exc), code="invalid_former_names") from None


class OrganizationKind(models.TextChoices):
    MEMBER_STATE = "member_state", _("ASEAN member state")
    SECRETARIAT = "secretariat", _("Secretariat")
    DIALOGUE_PARTNER = "dialogue_partner", _("Dialogue partner")
    INTERNATIONAL_ORGANIZATION = "international_organization", _("International organization")
    NATIONAL_BODY = "national_body", _("National ministry or province")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class Organization(models.Model):
    """A body that sends people to meetings: a member state, a dialogue partner, a ministry…"""

    Kind = OrganizationKind

    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short stable code, e.g. LA or ASEC."))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    protocol_order = models.PositiveIntegerField(
        _("protocol order"), default=1000, help_text=_("Lower comes first in lists of participants.")
    )
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_lo = LaoCharField(_("name (Lao)"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, where it is a country."))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_time_zone])
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    email = models.EmailField(
        _("contact email"), blank=True,
        help_text=_("Where people write to its secretariat, e.g. about a meeting it hosts. Shown on registration forms."),
    )
    member_since = models.DateField(
        _("ASEAN member since"), null=True, blank=True,
        help_text=_("For a member state: the day it joined ASEAN. Meetings before that day do not count it as a member state."),
    )
    former_names = models.JSONField(
        _("former names"), default=list, blank=True, validators=[validate_former_names],
        help_text=_('Names it had before, e.g. [{"name_en": "…", "name_lo": "…", "valid_until": "2021-03-22"}]: '
                    "a meeting uses the name of its first day; valid_until is the first day of the next name."),
    )

    name = Translated("name")

    # Set on an organization as of a day (history.organization_as_of): a copy for reading, never saved.
    as_of = None

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["protocol_order", "name_en"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_en="", name_lo=""), name="organization_has_a_name"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in OrganizationKind]), name="organization_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(member_since__isnull=True) | models.Q(kind=OrganizationKind.MEMBER_STATE),
                name="organization_member_since_only_for_member_states",
            ),
        ]

    def __str__(self):
        return str(self.name)

    def clean(self):
        super().clean()
        if self.member_since is not None and self.kind != OrganizationKind.MEMBER_STATE:
            raise ValidationError({"member_since": _("Only an ASEAN member state has a day it joined ASEAN.")})

    def save(self, *args, **kwargs):
        if self.as_of is not None:
            raise TypeError(
                f"{self.code} as of {self.as_of} is a copy for reading (its name and kind of that day); "
                "save the organization itself (prachum.directory.history.current_organization)."
            )
        super().save(*args, **kwargs)


class Honorific(models.Model):
    """Mr., H.E., Dr.: a label per language under one code (prachum.directory.honorifics)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=40, blank=True)
    label_lo = LaoCharField(_("label (Lao)"), max_length=40, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_standard = models.BooleanField(_("from Prachum's list"), default=False, editable=False)

    label = Translated("label")

    class Meta:
        verbose_name = _("honorific")
        verbose_name_plural = _("honorifics")
        ordering = ["order", "label_en", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(label_en="", label_lo=""), name="honorific_has_a_label"),
        ]

    def __str__(self):
        return str(self.label)

    def label_in(self, language: str) -> str:
        return str(pick(self, "label", language))
