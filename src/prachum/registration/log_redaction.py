"""Private links must not end up in logs: a log filter that hides the tokens of /r/<token>/ addresses
and of ?invitation=<token> links in any record (Django logs the path of a 404, a 405 or a refused
CSRF check; the development server logs every request line)."""

import logging
import re

# /join/<token>/: the personal join links of online sessions (online/links.py).
PRIVATE_LINK = re.compile(r"(/(?:r|join)/)[^/\s?\"']+")
INVITATION_TOKEN = re.compile(r"(invitation=)[^&\s\"']+")
REDACTED = "[hidden]"


def redact(text: str) -> str:
    return INVITATION_TOKEN.sub(rf"\g<1>{REDACTED}", PRIVATE_LINK.sub(rf"\g<1>{REDACTED}", text))


class HidePrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours
            return True
        if "/r/" in message or "/join/" in message or "invitation=" in message:
            record.msg, record.args = redact(message), ()
        return True
