"""Accounts for the people who run a meeting: organizers, reviewers, check-in staff and focal points.

Nobody picks a password for someone else. An invited person gets an account with an unusable password
(or keeps the account they have) and an email with a link where they set their own password: Django's
password-reset token (PasswordResetTokenGenerator), which stops working once the password is set,
when they log in, or after settings.PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from prachum.notify.models import Message

INVITATION_KIND = "account.invitation"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_or_create_user(*, email: str, given_name: str = "", family_name: str = "", language: str = "lo"):
    """The account with this email (case-insensitive), or a new one that cannot log in until its owner
    sets a password. Returns (user, created). An existing account keeps its names and password."""
    User = get_user_model()
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    username = email
    if User.objects.filter(username__iexact=username).exists():
        # An account named like this email but registered with another: a new, distinct name.
        username = f"{email}.{User.objects.count() + 1}"
    user = User(username=username[:150], email=email, first_name=given_name[:150], last_name=family_name[:150],
                language=language if language in ("lo", "en") else "lo")
    user.set_unusable_password()
    user.save()
    return user, True


def set_password_url(user, language: str) -> str:
    """The absolute link where `user` sets their password, in `language`."""
    with translation.override(language):
        path = reverse("accounts:set_password", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        })
    return settings.PRACHUM_BASE_URL + path


def login_url(language: str) -> str:
    with translation.override(language):
        return settings.PRACHUM_BASE_URL + reverse("accounts:login")


def queue_role_invitation(*, user, meeting, role_label, organization=None, invited_by=None) -> Message:
    """Write the email that tells `user` of their role at `meeting` (and, where they have no password yet,
    where to set one) into the outbox, in the caller's transaction; it is sent after the commit.
    `role_label` is a lazy string, rendered in the user's language."""
    from prachum.notify.services import schedule_delivery

    if not connection.in_atomic_block:
        raise RuntimeError("queue_role_invitation must run inside the transaction that gives the role")
    language = user.language if user.language in ("lo", "en") else "lo"
    needs_password = not user.has_usable_password()
    with translation.override(language):
        context = {
            "language": language,
            "name": " ".join(part for part in (user.first_name, user.last_name) if part),
            "title": meeting.title,
            "role": str(role_label),
            "organization": organization.name if organization is not None else "",
            "invited_by": (invited_by.get_full_name() or invited_by.email or invited_by.get_username()) if invited_by else "",
            "needs_password": needs_password,
            "link": set_password_url(user, language) if needs_password else login_url(language),
            "username": user.get_username(),
        }
        subject = " ".join(render_to_string("accounts/emails/role_invitation.subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string("accounts/emails/role_invitation.txt", context).strip() + "\n"
        html = render_to_string("accounts/emails/role_invitation.html", context)
    message = Message.objects.create(
        meeting=meeting, kind=INVITATION_KIND, to_email=user.email, language=language,
        subject=subject[:300], body_text=text, body_html=html,
    )
    transaction.on_commit(lambda: schedule_delivery(message), robust=True)
    return message
