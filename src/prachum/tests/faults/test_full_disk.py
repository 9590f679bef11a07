"""Embedded mode (SQLite in the data folder) on a real small filesystem (tmpfs) that fills up:
the person registering gets the storage page (503), nothing is half-saved, the database stays sound, and
registering works again once there is room. Commands on a read-only data folder say so in one line.
Mounting needs root, which CI has."""

import os
import sqlite3
import subprocess

import pytest

from prachum.core.collation import compare_lao
from prachum.tests.faults.site import Browser, Site

pytestmark = [pytest.mark.cluster,
              pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")]

STORAGE_PAGE = "The server cannot save right now (its storage is full). Nothing was saved; try again later."


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "disk"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder) -> None:
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


def _count(database) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM registration_registration").fetchone()[0]


def test_a_full_then_read_only_data_folder_gives_the_storage_page_and_no_damage(small_disk, tmp_path):
    site = Site(small_disk / "data", log_dir=tmp_path)
    slug, category = site.prepare()
    database = site.data_dir / "prachum.sqlite3"
    site.start(workers=1)
    try:
        browser = Browser(site.url)
        step, status, body, headers, _seconds = browser.register(slug, category, "full@example.org", "en",
                                                                 before_post=lambda: _fill(small_disk))
        assert (step, status) == ("post", 503), body[:500]
        assert STORAGE_PAGE in body and "Go back to your answers" in body and headers["Retry-After"] == "10"
        assert _count(database) == 0

        (small_disk / "filler").unlink()
        assert browser.register(slug, category, "room@example.org", "en")[:2] == ("post", 303)
        assert _count(database) == 1

    finally:
        site.stop()
    with sqlite3.connect(database) as db:
        db.create_collation("lo", compare_lao)  # the site's indexes are ordered by it (core/collation.py)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _count(database) == 1
    log = site.log_text()
    assert "Traceback" not in log, log[-3000:]
    assert f"data folder {site.data_dir}" in log


def test_commands_on_a_read_only_data_folder_say_so_in_one_line(tmp_path):
    folder, read_only = tmp_path / "data", tmp_path / "read-only"
    folder.mkdir()
    read_only.mkdir()
    subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(read_only)], check=True)
    try:
        site = Site(read_only, log_dir=tmp_path)
        for command in (("migrate", "--no-input"), ("worker", "--poll", "0.1")):
            done = site.prachum(*command, check=False, timeout=60)
            said = done.stdout + done.stderr
            assert done.returncode != 0 and "Traceback" not in said, said
            assert str(read_only) in said and len(said.strip().splitlines()) == 1, said
    finally:
        subprocess.run(["umount", "-l", str(read_only)], check=False)
