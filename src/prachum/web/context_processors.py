from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def _other_language(current: str) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    others = [code for code in codes if code != current]
    return others[0] if others else current


def _translate_path(path: str, language: str, current: str) -> str:
    """A local path in another language; one that resolves to no view (a 404) swaps its language prefix."""
    there = translate_url(path, language)
    if there == path and path.startswith(f"/{current}/"):
        there = f"/{language}/{path[len(current) + 2:]}"
    return there


def _same_page_in(request, language: str, current: str) -> str:
    """This page's address in the other language, with a local `next` page (the login form's) in it too."""
    parts = urlsplit(request.get_full_path())
    there = _translate_path(parts.path, language, current)
    if not parts.query:
        return there
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name == "next" for name, _value in query):
        return f"{there}?{parts.query}"
    query = [
        (name, _translate_path(value, language, current) if name == "next" and _is_local_path(value) else value)
        for name, value in query
    ]
    return f"{there}?{urlencode(query)}"


def _is_local_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def site(request):
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    other = _other_language(current)
    return {
        "PRACHUM_BASE_URL": settings.PRACHUM_BASE_URL,
        "other_language": get_language_info(other),
        "other_language_url": _same_page_in(request, other, current) if request is not None else f"/{other}/",
    }
