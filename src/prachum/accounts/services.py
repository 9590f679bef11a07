"""Accounts for the people who run a meeting: organizers, reviewers, check-in staff and focal points.

Nobody picks a password for someone else. An invited person gets an account with an unusable password
(or keeps the account they have) and an email with a link where they set their own password: Django's
password-reset token (PasswordResetTokenGenerator), which stops working once the password is set,
when they log in, or after settings.PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from prachum.accounts.roles import ADMINISTER_SITE, CREATE_MEETINGS
from prachum.audit.kinds import SYSTEM
from prachum.audit.services import record_audit
from prachum.core.bilingual import LANGUAGE_CODES
# accounts sits below notify: its emails go into the outbox through the port notify installs at start-up.
from prachum.core.outbox import RenderedEmail, queue_message

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


def invitation_language(user, chosen: str | None = None) -> str:
    """The language of an email to `user`: the one its sender chose, else the one the account keeps."""
    if chosen in LANGUAGE_CODES:
        return chosen
    return user.language if user.language in LANGUAGE_CODES else "lo"


def queue_role_invitation(*, user, meeting, role_label, organization=None, invited_by=None,
                          language: str | None = None):
    """Write the email that tells `user` of their role at `meeting` (and, where they have no password yet,
    where to set one) into the outbox, in the caller's transaction; it is sent after the commit.
    `language` is the one the sender chose for it, else the account's; `role_label` is a lazy string.
    Returns the notify.Message."""
    if not connection.in_atomic_block:
        raise RuntimeError("queue_role_invitation must run inside the transaction that gives the role")
    language = invitation_language(user, language)
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
    return queue_message(kind=INVITATION_KIND, to_email=user.email, language=language, meeting=meeting,
                         rendered=RenderedEmail(subject=subject, text=text, html=html))


# -- site administration: organizer accounts and their site-wide rights ---------------------------------
#
# A site administrator (accounts.roles) invites organizer accounts, deactivates and reactivates them, and
# grants or takes away the two site-wide rights. Each change is one function here, in its own transaction,
# with its AuditEvent (no meeting: the change concerns the whole site). The active administrators' rows
# are locked first, so that two administrators cannot take each other's rights away at the same moment and
# leave the site with none.

ACCOUNT_INVITATION_KIND = "account.organizer_invitation"

# The rights an administrator grants, by the names the pages, the forms and the audit trail use.
RIGHTS = {"may_create_meetings": CREATE_MEETINGS, "administrator": ADMINISTER_SITE}

ACCOUNT_ERRORS = {
    "not_administrator": _("Only a site administrator may do this."),
    "email_taken": _("An account with this email exists already. Find it in the list below and change its rights there."),
    "username_taken": _("An account with this user name exists already. Please choose another one."),
    "yourself": _("You cannot deactivate your own account. Another administrator can."),
    "own_administrator": _("You cannot take away your own administrator right. Another administrator can."),
    "last_administrator": _("This is the last active site administrator. Make someone else an administrator first."),
    "inherited": _("This account has the right through its superuser status or its group, which are changed in "
                   "Django's admin site, not here."),
    "inactive": _("This account is deactivated. Reactivate it first."),
    "no_email": _("This account has no email address, so no link can be sent to it."),
}


class AccountError(Exception):
    """A refused change to an account, with a message in the active language."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code, self.field = code, field

    @property
    def message(self) -> str:
        return str(ACCOUNT_ERRORS[self.code])


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def holders_of(name: str):
    """The ids of the accounts that have the permission `name` (directly, through a group, or as superusers),
    active or not."""
    User = get_user_model()
    permission = _permission(name)
    return User.objects.filter(
        Q(is_superuser=True) | Q(user_permissions=permission) | Q(groups__permissions=permission)
    ).values("pk").distinct()


def active_administrators():
    """The people to ask for a site-wide right, by name."""
    return get_user_model().objects.filter(is_active=True, pk__in=holders_of(ADMINISTER_SITE)).order_by(
        "first_name", "last_name", "username")


