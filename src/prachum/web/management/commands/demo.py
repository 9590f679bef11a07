import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, no_translations

from prachum.demo.services import load_demo_meetings, set_up_demo_organizer
from prachum.directory.services import load_organizations
from prachum.exchange.management.commands.load_meeting import describe_load
from prachum.exchange.meeting_files import MeetingFileError
from prachum.online.demo import set_up_demo_online


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, load the organizations and the two demo meetings, make the organizer "
        "account 'demo' (owner of both), collect static files, print the address, login and password, "
        "then serve with gunicorn until Ctrl-C. Running it again changes no data (only a random password)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default: %(default)s)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
        parser.add_argument("--no-serve", action="store_true", help="set everything up and print, but do not serve")

    @no_translations
    def handle(self, *args, port, host, no_serve, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not no_serve:
            self._check_port_is_free(host, port)

        call_command("migrate", interactive=False, verbosity=0)
        counts = load_organizations()
        self.stdout.write(
            f"Organizations: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged."
        )
        try:
            meetings = load_demo_meetings()
        except MeetingFileError as exc:
            raise CommandError(str(exc)) from None
        for meeting in meetings:
            self.stdout.write(describe_load(meeting))
        user, password = set_up_demo_organizer(meetings=meetings, password=os.environ.get("PRACHUM_DEMO_PASSWORD"))
        for meeting in set_up_demo_online(meetings):
            self.stdout.write(f"Online: {meeting.slug} gets a video conference link and reminders.")
        call_command("collectstatic", interactive=False, verbosity=0)

        # "localhost", not 127.0.0.1: browsers allow passkeys (the second login step) on localhost only, never on
        # an IP address, and django-otp-webauthn refuses to start with any other plain-http origin.
        shown_host = "localhost" if host in ("0.0.0.0", "::", "", "127.0.0.1", "::1") else host
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        base_url = f"http://{shown_host}:{port}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Prachum demo is ready."))
        self.stdout.write(f"  Open       {base_url}/lo/   (ລາວ)")
        self.stdout.write(f"             {base_url}/en/   (English)")
        self.stdout.write(f"  Login      {user.get_username()}")
        self.stdout.write(f"  Password   {password}")
        if "PRACHUM_DEMO_PASSWORD" not in os.environ:
            self.stdout.write("             (a new one each run; set PRACHUM_DEMO_PASSWORD to keep one)")
        if settings.PRACHUM_REQUIRE_2FA != "off":
            # As in production: `demo` is a site administrator, so its first login sets up a second step.
            self.stdout.write("  2nd step   at the first login, scan the QR code with an authenticator app (or add a")
            self.stdout.write("             passkey) and keep the recovery codes; PRACHUM_REQUIRE_2FA=off skips it")
        if no_serve:
            return
        self.stdout.write(f"Serving on {host}:{port} with gunicorn; press Ctrl-C to stop.")
        self.stdout.flush()
        os.environ.setdefault("PRACHUM_BASE_URL", base_url)
        # The background worker (jobs, emails, reminders: Celery's work in production) beside the web server.
        worker = [sys.executable, "-m", "prachum", "worker"]
        gunicorn = [
            sys.executable, "-m", "gunicorn", "prachum.wsgi:application",
            "--config", "python:prachum.gunicorn_config",  # workers and the log as bench/ measured best
            "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "--access-logfile", "-",
        ]
        raise SystemExit(supervise([gunicorn, worker]))

    def _check_port_is_free(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise CommandError(f"cannot serve on {host}:{port}: {exc.strerror}; try --port {port + 1}") from None


def supervise(commands: list[list[str]], *, grace: float = 20.0) -> int:
    """Run `commands` as children until one of them ends or this process is told to stop (SIGTERM from a
    process manager, SIGINT from Ctrl-C, SIGHUP when the terminal closes); then stop the others (SIGTERM,
    SIGKILL after `grace` seconds) and return the first command's exit status. This process stays the
    parent, instead of becoming gunicorn by exec, so that stopping it stops everything the demo started."""
    children = [subprocess.Popen(command) for command in commands]
    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    asked_to_stop = stopping
    stop()
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    status = children[0].returncode
    # Asked to stop is a clean end, whatever signal the children ended by.
    return 0 if asked_to_stop and status < 0 else status
