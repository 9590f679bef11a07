from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key another system uses to call /api/v1/ as the organizer or focal point who made it.

    It acts with its owner's roles (a focal point's token sees only their delegation), narrowed to one meeting
    (or every meeting the owner has a role at) and to reading or also writing. Only its SHA-256 is stored: the
    token itself is shown once, when made."""

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("read and write")

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens",
        help_text=_("Empty: every meeting its owner has a role at."),
    )
    scope = models.CharField(_("access"), max_length=8, choices=Scope.choices, default=Scope.READ)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)  # the token's first characters, to tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The key of the form that made it: the same form sent again (a reload of the page that showed the secret,
    # a double click) makes no second token.
    form_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [models.UniqueConstraint(fields=["owner", "form_key"], condition=~models.Q(form_key=""),
                                               name="api_token_form_sent_once")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @property
    def actor_label(self) -> str:
        """How the audit trail names a change this token made (its owner is the actor)."""
        return f"API token {self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, replayed for 24 hours when the same token
    sends the same key again (api.idempotency). The row is written in the transaction of the change it answers,
    so a racing duplicate waits on the unique key and then replays it: one registration per double click."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_unique")]

    def __str__(self):
        return self.key


# Webhooks and their deliveries (api/webhook_models.py).
from .webhook_models import Webhook, WebhookDelivery  # noqa: E402,F401
