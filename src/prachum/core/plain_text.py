"""Text that people type, as the database keeps it: trimmed, NFC, without characters that reorder it on
screen or that nobody can see. Every form of the project (registration's, the meeting setup's) cleans
its free text with clean_text."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that reorder text on screen (right-to-left overrides and isolates): they can make a
# name read differently from what is stored.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")

MESSAGES = {
    "bidi": _("Please remove the characters that change the direction of the text."),
    "control": _("Please remove the control characters (such as tabs or invisible codes) from this text."),
}


def is_control_character(char: str) -> bool:
    """C0 and C1 control characters and DEL (NUL among them, which PostgreSQL refuses in text), but the tab and
    the line breaks that a text area sends."""
    return unicodedata.category(char) == "Cc" and char not in LINE_BREAKS


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Trimmed, NFC-normalised text; refuses direction overrides and control characters."""
    value = unicodedata.normalize("NFC", value.strip())
    if any(char in BIDI_CONTROLS for char in value):
        raise ValidationError(MESSAGES["bidi"], code="bidi")
    allowed = LINE_BREAKS if multiline else frozenset()
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
        raise ValidationError(MESSAGES["control"], code="control")
    if multiline:
        return value.replace("\r\n", "\n")
    return " ".join(value.split())
