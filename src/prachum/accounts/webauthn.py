"""Passkeys (django-otp-webauthn): the relying party is the site's public address, read at each ceremony
so that it follows settings.PRACHUM_BASE_URL (a test's live server, a moved site)."""

from urllib.parse import urlsplit

from django.conf import settings
from django_otp_webauthn.helpers import WebAuthnHelper as BaseHelper


class WebAuthnHelper(BaseHelper):
    def get_relying_party_domain(self) -> str:
        return urlsplit(settings.PRACHUM_BASE_URL).hostname

    def get_allowed_origins(self) -> list[str]:
        parts = urlsplit(settings.PRACHUM_BASE_URL)
        return [f"{parts.scheme}://{parts.netloc}"]
