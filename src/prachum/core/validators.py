import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from prachum.core.plain_text import MESSAGES, is_control_character

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def validate_time_zone(value: str) -> None:
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("“%(value)s” is not a time zone (e.g. Asia/Vientiane)."), params={"value": value}) from None


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Enter a colour as #RRGGBB, e.g. #1F6FB2."))


def as_id(value) -> int | None:
    """A database id from a query string or form value, or None: ASCII digits only (str.isdigit() also takes
    "²" and "٣", which int() refuses) and short enough for a 64-bit column (PostgreSQL refuses larger)."""
    value = str(value)
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def validate_plain_text(value) -> None:
    """No NUL (PostgreSQL refuses it in text) nor other control characters; tabs and line breaks pass, as a text
    area sends them. Every forms.CharField of the project has it (CoreConfig.ready), so the message stands beside
    the field instead of a server error."""
    if isinstance(value, str) and any(is_control_character(char) for char in value):
        raise ValidationError(MESSAGES["control"], code="control")
