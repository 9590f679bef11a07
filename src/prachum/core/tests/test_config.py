"""Settings come from PRACHUM_* variables; a wrong one stops start-up with one line naming it."""

import os
import socket
import subprocess
import sys
import time

import psycopg
import pytest

from prachum import config


def run_prachum(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
    env["PRACHUM_DATA_DIR"] = str(tmp_path)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "prachum", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("PRACHUM_DEBUG", "maybe", "PRACHUM_DEBUG must be true or false"),
        ("PRACHUM_DATABASE_URL", "mysql://x@y/z", "PRACHUM_DATABASE_URL: unsupported scheme"),
        ("PRACHUM_DATABASE_URL", "sqlite://", "PRACHUM_DATABASE_URL: an SQLite URL needs a file path"),
        ("PRACHUM_BASE_URL", "meetings.example.org", "PRACHUM_BASE_URL must be an http(s) address"),
        ("PRACHUM_REDIS_URL", "localhost:6379", "PRACHUM_REDIS_URL must start with redis://"),
        ("PRACHUM_EMAIL_URL", "mail.example.org", "PRACHUM_EMAIL_URL must look like smtp://"),
        ("PRACHUM_EMAIL_URL", "smtp://mail.example.org:port", "PRACHUM_EMAIL_URL: bad port"),
        ("PRACHUM_SECRET_KEY", "short", "PRACHUM_SECRET_KEY must be at least 50 characters"),
        ("PRACHUM_ENCRYPTION_KEY", "not-a-key", "PRACHUM_ENCRYPTION_KEY must be a Fernet key"),
        ("PRACHUM_ALLOWED_HOSTS", " , ", "PRACHUM_ALLOWED_HOSTS is set but empty"),
        ("PRACHUM_LOG_LEVEL", "LOUD", "PRACHUM_LOG_LEVEL must be"),
        ("PRACHUM_DATABSE_URL", "sqlite:////tmp/x.db", "PRACHUM_DATABSE_URL is not a Prachum setting"),
    ],
)
def test_a_wrong_variable_stops_start_up_with_one_line_naming_it(tmp_path, variable, value, expected):
    result = run_prachum(["check"], {variable: value}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert variable in lines[0]


def test_an_unwritable_data_folder_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_prachum(["check"], {"PRACHUM_DATA_DIR": str(blocker / "sub")}, tmp_path)
    assert result.returncode == 2
    assert "PRACHUM_DATA_DIR" in result.stderr


# The environment of a production install, for the tests that check its settings.
PRODUCTION = {
    "PRACHUM_DEBUG": "false",
    "PRACHUM_SECRET_KEY": "x" * 20 + "production-secret-key-that-is-long-and-random-9f8e7d6c",
    "PRACHUM_BASE_URL": "https://meetings.example.gov.la",
    "PRACHUM_ALLOWED_HOSTS": "meetings.example.gov.la",
    "PRACHUM_EMAIL_URL": "smtp+tls://prachum:secret@mail.example.gov.la:587",
    "PRACHUM_REDIS_URL": "redis://127.0.0.1:6379/3",
}


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = run_prachum(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_secret_key_is_generated_once_into_the_data_folder(tmp_path):
    first = config.get_secret_key(tmp_path)
    second = config.get_secret_key(tmp_path)
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_email_url_gives_smtp_settings(monkeypatch):
    monkeypatch.setenv("PRACHUM_EMAIL_URL", "smtps://user%40ministry:p%3Ass@mail.example.org")
    email = config.get_email()
    assert email["PRACHUM_EMAIL_ENABLED"] is True
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"], email["EMAIL_USE_SSL"]) == ("mail.example.org", 465, True)
    assert (email["EMAIL_HOST_USER"], email["EMAIL_HOST_PASSWORD"]) == ("user@ministry", "p:ss")


def test_without_email_url_mail_stays_in_the_outbox(monkeypatch):
    monkeypatch.delenv("PRACHUM_EMAIL_URL", raising=False)
    assert config.get_email()["PRACHUM_EMAIL_ENABLED"] is False


def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.delenv("PRACHUM_DATABASE_URL", raising=False)
    db = config.get_database(tmp_path)
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_connections_are_persistent_and_health_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACHUM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prachum")
    db = config.get_database(tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_MAX_AGE"] > 0 and db["CONN_HEALTH_CHECKS"] is True


def test_a_postgres_server_that_never_answers_fails_the_connection_in_seconds(tmp_path, monkeypatch):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel does) and never says a word
    port = silent.getsockname()[1]
    monkeypatch.setenv("PRACHUM_DATABASE_URL", f"postgres://postgres@127.0.0.1:{port}/prachum")
    db = config.get_database(tmp_path)
    assert db["OPTIONS"]["connect_timeout"] == 5
    began = time.monotonic()
    with silent, pytest.raises(psycopg.OperationalError, match="timeout"):
        psycopg.connect(host="127.0.0.1", port=port, dbname="prachum", user="postgres", **db["OPTIONS"])
    assert time.monotonic() - began < 30


def test_the_database_urls_connect_timeout_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACHUM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prachum?connect_timeout=2")
    assert int(config.get_database(tmp_path)["OPTIONS"]["connect_timeout"]) == 2


def test_gunicorn_stops_at_once_on_a_wrong_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
    env.update(PRACHUM_DATA_DIR=str(tmp_path), PRACHUM_DEBUG="perhaps")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    result = subprocess.run(
        [gunicorn, "--bind", "127.0.0.1:0", "prachum.wsgi:application"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "prachum: configuration error: PRACHUM_DEBUG must be true or false, not 'perhaps'" in result.stderr


def test_gunicorn_serves_with_the_products_config(tmp_path):
    """`-c python:prachum.gunicorn_config` (the demo's and README's): it loads, and the site answers
    with as many processes as it says."""
    import socket
    import time
    import urllib.request

    from prachum import gunicorn_config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
    env.update(PRACHUM_DATA_DIR=str(tmp_path), PRACHUM_ALLOWED_HOSTS="127.0.0.1")
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "prachum"), "migrate", "-v0"], env=env, check=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", "python:prachum.gunicorn_config", "--bind", f"127.0.0.1:{port}", "prachum.wsgi:application"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)
    assert log.count("Booting worker") == gunicorn_config.workers
    assert gunicorn_config.worker_connections > gunicorn_config.threads  # room for kept-alive connections
