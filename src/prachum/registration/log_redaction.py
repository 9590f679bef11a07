"""Private links must not end up in logs: a log filter that hides the tokens of /r/<token>/ addresses
, /set-password/<uid>/<token>/ and of ?invitation=<token> links in any record (Django logs the path of a 404, a 405 or a refused
CSRF check; the development server logs every request line)."""

import logging
import re

# /join/<token>/: the personal join links of online sessions (online/links.py);
# /set-password/<uid>/<token>/: the link an invited organizer or focal point chooses a password with.
PRIVATE_LINK = re.compile(r"(/(?:r|join)/)[^/\s?\"']+")
SET_PASSWORD_LINK = re.compile(r"(/set-password/)[^/\s?\"']+/[^/\s?\"']+")
INVITATION_TOKEN = re.compile(r"(invitation=)[^&\s\"']+")
REDACTED = "[hidden]"


def redact(text: str) -> str:
    text = SET_PASSWORD_LINK.sub(rf"\g<1>{REDACTED}", text)
    return INVITATION_TOKEN.sub(rf"\g<1>{REDACTED}", PRIVATE_LINK.sub(rf"\g<1>{REDACTED}", text))


class HidePrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours
            return True
        if "/r/" in message or "/join/" in message or "invitation=" in message or "/set-password/" in message:
            record.msg, record.args = redact(message), ()
        return True
