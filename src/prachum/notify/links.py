"""Addresses that emails and calendar entries carry."""

import re

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation


def manage_url(registration, language: str) -> str:
    """The registration's private manage link, absolute, in `language`: {base}/{lang}/r/{token}/."""
    token = registration.manage_token
    with translation.override(language):
        try:
            path = reverse("registration:manage", kwargs={"token": token})
        except NoReverseMatch:  # the manage page is not wired yet: its agreed address
            path = f"/{language}/r/{token}/"
    return settings.PRACHUM_BASE_URL + path


# The private parts of the links our emails carry: a participant's page and documents (/r/<token>/), a join
# link (/join/<token>/), a set-password link (/set-password/<uid>/<token>/), a personal invitation
# (?invitation=<token>). Each is a key to someone's registration or account.
_PRIVATE_LINK_PARTS = re.compile(
    r"(?P<keep>/r/|/join/|/set-password/[^/\s\"'<>]+/|[?&](?:amp;)?invitation=)(?P<secret>[^/\s\"'<>?&#]+)"
)
MASKED = "•••"


def mask_private_links(text: str) -> str:
    """`text` with the secret of every private link replaced by •••: for pages that show an email to
    someone other than its recipient (a screen can be shared or photographed)."""
    return _PRIVATE_LINK_PARTS.sub(lambda match: match["keep"] + MASKED, text)
