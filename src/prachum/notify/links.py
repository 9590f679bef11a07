"""Private links in emails, masked for the pages that show an email to someone other than its recipient."""

import re

# The private parts of the links our emails carry: a participant's page and documents (/r/<token>/), a join
# link (/join/<token>/), a set-password link (/set-password/<uid>/<token>/), a personal invitation
# (?invitation=<token>). Each is a key to someone's registration or account.
_PRIVATE_LINK_PARTS = re.compile(
    r"(?P<keep>/r/|/join/|/set-password/[^/\s\"'<>]+/|[?&](?:amp;)?invitation=)(?P<secret>[^/\s\"'<>?&#]+)"
)
MASKED = "•••"


def mask_private_links(text: str) -> str:
    """`text` with the secret of every private link replaced by •••: for pages that show an email to
    someone other than its recipient (a screen can be shared or photographed)."""
    return _PRIVATE_LINK_PARTS.sub(lambda match: match["keep"] + MASKED, text)
