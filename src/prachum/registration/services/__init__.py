"""Registration use cases: the only code that changes registrations. One module per group of use cases:

- submission.py: submit_registration (seat or waiting list, idempotent by form token)
- transitions.py: approve_, reject_, waitlist_, cancel_registration, promote_waitlisted
- editing.py: update_registration, resend_manage_link
- locking.py: the meeting lock every seat change takes (read its docstring before adding a writer)
- seats.py, rules.py, answers.py, notices.py: private parts shared by the above
"""

from prachum.registration.errors import RegistrationError
from prachum.registration.services.editing import UNCHANGED, resend_manage_link, update_registration
from prachum.registration.services.submission import PERSON_FIELDS, SubmitResult, submit_registration
from prachum.registration.services.transitions import (
    approve_registration,
    cancel_registration,
    promote_waitlisted,
    reject_registration,
    waitlist_registration,
)

__all__ = [
    "PERSON_FIELDS",
    "UNCHANGED",
    "RegistrationError",
    "SubmitResult",
    "approve_registration",
    "cancel_registration",
    "promote_waitlisted",
    "reject_registration",
    "resend_manage_link",
    "submit_registration",
    "update_registration",
    "waitlist_registration",
]
