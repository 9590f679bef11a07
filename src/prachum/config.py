"""Reading Prachum's settings from PRACHUM_* environment variables.

Every value is checked here, so that a wrong variable stops start-up with one
line that names it (ConfigError), rather than a traceback deep inside Django.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ

KNOWN_VARIABLES = {
    "PRACHUM_DATABASE_URL": "database: sqlite:///path or postgres://user@host:port/name",
    "PRACHUM_DATA_DIR": "folder for the SQLite file, uploads and the generated secret key",
    "PRACHUM_REDIS_URL": "redis://host:port/db for cache, sessions and Celery",
    "PRACHUM_EMAIL_URL": "smtp://user:password@host:port (smtp+tls:// or smtps:// for TLS)",
    "PRACHUM_EMAIL_FROM": "sender address of emails",
    "PRACHUM_SECRET_KEY": "Django secret key",
    "PRACHUM_ENCRYPTION_KEY": "key that encrypts sensitive answers at rest",
    "PRACHUM_BASE_URL": "public address, e.g. https://meetings.example.gov.la",
    "PRACHUM_ALLOWED_HOSTS": "comma-separated host names",
    "PRACHUM_DEBUG": "true or false",
    "PRACHUM_DEMO_PASSWORD": "password of the demo organizer account",
    "PRACHUM_TEST_DATABASE_URL": "database the test suite uses",
    "PRACHUM_HOSTILE_EXAMPLES": "tests: hypothesis examples per hostile-input test (25)",
    "PRACHUM_LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
    "PRACHUM_LEASE_SECONDS": "how long a background worker's claim on a job or email holds without news (300)",
    "PRACHUM_JOB_RESULT_DAYS": "days a background job's result file (an export, badges) is kept for download (7)",
    "PRACHUM_HSTS_INCLUDE_SUBDOMAINS": "true: HSTS covers every subdomain of the site's domain too (false)",
    "PRACHUM_HSTS_PRELOAD": "true: HSTS asks browsers to preload the domain as HTTPS-only; implies subdomains (false)",
    "PRACHUM_REQUIRE_2FA": "who must log in with a second factor: organizers (default), administrators or off",
    "PRACHUM_SESSION_IDLE_SECONDS": "log out a session after this many seconds without a request (7200)",
    "PRACHUM_STATIC_ROOT": "folder collectstatic writes the public static files to, for a web server to serve",
    "PRACHUM_CLIENT_IP_HEADER": "header in which the proxy in front passes the client's address, e.g. X-Real-IP",
    "PRACHUM_LOG_FORMAT": "plain (default) or json: one JSON object per log line, with the request id",
    "PRACHUM_METRICS_ALLOWED_IPS": "comma-separated addresses or networks (CIDR) allowed to read /metrics",
    "PRACHUM_METRICS_TOKEN": "bearer token that opens /metrics from anywhere (unset: none)",
}

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A PRACHUM_* variable is missing or malformed; the message names it."""


