"""Private links must not end up in logs: a log filter that hides the tokens of /r/<token>/ addresses
, /set-password/<uid>/<token>/ and of ?invitation=<token> links in any record (Django logs the path of a 404, a 405 or a refused
CSRF check; the development server logs every request line), written plainly or percent-encoded (/%72/)."""

import logging
import re



def _spelled(word: str) -> str:
    """`word` as a pattern that also matches it percent-encoded, letter by letter: a server decodes /%72/ to /r/
    (and %2F to /) before Django sees the path, while the raw request line is what gunicorn logs."""
    return "".join(f"(?:{re.escape(char)}|%{ord(char):02X})" for char in word)


SLASH = _spelled("/")
# /join/<token>/: the personal join links of online sessions (online/links.py);
# /set-password/<uid>/<token>/: the link an invited organizer or focal point chooses a password with.
PRIVATE_LINK = re.compile(rf"({SLASH}(?:{_spelled('r')}|{_spelled('join')}){SLASH})[^/\s?\"']+", re.IGNORECASE)
SET_PASSWORD_LINK = re.compile(rf"({SLASH}{_spelled('set-password')}{SLASH})[^/\s?\"']+/[^/\s?\"']+", re.IGNORECASE)
INVITATION_TOKEN = re.compile(rf"({_spelled('invitation=')})[^&\s\"']+", re.IGNORECASE)
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
        if "/r/" in message or "/join/" in message or "invitation=" in message or "/set-password/" in message \
                or "%" in message:
            record.msg, record.args = redact(message), ()
        return True
