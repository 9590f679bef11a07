"""The production shape on one machine: nginx in front of identical gunicorn app nodes, a Celery worker and
Celery beat, on PostgreSQL and Redis, with one shared data folder (`prachum cluster`, `make cluster`, and the
tests of src/prachum/tests/cluster/ and of faults).

    Cluster(root, port=8000, nodes=2, database_url=..., redis_url=...).start() ... .stop()

Every process runs in its own process group, started with one environment (`environment()`), and writes its
log to <root>/logs/<name>.log; nginx runs in the foreground with its pid file, temporary files and config in
<root>/nginx/. `stop()` sends SIGTERM to each process, waits, then SIGKILLs what is left of its group.

The nginx configuration comes from `render_nginx()`, which also writes the production file
deploy/nginx/prachum.conf (`production_nginx()`; a test fails when the two differ).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

NGINX = "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
PROCESS_NAMES_AFTER_NODES = ("worker", "beat", "nginx")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/prachum_cluster"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
# The largest upload the app accepts is a meeting document (reports/files.py, 25 MB); a registration form may
# carry a few 5 MB files. Bigger bodies are refused by nginx before they tie up an app server.
CLIENT_MAX_BODY_SIZE = "30m"
# The friendly page nginx shows when no app node answers: collected with the static files (core/static/).
UNAVAILABLE_PAGE = "prachum/unavailable.html"


class ClusterError(Exception):
    """Why the cluster cannot start, in one line for the operator."""


# ---------------------------------------------------------------------------------------------- nginx

# What both proxied locations of render_nginx say (nginx would need a second file to `include` it).
PROXY_SETTINGS = """\
        proxy_set_header Host $host;
        # The client's address, set here whatever the client sent: the app's rate limits and login lockouts
        # count per client (PRACHUM_CLIENT_IP_HEADER=X-Real-IP), not per proxy.
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Request-ID $request_id;
        # Buffering both ways: nginx reads a slow phone's whole request before passing it on, and takes the
        # whole answer at once, so that no gunicorn thread waits on a mobile network.
        proxy_request_buffering on;
        proxy_buffering on;
        proxy_buffer_size 16k;
        proxy_buffers 64 16k;
        proxy_busy_buffers_size 64k;
        proxy_connect_timeout 3s;
        # Counted from the hand-over, so it includes the wait in the node's listen queue: at a registration
        # opening a thousand forms arrive within seconds and the last waits its turn (tens of seconds on two
        # 2-core nodes). Giving up earlier would show an error for a registration that is then made anyway.
        proxy_read_timeout 120s;
        proxy_send_timeout 60s;
        # A node that refuses the connection, times out, or answers 502 (restarting) is skipped for the next
        # one — but only for requests nothing was sent for yet, or idempotent ones: nginx never passes a POST
        # that reached a node to another one (no `non_idempotent`), because the first node may have registered
        # the person already; the participant sees the error page and sends the form again, which the form's
        # token makes safe. Not 503: the app answers it when the database is away, on every node alike, and
        # its page says "try again" in the person's language; counted as failures (max_fails), the 503s would
        # make nginx refuse every node for fail_timeout with its own page, after the database is back too.
        proxy_next_upstream error timeout http_502;
        proxy_next_upstream_tries 3;
        proxy_next_upstream_timeout 10s;"""



def render_nginx(*, upstreams: list[str], static_root: str, listen: list[str], server_name: str = "_",
                 tls: tuple[str, str] | None = None, access_log: str = "/var/log/nginx/prachum.access.log",
                 acme_root: str | None = None, header: str = "") -> str:
    """The http-level nginx configuration of Prachum: the app nodes, the public server, the static files.

    `upstreams`: host:port of each gunicorn node. `listen`: nginx `listen` values of the public server.
    `tls`: (certificate, key) files; then `listen` is the HTTPS server's and a port-80 server redirects to it
    (serving `acme_root` for certbot's HTTP challenge). Production's file and the cluster's both come from here.
    """
    servers = "\n".join(f"    server {upstream} max_fails=3 fail_timeout=10s;" for upstream in upstreams)
    static = static_root.rstrip("/") + "/"
    listens = "\n".join(f"    listen {value};" for value in listen)
    parts = [header + "\n"] if header else []
    parts.append(f"""\
# The app nodes: identical gunicorn servers (prachum-web@<port>.service). least_conn sends a request to the
# node with the fewest in flight: gunicorn gives each process only threads + 2 connections
# (gunicorn_config.py), so a node that is busy should get fewer, not an equal share. A node that fails 3 times
# within 10 s is left out for 10 s; nginx then tries it again.
#
# No `keepalive` here, on purpose: idle connections kept open to gunicorn would hold its few connection slots
# per process (gunicorn_config.py's docstring) and queue real requests behind them, and gunicorn closes an idle
# connection after 2 s, racing nginx's reuse. A new connection per request on the local network costs a
# fraction of a millisecond.
upstream prachum_app {{
    least_conn;
{servers}
}}

# Private links (/r/<token>/, /join/<token>/, /set-password/<uid>/<token>/) and query strings
# (?invitation=<token>) never reach the access log; $uri is decoded, so /%72/ is /r/ here.
map $uri $prachum_logged_uri {{
    "~^(?<prachum_kept>.*?/(?:r|join|set-password)/)" "${{prachum_kept}}[hidden]";
    default $uri;
}}
log_format prachum '$remote_addr [$time_local] "$request_method $prachum_logged_uri $server_protocol" '
                   '$status $body_bytes_sent $request_time $upstream_addr $upstream_status $request_id';

# Static files: names with a content hash (app.0123456789ab.css) never change, so browsers keep them a year;
# plain names (collectstatic keeps them too) for an hour.
map $uri $prachum_static_cache {{
    "~\\.[0-9a-f]{{12}}\\.[A-Za-z0-9]+$" "public, max-age=31536000, immutable";
    default "public, max-age=3600";
}}
""")
    if tls:
        acme = (f"""\
    location /.well-known/acme-challenge/ {{
        root {acme_root};
    }}
""" if acme_root else "")
        parts.append(f"""\
server {{
    listen 80;
    listen [::]:80;
    server_name {server_name};
    server_tokens off;
{acme}    location / {{
        return 301 https://$host$request_uri;
    }}
}}
""")
    tls_lines = (f"""\
    ssl_certificate {tls[0]};
    ssl_certificate_key {tls[1]};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:prachum_tls:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;
""" if tls else "")
    parts.append(f"""\
server {{
{listens}
    server_name {server_name};
    server_tokens off;
{tls_lines}    access_log {access_log} prachum;

    # Uploads: see CLIENT_MAX_BODY_SIZE in prachum/core/cluster.py.
    client_max_body_size {CLIENT_MAX_BODY_SIZE};
    client_body_buffer_size 256k;
    client_body_timeout 60s;
    send_timeout 60s;
    # Browsers and check-in devices keep their connection between requests; nginx holds an idle one for a few
    # bytes, unlike a gunicorn thread.
    keepalive_timeout 30s;
    keepalive_requests 1000;

    # Text is compressed (static files are already, by collectstatic: gzip_static sends those .gz files).
    # Pages carry CSRF tokens, which Django masks anew for each response, so compression reveals nothing (BREACH).
    gzip on;
    gzip_vary on;
    gzip_proxied any;
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_types text/css text/plain text/calendar text/csv application/javascript application/json
               application/manifest+json image/svg+xml application/xml;

    location /static/ {{
        alias {static};
        gzip_static on;
        add_header Cache-Control $prachum_static_cache;
        add_header X-Content-Type-Options nosniff;
    }}

    # Shown by nginx itself, with its status (502 or 504), when no app node answers. The app's own 503 pages
    # ("try again in a minute") pass through unchanged: proxy_intercept_errors stays off.
    error_page 502 504 /prachum-unavailable.html;
    location = /prachum-unavailable.html {{
        internal;
        alias {static}{UNAVAILABLE_PAGE};
        add_header Cache-Control "no-store";
    }}

    # Prometheus' figures: from this machine only (the app sees every request as coming from nginx, so it
    # cannot tell). A monitoring server elsewhere scrapes each node's own port, or is allowed here.
    location = /metrics {{
        allow 127.0.0.1;
        allow ::1;
        deny all;
        proxy_pass http://prachum_app;
{PROXY_SETTINGS}
    }}

    location / {{
        proxy_pass http://prachum_app;
{PROXY_SETTINGS}
    }}
}}
""")
    return "\n".join(parts)


# The documented production values (deploy/nginx/prachum.conf, docs/operations.md).
PRODUCTION = {
    "upstreams": ["127.0.0.1:8001", "127.0.0.1:8002"],
    "static_root": "/var/www/prachum/static",
    "listen": ["443 ssl http2", "[::]:443 ssl http2"],
    "server_name": "meetings.example.gov.la",
    "tls": ("/etc/letsencrypt/live/meetings.example.gov.la/fullchain.pem",
            "/etc/letsencrypt/live/meetings.example.gov.la/privkey.pem"),
    "acme_root": "/var/www/letsencrypt",
}
PRODUCTION_HEADER = """\
# Prachum behind nginx, for /etc/nginx/sites-available/prachum.conf (docs/operations.md).
# Generated by prachum.core.cluster.production_nginx(), the same function `make cluster` uses; a test fails
# when this file and the function differ. Change the function, then write this file again with
#   .venv/bin/python -c "from prachum.core.cluster import production_nginx; print(production_nginx(), end='')" \\
#       > deploy/nginx/prachum.conf
# On a server, change the host name, the certificate's files and the nodes' ports below to yours."""


def production_nginx() -> str:
    return render_nginx(**PRODUCTION, header=PRODUCTION_HEADER)


# deploy/compose.yaml's nginx container: the two web containers by name, the certificate from deploy/certs/.
COMPOSE = {
    "upstreams": ["web1:8000", "web2:8000"],
    "static_root": "/var/www/prachum/static",
    "listen": ["443 ssl http2", "[::]:443 ssl http2"],
    "server_name": "_",
    "tls": ("/etc/nginx/certs/fullchain.pem", "/etc/nginx/certs/privkey.pem"),
    "access_log": "/var/log/nginx/access.log",
}
COMPOSE_HEADER = """\
# Prachum behind nginx in deploy/compose.yaml (mounted as /etc/nginx/conf.d/default.conf).
# Generated by prachum.core.cluster.compose_nginx(), like deploy/nginx/prachum.conf; a test fails when they differ:
#   .venv/bin/python -c "from prachum.core.cluster import compose_nginx; print(compose_nginx(), end='')" \\
#       > deploy/nginx/compose.conf"""


def compose_nginx() -> str:
    return render_nginx(**COMPOSE, header=COMPOSE_HEADER)


def cluster_nginx(*, prefix: Path, listen: str, upstreams: list[str], static_root: Path) -> str:
    """A whole nginx.conf for `nginx -p prefix -c nginx.conf`: everything under the cluster's folder."""
    # As root, nginx's workers would run as `nobody`, who may not enter the private (0700) data folder that
    # holds the cluster's static files and temporary files: here, not in production, they stay root.
    user = "user root;\n" if os.geteuid() == 0 else ""
    mime = f"include {MIME_TYPES};" if MIME_TYPES.exists() else \
        "types { text/html html; text/css css; application/javascript js; image/svg+xml svg; font/ttf ttf; }"
    temp = "\n".join(f"    {kind}_temp_path {prefix}/temp/{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    site = render_nginx(upstreams=upstreams, static_root=str(static_root), listen=[listen],
                        access_log=str(prefix.parent / "logs" / "nginx-access.log"))
    body = "\n".join("    " + line if line else "" for line in site.splitlines())
    return f"""\
# Generated by prachum.core.cluster for `prachum cluster`; written again at each start.
{user}worker_processes 2;
pid {prefix}/nginx.pid;
error_log stderr warn;
worker_rlimit_nofile 16384;
events {{
    worker_connections 8192;
}}
http {{
    {mime}
    default_type application/octet-stream;
    sendfile on;
{temp}

{body}
}}
"""


# ---------------------------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Process:
    name: str
    command: list[str]
    log: Path
    popen: subprocess.Popen | None = None
    port: int | None = None  # an app node's port

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class Cluster:
    root: Path
    port: int = 8000
    nodes: int = 2
    workers: int | None = None  # gunicorn processes per node (default: gunicorn_config's)
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    email_url: str | None = None
    host: str = "127.0.0.1"
    demo: bool = True  # load the demo meetings (else only migrate and collectstatic)
    # False (tests, with demo=False): collectstatic --no-post-process copies the files under their plain names,
    # which the pages then name, without the hashed and compressed copies that take a minute to make.
    hash_static: bool = True
    demo_password: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict, init=False)

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.logs = self.root / "logs"
        self.nginx_prefix = self.root / "nginx"
        self.static_root = Path(self.extra_env.get("PRACHUM_STATIC_ROOT") or self.root / "static")
        if self.demo_password is None:
            self.demo_password = os.environ.get("PRACHUM_DEMO_PASSWORD") or secrets.token_urlsafe(12)

    # ------------------------------------------------------------------ what the processes are

    @property
    def address(self) -> str:
        shown = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::", "::1") else self.host
        return f"http://{shown}:{self.port}/"

    @property
    def node_names(self) -> list[str]:
        return [f"node{number}" for number in range(1, self.nodes + 1)]

    def environment(self, name: str | None = None) -> dict[str, str]:
        """What every process of the cluster gets (`name` is the process's, for its own entries)."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("PRACHUM_") and key != "DJANGO_SETTINGS_MODULE"}
        # The operator's own choices carry over (a password, a log level, the second login step).
        for key in ("PRACHUM_DEMO_PASSWORD", "PRACHUM_LOG_LEVEL", "PRACHUM_LOG_FORMAT", "PRACHUM_REQUIRE_2FA",
                    "PRACHUM_EMAIL_FROM", "PRACHUM_SECRET_KEY", "PRACHUM_ENCRYPTION_KEY"):
            if key in os.environ:
                env[key] = os.environ[key]
        env.update(
            PRACHUM_DATA_DIR=str(self.root),
            PRACHUM_STATIC_ROOT=str(self.static_root),
            PRACHUM_DATABASE_URL=self.database_url,
            PRACHUM_REDIS_URL=self.redis_url,
            PRACHUM_BASE_URL=self.address.rstrip("/"),
            PRACHUM_CLIENT_IP_HEADER="X-Real-IP",
            PYTHONUNBUFFERED="1",
        )
        if self.email_url:
            env["PRACHUM_EMAIL_URL"] = self.email_url
        if name in self.node_names:
            # Each node's Prometheus files apart: gunicorn_config empties the folder when its node starts.
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.root / "metrics" / name)
        env.update(self.extra_env)
        return env

    def _command(self, name: str, port: int | None = None) -> list[str]:
        python = sys.executable
        if name.startswith("node"):
            command = [python, "-m", "gunicorn", "-c", "python:prachum.gunicorn_config",
                       "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--error-logfile", "-",
                       "--graceful-timeout", "10",
                       # gunicorn's control socket has one default path per user: two nodes would share it.
                       "--no-control-socket"]
            if self.workers:
                command += ["--workers", str(self.workers)]
            return [*command, "prachum.wsgi:application"]
        if name == "worker":
            concurrency = ["--concurrency", str(self.workers)] if self.workers else []
            # Without gossip, mingle and heartbeat: the workers need not know each other (the database rows
            # are the work's record, jobs/engine.py), and Celery's gossip step kills the worker when Redis goes
            # away ("Unrecoverable error: AttributeError ... 'hostname'", kombu #582).
            return [python, "-m", "celery", "-A", "prachum", "worker", "--loglevel", "INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "--hostname", f"worker-{self.port}@%h", *concurrency]
        if name == "beat":
            return [python, "-m", "celery", "-A", "prachum", "beat", "--loglevel", "INFO",
                    "--schedule", str(self.root / "celerybeat-schedule")]
        if name == "nginx":
            return [NGINX, "-p", str(self.nginx_prefix), "-c", str(self.nginx_prefix / "nginx.conf"),
                    "-e", "stderr", "-g", "daemon off;"]
        raise KeyError(name)

    # ------------------------------------------------------------------ start and stop

    def check(self) -> None:
        """Refuses, in one line each, what would make the start fail half-way."""
        if not os.access(NGINX, os.X_OK):
            raise ClusterError(f"nginx is missing ({NGINX}): sudo apt-get install nginx")
        if urlsplit(self.database_url).scheme not in ("postgres", "postgresql", "pgsql"):
            raise ClusterError("the cluster runs on PostgreSQL: --database-url postgres://user@host:5432/name")
        if urlsplit(self.redis_url).scheme not in ("redis", "rediss"):
            raise ClusterError("--redis-url must look like redis://host:6379/5")
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, self.port))
            except OSError as exc:
                raise ClusterError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}; "
                                   f"try --port {self.port + 1}") from None
        self._check_redis()

    def _check_redis(self) -> None:
        import redis

        try:
            redis.Redis.from_url(self.redis_url, socket_connect_timeout=3).ping()
        except Exception as exc:  # any reason: say it in one line
            raise ClusterError(f"Redis at {self.redis_url} does not answer: {exc}") from None

    def create_database(self) -> None:
        """The database of --database-url, created on its server when missing."""
        import psycopg

        parts = urlsplit(self.database_url)
        name = parts.path.lstrip("/")
        if not name:
            raise ClusterError("--database-url names no database: postgres://user@host:5432/name")
        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            text = str(exc).strip().splitlines()
            raise ClusterError(f"PostgreSQL at {parts.hostname}:{parts.port or 5432}: "
                               f"{text[0] if text else type(exc).__name__}") from None

    def prachum(self, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        """Runs `prachum <args>` with the cluster's environment (and `env`), output captured; raises on failure."""
        result = subprocess.run([sys.executable, "-m", "prachum", *args], env={**self.environment("prachum"), **(env or {})},
                                cwd=self.root, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
            raise ClusterError(f"prachum {' '.join(args)} failed:\n{tail}")
        return result

    def prepare(self) -> None:
        """migrate, collectstatic, and the demo meetings and organizer (`prachum demo --no-serve` does all three)."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.create_database()
        if self.demo:
            self.prachum("demo", "--no-serve", env={"PRACHUM_DEMO_PASSWORD": self.demo_password})
        else:
            self.prachum("migrate", "--no-input")
            self.prachum("collectstatic", "--no-input", *([] if self.hash_static else ["--no-post-process"]))

    def start(self, *, prepare: bool = True) -> "Cluster":
        """Checks, prepares the data (unless prepare=False), starts every process and waits until each node
        answers. On any failure, stops what it started and raises ClusterError."""
        self.check()
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            if prepare:
                self.prepare()
            for name in self.node_names:
                self.processes[name] = Process(name, [], self.logs / f"{name}.log", port=free_port())
            for name in PROCESS_NAMES_AFTER_NODES:
                self.processes[name] = Process(name, [], self.logs / f"{name}.log")
            self._write_nginx_config()
            for name in self.processes:
                self.start_process(name)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_nginx_config(self) -> None:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_prefix / "temp" / kind).mkdir(parents=True, exist_ok=True)
        upstreams = [f"127.0.0.1:{self.processes[name].port}" for name in self.node_names]
        listen = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        (self.nginx_prefix / "nginx.conf").write_text(
            cluster_nginx(prefix=self.nginx_prefix, listen=listen, upstreams=upstreams, static_root=self.static_root))
        result = subprocess.run([NGINX, "-t", "-q", "-p", str(self.nginx_prefix), "-c",
                                 str(self.nginx_prefix / "nginx.conf"), "-e", "stderr"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise ClusterError(f"nginx refuses its configuration: {result.stderr.strip()}")

    def start_process(self, name: str) -> Process:
        """Starts (or starts again, after `kill`) one process, in its own process group, appending to its log."""
        process = self.processes[name]
        if process.running:
            raise ClusterError(f"{name} is running already (pid {process.pid})")
        process.command = self._command(name, process.port)
        with open(process.log, "ab") as log:
            log.write(f"===== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(process.command)}\n".encode())
            log.flush()
            process.popen = subprocess.Popen(process.command, env=self.environment(name), cwd=self.root,
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` to the whole process group of `name` (a node's master and its workers alike), as a crash
        would; with SIGKILL, waits until the group is gone."""
        process = self.processes[name]
        if process.popen is None:
            return
        try:
            os.killpg(process.popen.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            process.popen.wait()
            self._wait_group_gone(process.popen.pid, 10)

    @staticmethod
    def _wait_group_gone(pgid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while _group_alive(pgid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def wait_ready(self, timeout: float = 120) -> None:
        """Until each running node answers on its own port, and nginx on the public one."""
        deadline = time.monotonic() + timeout
        pending = [name for name in self.node_names if self.processes[name].running] + ["nginx"]
        while pending:
            name = pending[0]
            process = self.processes[name]
            if not process.running:
                raise ClusterError(f"{name} ended (status {process.popen.returncode if process.popen else '-'}); "
                                   f"see {process.log}\n{self.log_tail(name)}")
            url = f"http://127.0.0.1:{process.port}/en/" if process.port else self.address.replace(
                "localhost", "[::1]" if ":" in self.host else "127.0.0.1") + "en/"
            if _answers(url, timeout=5) is not None:
                pending.pop(0)
                continue
            if time.monotonic() > deadline:
                raise ClusterError(f"{name} did not answer within {timeout:.0f} s; see {process.log}")
            time.sleep(0.2)

    def log_tail(self, name: str, lines: int = 15) -> str:
        log = self.processes[name].log
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 20) -> None:
        """SIGTERM to every process (nginx first, so that it stops taking requests), a wait of up to `grace`
        seconds, then SIGKILL to whatever is left of each process group; removes nginx's pid file."""
        order = ["nginx", *self.node_names, "beat", "worker"]
        running = [self.processes[name] for name in order if name in self.processes and self.processes[name].popen]
        for process in running:
            if process.running:
                try:
                    process.popen.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # What is left of the group (a gunicorn worker, a Celery pool process) after the leader ended or
            # did not end in time.
            if not self._wait_group_gone(process.popen.pid, max(0.5, min(5, deadline - time.monotonic()))):
                try:
                    os.killpg(process.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if process.popen.poll() is None:
                process.popen.wait()
            self._wait_group_gone(process.popen.pid, 10)
        (self.nginx_prefix / "nginx.pid").unlink(missing_ok=True)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