def _lock_administrators(actor) -> list[int]:
    """Lock the active administrators' rows (in id order), then check that `actor` is one of them.
    Returns their ids, as they are under the lock."""
    User = get_user_model()
    ids = sorted(User.objects.filter(is_active=True, pk__in=holders_of(ADMINISTER_SITE)).values_list("pk", flat=True))
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    if actor is not None and actor.pk not in ids:
        raise AccountError("not_administrator")
    return ids


def _fresh(user):
    """The account as stored now, without the permissions Django cached on the object."""
    return get_user_model().objects.get(pk=user.pk)


def holds(user, right: str) -> bool:
    """Whether `user` holds one of RIGHTS, active or not (Django's has_perm says no for an inactive account)."""
    return holders_of(RIGHTS[right]).filter(pk=user.pk).exists()


@transaction.atomic(durable=True)
def invite_account(*, actor, email: str, given_name: str = "", family_name: str = "", language: str = "lo",
                   may_create_meetings: bool = False, administrator: bool = False, username: str = ""):
    """A new organizer account, with the rights chosen, and an email in `language` with the link where its
    owner sets a password. Its user name is `username`, else its email. `actor` None is the command line
    (prachum create-administrator)."""
    User = get_user_model()
    _lock_administrators(actor)
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError("email_taken", field="email")
    if username and User.objects.filter(username__iexact=username).exists():
        raise AccountError("username_taken", field="username")
    language = language if language in LANGUAGE_CODES else "lo"
    try:
        with transaction.atomic():
            user, _created = find_or_create_user(email=email, given_name=given_name, family_name=family_name,
                                                 language=language)
            if username:
                user.username = username
                user.save(update_fields=["username"])
    except IntegrityError:  # the same email or name, given by someone else a moment ago
        raise AccountError("username_taken" if username else "email_taken",
                           field="username" if username else "email") from None
    wanted = {"may_create_meetings": may_create_meetings, "administrator": administrator}
    user.user_permissions.add(*(_permission(RIGHTS[right]) for right, given in wanted.items() if given))
    record_audit(kind="account.invited", actor=actor, actor_label="" if actor else SYSTEM, obj=user,
                 after={"language": language, **wanted})
    queue_account_invitation(user=user, language=language, invited_by=actor)
    return user


@transaction.atomic(durable=True)
def set_account_active(*, actor, user_id: int, active: bool):
    """Deactivate an account (it can no longer log in, and its open sessions end at their next request) or
    reactivate it. Its meeting roles stay, so a reactivated account finds its meetings again."""
    User = get_user_model()
    administrators = _lock_administrators(actor)
    user = User.objects.select_for_update().get(pk=user_id)
    if user.is_active == active:
        return user
    if not active:
        if user.pk == actor.pk:
            raise AccountError("yourself")
        if user.pk in administrators and len(administrators) == 1:
            raise AccountError("last_administrator")
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_audit(kind="account.reactivated" if active else "account.deactivated", actor=actor, obj=user,
                 before={"is_active": not active}, after={"is_active": active})
    return user


@transaction.atomic(durable=True)
def set_account_right(*, actor, user_id: int, right: str, granted: bool):
    """Grant or take away one of RIGHTS. A right held through superuser status or a group is not changed
    here (AccountError "inherited")."""
    User = get_user_model()
    administrators = _lock_administrators(actor)
    user = User.objects.select_for_update().get(pk=user_id)
    had = holds(user, right)
    if had == granted:
        return user
    if granted and not user.is_active:
        raise AccountError("inactive")
    if right == "administrator" and not granted:
        if user.pk == actor.pk:
            raise AccountError("own_administrator")
        if user.pk in administrators and len(administrators) == 1:
            raise AccountError("last_administrator")
    permission = _permission(RIGHTS[right])
    if granted:
        user.user_permissions.add(permission)
    else:
        user.user_permissions.remove(permission)
        if holds(user, right):
            raise AccountError("inherited")
    record_audit(kind="account.right_granted" if granted else "account.right_revoked", actor=actor, obj=user,
                 before={right: had}, after={right: granted})
    return _fresh(user)


