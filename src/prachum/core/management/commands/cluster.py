import os
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import BaseCommand, CommandError, no_translations

from prachum.core.cluster import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, Cluster, ClusterError

MAX_NODES = 16
MAX_WORKERS = 64


class Stopping(Exception):
    """Ctrl-C, SIGTERM or SIGHUP arrived."""


SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _stop(signum, frame):
    # Once: a second Ctrl-C must not interrupt the stop and leave processes behind.
    for each in SIGNALS:
        signal.signal(each, signal.SIG_IGN)
    raise Stopping


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Command(BaseCommand):
    help = (
        "Run the production shape on this machine: nginx on --port in front of --nodes gunicorn app nodes, a "
        "Celery worker and Celery beat, on PostgreSQL and Redis, with the demo meetings loaded. Prints the "
        "address, the login and the log folder, then runs until Ctrl-C (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port nginx listens on (default: %(default)s)")
        parser.add_argument("--host", default="127.0.0.1", help="address nginx listens on (default: %(default)s)")
        parser.add_argument("--nodes", type=int, default=2, help="gunicorn app nodes (default: %(default)s)")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes per node and Celery worker processes (default: gunicorn_config's, "
                                 "two per core)")
        parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                            help="PostgreSQL database, created when missing (default: %(default)s)")
        parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="Redis (default: %(default)s)")
        parser.add_argument("--email-url", default=None,
                            help="mail server, e.g. smtp://127.0.0.1:1025 (default: none, mail stays in the outbox)")
        parser.add_argument("--data-dir", default="./var/cluster",
                            help="the shared data folder, with the logs and nginx's files (default: %(default)s)")

    @no_translations
    def handle(self, *args, port, host, nodes, workers, database_url, redis_url, email_url, data_dir, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not 1 <= nodes <= MAX_NODES:
            raise CommandError(f"--nodes must be between 1 and {MAX_NODES}, not {nodes}")
        if workers is not None and not 1 <= workers <= MAX_WORKERS:
            raise CommandError(f"--workers must be between 1 and {MAX_WORKERS}, not {workers}")
        for option, value in (("--database-url", database_url), ("--redis-url", redis_url),
                              ("--email-url", email_url or ""), ("--data-dir", data_dir), ("--host", host)):
            if "\x00" in value or len(value) > 1000:
                raise CommandError(f"{option} is not a usable value")
        if email_url and urlsplit(email_url).scheme not in ("smtp", "smtp+tls", "smtps"):
            raise CommandError("--email-url must look like smtp://host:25 or smtp+tls://user:password@host:587")

        cluster = Cluster(Path(data_dir), port=port, host=host, nodes=nodes, workers=workers,
                          database_url=database_url, redis_url=redis_url, email_url=email_url)
        for signum in SIGNALS:
            signal.signal(signum, _stop)
        self.stdout.write(f"Preparing the data in {cluster.root} (migrate, collectstatic, demo meetings)…")
        try:
            cluster.start()
        except Stopping:
            self.stdout.write("Stopped before the cluster was ready.")
            return
        except ClusterError as exc:
            raise CommandError(str(exc)) from None

        self._print_ready(cluster)
        reported = set()
        try:
            while True:
                for name, process in cluster.processes.items():
                    if not process.running and name not in reported:
                        reported.add(name)
                        self.stderr.write(f"{name} ended (status {process.popen.returncode}); see {process.log}")
                time.sleep(0.5)
        except Stopping:
            pass
        self.stdout.write("Stopping every process of the cluster…")
        cluster.stop()
        self.stdout.write("Stopped.")

    def _print_ready(self, cluster: Cluster) -> None:
        address = cluster.address
        names = ", ".join(cluster.processes)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Prachum cluster is ready: nginx in front of {cluster.nodes} app node(s), a Celery worker and beat."))
        self.stdout.write(f"  Open       {address}lo/   (ລາວ)")
        self.stdout.write(f"             {address}en/   (English)")
        self.stdout.write("  Login      demo")
        self.stdout.write(f"  Password   {cluster.demo_password}")
        if "PRACHUM_DEMO_PASSWORD" not in os.environ:
            self.stdout.write("             (a new one each run; set PRACHUM_DEMO_PASSWORD to keep one)")
        if os.environ.get("PRACHUM_REQUIRE_2FA", "organizers").strip().lower() != "off":
            self.stdout.write("  2nd step   at the first login, set up an authenticator app or a passkey "
                              "(PRACHUM_REQUIRE_2FA=off skips it)")
        self.stdout.write(f"  Logs       {cluster.logs}/  ({names}; nginx-access.log)")
        self.stdout.write(f"  Database   {_without_password(cluster.database_url)}")
        self.stdout.write(f"  Redis      {_without_password(cluster.redis_url)}")
        if not cluster.email_url:
            self.stdout.write("  Mail       none: emails stay in the outbox (--email-url smtp://host:port to send)")
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
