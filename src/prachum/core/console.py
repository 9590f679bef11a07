"""What management commands share: the language they speak to the operator."""

import os

from django.conf import settings


def operator_language(asked: str | None) -> str:
    """--language, else the operator's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: lo_LA.UTF-8 → lo), else
    the site's default language."""
    if asked:
        return asked
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(":")[0].lower()
        if value.startswith(("lo", "en")):
            return value[:2]
    return settings.LANGUAGE_CODE[:2]