def grant_site_rights(*, user, rights, actor_label: str) -> list[str]:
    """Give `user` the `rights` they lack, from the command line (prachum demo), in the caller's transaction,
    each with its AuditEvent. Returns the rights given; none when they had them all."""
    given = []
    for right in rights:
        if not holds(user, right):
            user.user_permissions.add(_permission(RIGHTS[right]))
            record_audit(kind="account.right_granted", actor_label=actor_label, obj=user,
                         before={right: False}, after={right: True})
            given.append(right)
    return given


@transaction.atomic(durable=True)
def resend_account_invitation(*, actor, user_id: int, language: str | None = None):
    """A new link to set a password (the first has expired, or the password is forgotten), in `language`,
    else the account's. The password stays as it is until the link is used."""
    User = get_user_model()
    _lock_administrators(actor)
    user = User.objects.select_for_update().get(pk=user_id)
    if not user.is_active:
        raise AccountError("inactive")
    if not user.email:
        raise AccountError("no_email")
    message = queue_account_invitation(user=user, language=language, invited_by=actor)
    record_audit(kind="account.invitation_resent", actor=actor, obj=user, after={"language": message.language})
    return user


def queue_account_invitation(*, user, language: str | None = None, invited_by=None):
    """Write the email that gives `user` their organizer account (or a new link to set its password) into
    the outbox, in the caller's transaction; it is sent after the commit. No meeting: it concerns the site.
    Returns the notify.Message."""

    if not connection.in_atomic_block:
        raise RuntimeError("queue_account_invitation must run inside the transaction that changes the account")
    language = invitation_language(user, language)
    fresh = _fresh(user)
    with translation.override(language):
        context = {
            "language": language,
            "name": " ".join(part for part in (user.first_name, user.last_name) if part),
            "may_create_meetings": fresh.has_perm(CREATE_MEETINGS),
            "administrator": fresh.has_perm(ADMINISTER_SITE),
            "invited_by": (invited_by.get_full_name() or invited_by.email or invited_by.get_username()) if invited_by else "",
            "link": set_password_url(user, language),
            "username": user.get_username(),
        }
        subject = " ".join(render_to_string("accounts/emails/account_invitation.subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string("accounts/emails/account_invitation.txt", context).strip() + "\n"
        html = render_to_string("accounts/emails/account_invitation.html", context)
    return queue_message(kind=ACCOUNT_INVITATION_KIND, to_email=user.email, language=language, meeting=None,
                         rendered=RenderedEmail(subject=subject, text=text, html=html))


# -- a forgotten password ------------------------------------------------------------------------------

PASSWORD_RESET_KIND = "account.password_reset"


def password_reset_url(user, language: str) -> str:
    with translation.override(language):
        path = reverse("accounts:password_reset_confirm", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        })
    return settings.PRACHUM_BASE_URL + path


@transaction.atomic(durable=True)
def send_password_reset(*, email: str, language: str) -> int:
    """Email a link to choose a new password to each active account with `email` (case-insensitive), in
    `language` (the page's, where the person asked). An invited account that never chose a password gets
    one too. Whether any account has this email is not told to the asker: the page says the same either
    way, and the count returned is for tests and logs. The link is Django's password-reset token, which
    stops working once used, after a login, or after settings.PASSWORD_RESET_TIMEOUT."""
    User = get_user_model()
    email = normalise_email(email)
    language = language if language in LANGUAGE_CODES else "lo"
    users = list(User.objects.filter(email__iexact=email, is_active=True).exclude(email=""))
    for user in users:
        with translation.override(language):
            context = {
                "language": language,
                "name": " ".join(part for part in (user.first_name, user.last_name) if part),
                "link": password_reset_url(user, language),
                "username": user.get_username(),
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            }
            subject = " ".join(render_to_string("accounts/emails/password_reset.subject.txt", context).split())
            context["subject"] = subject
            text = render_to_string("accounts/emails/password_reset.txt", context).strip() + "\n"
            html = render_to_string("accounts/emails/password_reset.html", context)
        queue_message(kind=PASSWORD_RESET_KIND, to_email=user.email, language=language, meeting=None,
                      rendered=RenderedEmail(subject=subject, text=text, html=html))
        record_audit(kind="account.password_reset_requested", actor_label=SYSTEM, obj=user,
                     after={"language": language})
    return len(users)
