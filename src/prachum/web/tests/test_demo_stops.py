"""`prachum demo` serving: stopping it as a process manager does (SIGTERM to its process) or as a person does
(Ctrl-C: SIGINT to the terminal's process group) stops everything it started, gunicorn and the background worker."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from prachum.testing.smtp import free_port


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-data")


def kill_all(demo, pids):
    for pid in [demo.pid, *pids]:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    demo.wait()


def start_demo(data_dir: Path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRACHUM_")}
    env.update(PRACHUM_DATA_DIR=str(data_dir), PRACHUM_DEMO_PASSWORD="a-demo-password-2026")
    demo = subprocess.Popen(
        [sys.executable, "-m", "prachum", "demo", "--port", str(port)], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # migrating, loading and collecting static files on a busy machine
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
        if demo.poll() is not None or time.monotonic() > deadline:
            kill_all(demo, descendants(demo.pid))
            pytest.fail(f"the demo did not serve within 300 s (exit status {demo.returncode})")
    # The worker runs Django's system checks as it starts: one that fails (a setting the demo's plain-http
    # address upsets) ends it a moment after the server answered, and the demo with it.
    time.sleep(5)
    assert demo.poll() is None, f"the demo stopped by itself (exit status {demo.returncode})"
    started = descendants(demo.pid)
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ") for pid in started]
    assert any(b"gunicorn" in c for c in commands) and any(b"prachum worker" in c for c in commands), commands
    return demo, started


@pytest.mark.parametrize("how", ["sigterm-to-the-demo", "ctrl-c-to-the-group"])
def test_stopping_the_demo_stops_everything_it_started(data_dir, how):
    demo, started = start_demo(data_dir)
    if how == "sigterm-to-the-demo":
        demo.send_signal(signal.SIGTERM)
    else:
        os.killpg(demo.pid, signal.SIGINT)
    try:
        status = demo.wait(timeout=60)
    except subprocess.TimeoutExpired:
        kill_all(demo, started)
        raise
    assert status == 0
    # A gunicorn worker finishing its last request may take a few seconds more on a busy machine.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in started):
        time.sleep(0.1)
    left = [pid for pid in started if alive(pid)]
    assert not left, [Path(f"/proc/{pid}/cmdline").read_bytes()[:200] for pid in left if alive(pid)]
