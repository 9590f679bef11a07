"""The video conference services a join link can lead to, spoken to from the server only.

- BigBlueButton (https://docs.bigbluebutton.org/development/api/): every API call carries
  checksum = SHA-1(call name + query string + shared secret). `create` is idempotent (a second call for
  a running meeting answers SUCCESS with messageKey duplicateWarning), so each join calls it first; the
  join URL is signed here and the browser only ever sees the finished URL, never the secret.
- Jitsi Meet with JWT (jitsi/lib-jitsi-meet, doc/tokens.md): the room URL with ?jwt=<HS256 token> whose
  claims name the app (iss, aud "jitsi"), the room, the expiry and context.user (name, email,
  moderator).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import jwt

BBB_TIMEOUT = 5  # seconds: a join waits for create; a dead server must not hold a web worker long


class ProviderError(Exception):
    """The video conference server could not be reached or refused the call."""


def bbb_checksum(call: str, query: str, secret: str) -> str:
    return hashlib.sha1(f"{call}{query}{secret}".encode()).hexdigest()


def bbb_api_base(server_url: str) -> str:
    """https://host/bigbluebutton/api/ from what an organizer may paste (with or without /api)."""
    base = server_url.rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    return base + "/api/"


def bbb_url(server_url: str, secret: str, call: str, params: list[tuple[str, str]] | dict) -> str:
    """The signed URL of one API call; parameters keep their order (the checksum covers the query as sent)."""
    items = list(params.items()) if isinstance(params, dict) else list(params)
    query = urllib.parse.urlencode(items)
    return f"{bbb_api_base(server_url)}{call}?{query}{'&' if query else ''}checksum={bbb_checksum(call, query, secret)}"


def _bbb_password(secret: str, meeting_id: str, role: str) -> str:
    """Per-room passwords, derived so that create and join agree without storing them (BBB < 2.4 needs them)."""
    return hmac.new(secret.encode(), f"{meeting_id}:{role}".encode(), hashlib.sha256).hexdigest()[:16]


def _bbb_call(url: str) -> ET.Element:
    try:
        with urllib.request.urlopen(url, timeout=BBB_TIMEOUT) as response:  # noqa: S310 (https or http, set by the organizer)
            body = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ProviderError(f"BigBlueButton server not reachable: {type(exc).__name__}") from None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise ProviderError("BigBlueButton answered something that is not XML") from None
    return root


@dataclass(frozen=True)
class BigBlueButton:
    server_url: str
    secret: str

    def create(self, *, meeting_id: str, name: str) -> None:
        """Create the room, or find it running (idempotent)."""
        root = _bbb_call(bbb_url(self.server_url, self.secret, "create", [
            ("name", name), ("meetingID", meeting_id),
            ("attendeePW", _bbb_password(self.secret, meeting_id, "VIEWER")),
            ("moderatorPW", _bbb_password(self.secret, meeting_id, "MODERATOR")),
        ]))
        if root.findtext("returncode") != "SUCCESS":
            raise ProviderError(f"BigBlueButton refused create: {root.findtext('messageKey') or 'no reason given'}")

    def join_url(self, *, meeting_id: str, full_name: str, user_id: str, moderator: bool) -> str:
        role = "MODERATOR" if moderator else "VIEWER"
        return bbb_url(self.server_url, self.secret, "join", [
            ("fullName", full_name), ("meetingID", meeting_id),
            ("password", _bbb_password(self.secret, meeting_id, role)), ("role", role),
            ("userID", user_id), ("redirect", "true"),
        ])

    def attendees(self, *, meeting_id: str) -> list[dict] | None:
        """The people in the room now: [{"user_id", "full_name", "role"}]; None when it is not running."""
        root = _bbb_call(bbb_url(self.server_url, self.secret, "getMeetingInfo", [("meetingID", meeting_id)]))
        if root.findtext("returncode") != "SUCCESS":
            if root.findtext("messageKey") == "notFound":
                return None
            raise ProviderError(f"BigBlueButton refused getMeetingInfo: {root.findtext('messageKey') or 'no reason given'}")
        return [
            {"user_id": a.findtext("userID") or "", "full_name": a.findtext("fullName") or "", "role": a.findtext("role") or ""}
            for a in root.iterfind("./attendees/attendee")
        ]


def jitsi_token(*, app_id: str, secret: str, server_url: str, room: str, name: str, email: str,
                moderator: bool, expires_at: int, now: int | None = None) -> str:
    now = int(time.time()) if now is None else now
    claims = {
        "iss": app_id,
        "aud": "jitsi",
        "sub": urllib.parse.urlsplit(server_url).hostname or "*",
        "room": room,
        "iat": now,
        "nbf": now - 60,
        "exp": expires_at,
        "context": {"user": {"name": name, "email": email, "moderator": moderator}},
        "moderator": moderator,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def jitsi_url(*, server_url: str, room: str, token: str) -> str:
    return f"{server_url.rstrip('/')}/{urllib.parse.quote(room)}?jwt={token}"
