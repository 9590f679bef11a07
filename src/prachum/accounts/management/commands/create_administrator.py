from datetime import timedelta

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.core.validators import validate_email

from prachum.accounts.services import AccountError, invite_account, normalise_email, set_password_url
from prachum.core.validators import validate_plain_text

NAME_LENGTH = 150  # the user model's first_name and last_name


class Command(BaseCommand):
    help = (
        "Create a site administrator, who may also create meetings: the first one on a new install, or one more. "
        "No password is typed here: the command prints a link where the administrator chooses it (and the same "
        "link is emailed, or kept in the outbox without a mail server). Later administrators are invited from "
        "the Accounts page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the administrator's email address")
        parser.add_argument("--username", default="", help="the name to log in with (default: the email address)")
        parser.add_argument("--given-name", default="", help="given name, as others will see it")
        parser.add_argument("--family-name", default="", help="family name")
        parser.add_argument("--language", choices=["lo", "en"], default="lo",
                            help="language of the email and of the link (default: lo)")

    @no_translations  # the console speaks English, like Django's own commands
    def handle(self, *args, email, username, given_name, family_name, language, **options):
        email = normalise_email(email)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email or '(empty)'!r} is not an email address.") from None
        username = username.strip()
        if username:
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError:
                raise CommandError(f"{username!r} is not a user name: use letters, digits and @ . + - _ only, "
                                   "at most 150 characters.") from None
            if len(username) > 150:
                raise CommandError("A user name has at most 150 characters.")
        given_name, family_name = given_name.strip(), family_name.strip()
        for option, name in (("--given-name", given_name), ("--family-name", family_name)):
            try:
                validate_plain_text(name)
            except ValidationError:
                raise CommandError(f"{option}: a name cannot hold control characters.") from None
            if len(name) > NAME_LENGTH:
                raise CommandError(f"{option}: a name has at most {NAME_LENGTH} characters.")
        try:
            user = invite_account(actor=None, email=email, username=username, given_name=given_name,
                                  family_name=family_name, language=language, may_create_meetings=True,
                                  administrator=True)
        except AccountError as exc:
            if exc.code == "email_taken":
                raise CommandError(f"An account with the email {email} exists already. To make it an administrator, "
                                   "log in as an administrator and use the Accounts page.") from None
            if exc.code == "username_taken":
                raise CommandError(f"An account with the user name {username!r} exists already; choose another "
                                   "with --username.") from None
            raise CommandError(exc.code) from None
        days = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT).days
        self.stdout.write(self.style.SUCCESS(f"Site administrator {user.get_username()} created; they may also create meetings."))
        self.stdout.write(f"Open this link to choose the password (it works once, for {days} days):")
        self.stdout.write(f"  {set_password_url(user, language)}")
        self.stdout.write("Then log in and open Accounts on the organizer page to invite other organizers.")
