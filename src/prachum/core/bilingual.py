"""Bilingual content that organizers write: a `<name>_lo` and a `<name>_en` column per text.

`Translated("title")` on a model reads the column of the active language and falls
back to the other language when it is empty. The value remembers whether it fell
back, so a page or a PDF can mark text that is shown in the other language.
"""

from django.utils.translation import get_language

LANGUAGE_CODES = ("lo", "en")


class TranslatedText(str):
    """A str that knows its language and whether it is a fallback."""

    language: str
    is_fallback: bool

    def __new__(cls, value: str, language: str, is_fallback: bool):
        obj = super().__new__(cls, value)
        obj.language = language
        obj.is_fallback = is_fallback
        return obj


def active_language() -> str:
    lang = (get_language() or "lo").split("-")[0]
    return lang if lang in LANGUAGE_CODES else "en"


def pick(obj, name: str, language: str | None = None) -> TranslatedText:
    wanted = language or active_language()
    order = (wanted, *[code for code in LANGUAGE_CODES if code != wanted])
    for code in order:
        value = getattr(obj, f"{name}_{code}", "") or ""
        if value.strip():
            return TranslatedText(value, code, code != wanted)
    return TranslatedText("", wanted, False)


class Translated:
    """Descriptor: `meeting.title` is `title_lo` or `title_en` by the active language."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return pick(obj, self.name)

    def __set__(self, obj, value):
        raise AttributeError(f"set {self.name}_lo or {self.name}_en, not {self.name}")
