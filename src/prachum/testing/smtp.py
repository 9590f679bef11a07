"""A real SMTP server (aiosmtpd) on a free localhost port, for tests that read what was sent.

The fixtures `mail_server` and `mail_server_down` are registered for every test by prachum.testing.plugin."""

import asyncio
import email
import email.policy
import logging
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller


# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: envelopes and parsed messages (email.message.EmailMessage)."""

    def __init__(self, port: int):
        self.port = port
        self.envelopes = []
        self.refused = set()  # addresses the server refuses for good (550)
        self.delay = 0.0  # seconds the server takes to accept a message
        self._lock = threading.Lock()
        self.controller = None

    @property
    def messages(self):
        with self._lock:
            return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]

    def wait_for(self, count: int, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.envelopes) >= count:
                return self.messages
            time.sleep(0.02)
        raise AssertionError(f"waited {timeout} s for {count} messages, got {len(self.envelopes)}")

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.envelopes.append(envelope)
        return "250 Message accepted"

    def start(self):
        self.controller = Controller(_Hooks(self), hostname="127.0.0.1", port=self.port, server_hostname="prachum.test")
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class _Hooks:
    """The handler aiosmtpd is given. For each connection it lists every attribute of its handler
    (inspect.getmembers), which on the Inbox itself would parse every message received so far (`messages`):
    seconds per connection once a test has sent a thousand. server_hostname spares it a name lookup too."""

    def __init__(self, inbox: Inbox):
        self.handle_RCPT = inbox.handle_RCPT
        self.handle_DATA = inbox.handle_DATA


def point_mail_at(settings, port: int):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Prachum <noreply@prachum.test>"
    settings.PRACHUM_EMAIL_ENABLED = True


@pytest.fixture
def mail_server(settings):
    """A running SMTP server on a free localhost port, and Django's mail settings pointing at it."""
    inbox = Inbox(free_port())
    inbox.start()
    point_mail_at(settings, inbox.port)
    yield inbox
    inbox.stop()


@pytest.fixture
def mail_server_down(settings):
    """Mail settings pointing at a localhost port where nothing listens (yet): `.start()` brings it up."""
    inbox = Inbox(free_port())
    point_mail_at(settings, inbox.port)
    yield inbox
    inbox.stop()
