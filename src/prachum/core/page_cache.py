"""What public pages cached whole have in common: whether a request may get the shared copy, and a
fingerprint of the release, so that a shared cache (Redis) never serves a page of the previous one."""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.template.loader import get_template


def is_anonymous_without_state(request) -> bool:
    """No session (so not logged in), no messages waiting, no query string (the language switch
    links to this very address): the page is then the same for every such reader."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and not request.META.get("QUERY_STRING")
    )


@cache
def deployment_fingerprint(templates: tuple[str, ...], files: tuple[Path, ...] = ()) -> str:
    """Changes when a deployment changes these templates, these files or the translations."""
    paths = [Path(get_template(name).origin.name) for name in templates] + list(files)
    paths += sorted(Path(settings.PACKAGE_DIR, "locale").glob("*/LC_MESSAGES/*.mo"))
    stamp = ";".join(f"{p}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in paths if p.exists())
    return hashlib.sha1(stamp.encode()).hexdigest()[:12]
