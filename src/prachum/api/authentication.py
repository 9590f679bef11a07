"""Who calls: `Authorization: Bearer prachum_…` names an ApiToken, which acts as its owner."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import services


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _space, secret = header.partition(" ")
        if keyword.lower() != self.keyword or not secret.strip():
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        token = services.token_for(secret.strip())
        if token is None:
            # A check-in device's token is a token too, for the check-in endpoints only.
            raise exceptions.AuthenticationFailed(_("This token is unknown, revoked, or not an API token."))
        return token.owner, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An API token made on the organizer pages (API tokens), sent as a Bearer token."}
