"""The private link of a registration: its person's key to their page, which every email and calendar file
about the registration carries."""

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