def check_unknown_variables(environ_: dict[str, str] | None = None) -> None:
    environ_ = os.environ if environ_ is None else environ_
    for name in sorted(environ_):
        if name.startswith("PRACHUM_") and name not in KNOWN_VARIABLES:
            raise ConfigError(f"{name} is not a Prachum setting (known: {', '.join(sorted(KNOWN_VARIABLES))})")


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def get_data_dir() -> Path:
    path = Path(os.environ.get("PRACHUM_DATA_DIR", "./var")).expanduser().resolve()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # the database, uploads and keys: private
    except OSError as exc:
        raise ConfigError(f"PRACHUM_DATA_DIR: cannot create {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK):
        raise ConfigError(f"PRACHUM_DATA_DIR: {path} is not writable")
    return path


def _stored_secret(data_dir: Path, filename: str, make) -> str:
    """A secret generated once into the data folder, so restarts keep sessions and tokens valid."""
    path = data_dir / filename
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if not value:
            raise ConfigError(f"{path} is empty; delete it to generate a new one") from None
        return value
    with os.fdopen(fd, "w") as fh:
        fh.write(make())
    return path.read_text().strip()


def get_secret_key(data_dir: Path) -> str:
    value = os.environ.get("PRACHUM_SECRET_KEY")
    if value is not None:
        if len(value) < 50:
            raise ConfigError("PRACHUM_SECRET_KEY must be at least 50 characters long")
        return value
    return _stored_secret(data_dir, "secret_key", lambda: secrets.token_urlsafe(64))


def get_encryption_key(data_dir: Path) -> str:
    from cryptography.fernet import Fernet

    value = os.environ.get("PRACHUM_ENCRYPTION_KEY")
    if value is None:
        value = _stored_secret(data_dir, "encryption_key", lambda: Fernet.generate_key().decode())
    try:
        Fernet(value.encode())
    except ValueError as exc:
        raise ConfigError("PRACHUM_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)") from exc
    return value


def _make_private(path: Path) -> None:
    """The SQLite file holds every person's data: readable by the server's account only (0600). SQLite
    gives its -wal and -shm files the mode of the database file. Created here when it does not exist
    yet (else SQLite would create it with the umask's 0644)."""
    try:
        if path.parent.is_dir():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
                path.chmod(0o600)
    except OSError:
        pass  # Django says it clearly when it opens the database


def get_database(data_dir: Path) -> dict:
    url = os.environ.get("PRACHUM_DATABASE_URL") or f"sqlite:///{data_dir / 'prachum.sqlite3'}"
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(f"PRACHUM_DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)")
    try:
        db = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several kinds for a malformed URL
        raise ConfigError(f"PRACHUM_DATABASE_URL: cannot read {url!r}: {exc}") from exc
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if not db["NAME"] or db["NAME"] == ":memory:":
            raise ConfigError("PRACHUM_DATABASE_URL: an SQLite URL needs a file path, e.g. sqlite:////srv/prachum.sqlite3")
        _make_private(Path(db["NAME"]))
        db["OPTIONS"] = {
            # Writers queue on the lock at BEGIN instead of failing half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        # One connection per worker for its life: opening SQLite costs as much as serving a cached page.
        db["CONN_MAX_AGE"] = None
        db["CONN_HEALTH_CHECKS"] = True
        # Tests use a file too (not Django's in-memory default), so they see WAL and locking as production does.
        db["TEST"] = {"NAME": str(Path(db["NAME"]).with_name("test_" + Path(db["NAME"]).name))}
    else:
        db["ENGINE"] = "django.db.backends.postgresql"
        db["CONN_MAX_AGE"] = 600
        db["CONN_HEALTH_CHECKS"] = True
        db.setdefault("OPTIONS", {})
        # libpq waits for a server that does not answer (a dropped packet, a hung host) as long as TCP does, two
        # minutes and more, with the request and its person waiting too; `?connect_timeout=` in the URL overrides.
        db["OPTIONS"].setdefault("connect_timeout", 5)
    return db


def get_static_root(data_dir: Path) -> Path:
    """Public files (CSS, scripts, fonts): the data folder is private (0700), so a web server in front that
    serves them from disk needs them elsewhere, e.g. /var/www/prachum/static."""
    raw = os.environ.get("PRACHUM_STATIC_ROOT", "")
    path = Path(raw).expanduser().resolve() if raw.strip() else data_dir / "static"
    try:
        path.mkdir(mode=0o755, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"PRACHUM_STATIC_ROOT: cannot create {path}: {exc.strerror}") from exc
    return path


def get_client_ip_meta_key() -> str | None:
    """The request.META key of PRACHUM_CLIENT_IP_HEADER (X-Real-IP → HTTP_X_REAL_IP), or None: no proxy in front,
    the client is the connection's address."""
    raw = os.environ.get("PRACHUM_CLIENT_IP_HEADER", "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", raw):
        raise ConfigError(f"PRACHUM_CLIENT_IP_HEADER must be a header name like X-Real-IP, not {raw!r}")
    return "HTTP_" + raw.upper().replace("-", "_")


def get_base_url() -> str:
    url = os.environ.get("PRACHUM_BASE_URL", "http://localhost:8000").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"PRACHUM_BASE_URL must be an http(s) address like https://meetings.example.org, not {url!r}")
    return url


def get_allowed_hosts(base_url: str) -> list[str]:
    raw = os.environ.get("PRACHUM_ALLOWED_HOSTS")
    if raw is None:
        return sorted({urlsplit(base_url).hostname, "localhost", "127.0.0.1"})
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    if not hosts:
        raise ConfigError("PRACHUM_ALLOWED_HOSTS is set but empty")
    return hosts


def get_redis_url() -> str | None:
    url = os.environ.get("PRACHUM_REDIS_URL")
    if url is None or url == "":
        return None
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(f"PRACHUM_REDIS_URL must start with redis://, rediss:// or unix://, not {url!r}")
    return url


def get_email() -> dict:
    """Django EMAIL_* settings; without PRACHUM_EMAIL_URL messages stay in the outbox."""
    url = os.environ.get("PRACHUM_EMAIL_URL")
    sender = os.environ.get("PRACHUM_EMAIL_FROM", "Prachum <noreply@localhost>")
    if not url:
        return {"PRACHUM_EMAIL_ENABLED": False, "DEFAULT_FROM_EMAIL": sender}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"} or not parts.hostname:
        raise ConfigError(f"PRACHUM_EMAIL_URL must look like smtp://user:password@host:port, not {url!r}")
    try:
        port = parts.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[parts.scheme]
    except ValueError as exc:
        raise ConfigError(f"PRACHUM_EMAIL_URL: bad port in {url!r}") from exc
    from urllib.parse import unquote

    return {
        "PRACHUM_EMAIL_ENABLED": True,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_TIMEOUT": 20,
        "DEFAULT_FROM_EMAIL": sender,
    }


def get_log_level() -> str:
    level = os.environ.get("PRACHUM_LOG_LEVEL", "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"PRACHUM_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    return level


def get_job_result_days() -> int:
    value = os.environ.get("PRACHUM_JOB_RESULT_DAYS", "7").strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 365:
        raise ConfigError(f"PRACHUM_JOB_RESULT_DAYS must be a number of days from 1 to 365, not {value!r}")
    return int(value)


def get_lease_seconds() -> int:
    value = os.environ.get("PRACHUM_LEASE_SECONDS", "300").strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 86400:
        raise ConfigError(f"PRACHUM_LEASE_SECONDS must be a number of seconds from 1 to 86400, not {value!r}")
    return int(value)


TWO_FACTOR_POLICIES = ("organizers", "administrators", "off")


def get_two_factor_policy() -> str:
    value = os.environ.get("PRACHUM_REQUIRE_2FA", "organizers").strip().lower()
    if value not in TWO_FACTOR_POLICIES:
        raise ConfigError(f"PRACHUM_REQUIRE_2FA must be one of {', '.join(TWO_FACTOR_POLICIES)}, not {value!r}")
    return value


def get_session_idle_seconds() -> int:
    value = os.environ.get("PRACHUM_SESSION_IDLE_SECONDS", "7200").strip()
    if not (value.isascii() and value.isdigit()) or not 60 <= int(value) <= 7 * 86400:
        raise ConfigError(f"PRACHUM_SESSION_IDLE_SECONDS must be a number of seconds from 60 to 604800, not {value!r}")
    return int(value)


LOG_FORMATS = ("plain", "json")


def get_log_format() -> str:
    value = os.environ.get("PRACHUM_LOG_FORMAT", "plain").strip().lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"PRACHUM_LOG_FORMAT must be plain or json, not {value!r}")
    return value


def get_metrics_allowed_ips() -> list[str]:
    import ipaddress

    raw = os.environ.get("PRACHUM_METRICS_ALLOWED_IPS", "")
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"PRACHUM_METRICS_ALLOWED_IPS: {entry!r} is not an address or a network like 10.0.0.0/8"
                              ) from None
    return entries


def get_metrics_token() -> str | None:
    value = os.environ.get("PRACHUM_METRICS_TOKEN", "")
    if not value:
        return None
    if len(value) < 20 or not value.isascii() or not value.isprintable() or " " in value:
        raise ConfigError("PRACHUM_METRICS_TOKEN must be at least 20 printable ASCII characters without spaces")
    return value
