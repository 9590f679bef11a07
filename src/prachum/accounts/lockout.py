"""Password guessing, counted two ways (django-axes, AXES_LOCKOUT_PARAMETERS = [address, (username, address)]).

Axes compares the largest of the counts with one limit. Here a failure weighs fully against the username it
tried from that address (AXES_FAILURE_LIMIT, 5) and a fraction against the address alone, so that the address
is locked at AXES_ADDRESS_FAILURE_LIMIT (20) failures spread over any usernames: a ministry's office shares
one address, and a colleague's typos should not lock everyone out, while a guesser who moves from one
username to the next is stopped.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        by_address, by_username = (_failures(attempts) for attempts in self.get_user_attempts(request, credentials))
        return max(by_username, by_address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A login that succeeds clears that username's failures from that address, not the address's others:
        # else a guesser would clear them by logging into an account of their own between guesses.
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address,
        ).delete()
        return count


# axes' username column is varchar(255); no account has a longer name (Django's limit is 150).
USERNAME_COLUMN_LENGTH = 255


def username_of(request, credentials=None) -> str | None:
    """The username axes counts a login against (AXES_USERNAME_CALLABLE): as typed, but cut to what axes can
    store, so that a very long one is a failed login like any other and not a database error."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return value[:USERNAME_COLUMN_LENGTH] if isinstance(value, str) else value
