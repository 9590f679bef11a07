"""Helpers of the probes', metrics' and logs' tests: Prachum in another process, on the test database or another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings

# Asks each path given on the command line with Django's test client and prints what came back, as JSON;
# a path may carry headers after a space: "/en/ X-Request-ID=abc".
ASK = """
import json, os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "prachum.settings"
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = []
for asked in sys.argv[1:]:
    path, *headers = asked.split(" ")
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in (h.split("=", 1) for h in headers)}
    started = time.monotonic()
    response = client.get(path, **extra)
    answers.append({"status": response.status_code, "body": response.content.decode(),
                    "request_id": response.get("X-Request-ID"), "seconds": time.monotonic() - started})
print(json.dumps(answers))
"""


def test_database_url() -> str:
    """The URL of the database the tests run on (pytest-django has switched the settings to it)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db["USER"] or "", safe="")
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def prachum_env(**variables: str) -> dict[str, str]:
    """This process's environment for another Prachum process, with `variables` set (None: removed)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PRACHUM_")}
    env["PRACHUM_DATA_DIR"] = os.environ["PRACHUM_DATA_DIR"]  # the generated keys
    env["PRACHUM_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    env.update({name: value for name, value in variables.items() if value is not None})
    return env


def ask_in_another_process(paths: list[str], **variables: str) -> tuple[list[dict], str]:
    """What Prachum, started afresh with `variables`, answers to `paths`; and what it logged."""
    done = subprocess.run([sys.executable, "-c", ASK, *paths], env=prachum_env(**variables), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr
