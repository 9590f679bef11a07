"""Metrics under gunicorn with two worker processes (PROMETHEUS_MULTIPROC_DIR): whichever process answers the
scrape, it counts every process's requests, a worker killed and replaced loses none, and the folder a previous
run left is emptied at start. The JSON access log names each request by the id the application sent back."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from prachum.testing.services import wait_for_port
from prachum.testing.smtp import free_port
from prachum.tests.core.observability import prachum_env, test_database_url

pytestmark = pytest.mark.django_db


def _get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode(), response.headers.get("X-Request-ID")


def _home_requests(text: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "prachum_http_requests_total" and sample.labels["route"] == "web:home")


def _worker_pids(folder) -> set[int]:
    return {int(name.rsplit("_", 1)[1].split(".")[0]) for name in os.listdir(folder) if name.startswith("counter_")}


@pytest.fixture
def gunicorn(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left by a previous run, and not a metrics file")
    port = free_port()
    env = prachum_env(PRACHUM_DATABASE_URL=test_database_url(), PRACHUM_LOG_FORMAT="json",
                      PROMETHEUS_MULTIPROC_DIR=str(folder))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "prachum.wsgi:application", "--config", "python:prachum.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
         "--access-logfile", str(tmp_path / "access.log"), "--error-logfile", str(tmp_path / "error.log")],
        env=env, start_new_session=True)
    try:
        wait_for_port(port, timeout=90)
        yield f"http://127.0.0.1:{port}", folder, tmp_path / "access.log", process
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_two_worker_processes_count_into_one_scrape(gunicorn):
    base, folder, access_log, process = gunicorn
    assert not (folder / "counter_999999.db").exists()
    asked, ids = 0, set()
    with ThreadPoolExecutor(8) as pool:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until both processes have served some (the second may boot later)
            answers = list(pool.map(lambda _i: _get(base + "/en/"), range(16)))
            assert {status for status, _body, _rid in answers} == {200}
            asked += len(answers)
            ids |= {rid for _status, _body, rid in answers}
            if len(_worker_pids(folder)) >= 2:
                break
    assert len(_worker_pids(folder)) >= 2, "one process served every request"
    scrapes = [_home_requests(_get(base + "/metrics")[1]) for _ in range(6)]
    assert scrapes == [asked] * 6

    os.kill(min(_worker_pids(folder)), signal.SIGKILL)  # gunicorn starts another and calls child_exit
    time.sleep(1)
    assert _get(base + "/healthz")[:2] == (200, "ok")
    assert _home_requests(_get(base + "/metrics")[1]) == asked
    assert process.poll() is None

    lines = [json.loads(line) for line in access_log.read_text().splitlines()]
    pages = [line for line in lines if line["path"] == "/en/"]
    assert len(pages) == asked and {line["request_id"] for line in pages} == ids and len(ids) == asked
    assert all(line["status"] == 200 and line["method"] == "GET" for line in pages)
    assert not [line for line in lines if line["path"] in ("/metrics", "/healthz")]  # successful probes: no line
