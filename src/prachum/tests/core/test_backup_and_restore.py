"""`prachum backup` and `prachum restore` as an operator runs them, in processes of their own: a meeting's
registrations, check-ins, emails and files go into an archive and come back, in a fresh database of the engine
the suite runs on; and every archive or situation a restore must refuse is refused with a sentence."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from prachum.checkin.models import CheckIn
from prachum.checkin.services import check_in
from prachum.core.backup import key_fingerprint
from prachum.notify.models import Message
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import make_question
from prachum.testing.worker import database_url
from prachum.testing.world import World

SERVER = "postgres://postgres@127.0.0.1:5432"


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def environment(*, data_dir: Path, database: str, **more: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACHUM_", "LANG", "LC_"))}
    # An operator whose locale is English (core/console.py); the one test in Lao says so.
    env.update({"PRACHUM_DATA_DIR": str(data_dir), "PRACHUM_DATABASE_URL": database, "LANG": "en_GB.UTF-8", **more})
    return env


def prachum(*args: str, env: dict, **popen) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prachum", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False, **popen)


def source_env(**more) -> dict:
    """The suite's database and data folder, with the suite's key, as the server that is backed up sees them."""
    return environment(data_dir=settings.DATA_DIR, database=database_url(),
                       PRACHUM_ENCRYPTION_KEY=settings.PRACHUM_ENCRYPTION_KEY, **more)


class Targets:
    """Fresh, empty databases: SQLite files in a temporary folder, PostgreSQL databases on the shared server
    (dropped afterwards)."""

    def __init__(self, tmp_path: Path):
        self.tmp_path, self.created = tmp_path, []

    def new(self, kind: str | None = None) -> tuple[Path, str]:
        """A data folder and a database URL of `kind` (default: the engine the suite runs on)."""
        name = f"restore_{uuid.uuid4().hex[:10]}"
        data_dir = self.tmp_path / name
        data_dir.mkdir(mode=0o700)
        if (kind or engine()) == "sqlite":
            return data_dir, f"sqlite:///{data_dir / 'prachum.sqlite3'}"
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return data_dir, f"{SERVER}/{name}"

    def drop(self):
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as db:
            for name in self.created:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def targets(tmp_path):
    made = Targets(tmp_path)
    yield made
    made.drop()


def keep_key(data_dir: Path) -> None:
    """What the operator does before a restore on a new server: puts the key they kept into the data folder."""
    (data_dir / "encryption_key").write_text(settings.PRACHUM_ENCRYPTION_KEY)
    (data_dir / "encryption_key").chmod(0o600)


def build_world():
    world = World()
    passport = make_question(world.meeting, "passport_number", is_sensitive=True, label_lo="ເລກໜັງສືຜ່ານແດນ")
    Answer.objects.create(registration=world.participant_reg, question=passport,
                          question_version=passport.current_version, sensitive_value="P 1234567 ລາວ")
    check_in(meeting=world.meeting, code=world.participant_reg.badge_code, session=world.session,
             client_id=uuid.uuid4())
    return world


READ_BACK = """
import json, os
from prachum.checkin.models import CheckIn
from prachum.notify.models import Message
from prachum.registration.models import Answer, Registration
reg = Registration.objects.get(badge_code=os.environ["BADGE"])
scan = Answer.objects.get(registration=reg, question__key="passport_scan")
print("RESULT " + json.dumps({
    "registrations": Registration.objects.count(), "checkins": CheckIn.objects.count(),
    "messages": Message.objects.count(), "name_lo": reg.name_lo, "given_name": reg.given_name,
    "status": reg.status, "checked_in": CheckIn.objects.filter(registration=reg).count(),
    "passport": Answer.objects.get(registration=reg, question__key="passport_number").sensitive_value,
    "subjects": sorted(Message.objects.values_list("subject", flat=True)),
    "scan": scan.file.path,
}, ensure_ascii=False))
"""


def read_back(env: dict, badge: str) -> dict:
    done = prachum("shell", "--no-imports", "-c", READ_BACK, env={**env, "BADGE": badge})
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_registration_checkin_email_and_file(
        tmp_path, targets):
    world = build_world()
    reg = world.participant_reg
    scan = Answer.objects.get(registration=reg, question__key="passport_scan")
    original = Path(scan.file.path)

    done = prachum("backup", "--output", str(tmp_path), env=source_env())
    assert done.returncode == 0, done.stderr
    archive = next(tmp_path.glob("prachum-*.tar"))
    assert archive.stat().st_mode & 0o777 == 0o600
    assert "NOT in the archive" in done.stdout and key_fingerprint(settings.PRACHUM_ENCRYPTION_KEY) in done.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert not any(name.startswith("keys/") for name in names)
    assert settings.PRACHUM_ENCRYPTION_KEY not in archive.read_bytes().decode("latin-1")
    assert manifest["engine"] == engine() and manifest["keys_included"] is False
    assert manifest["rows"]["registration.Registration"] == Registration.objects.count()
    assert "0001_initial" in manifest["migrations"]["registration"]

    data_dir, database = targets.new()
    keep_key(data_dir)
    restored_env = environment(data_dir=data_dir, database=database)
    done = prachum("restore", str(archive), "--yes", env=restored_env)
    assert done.returncode == 0, done.stderr

    found = read_back(restored_env, reg.badge_code)
    assert found["registrations"] == Registration.objects.count() >= 4
    assert found["checkins"] == CheckIn.objects.count() == 1 and found["checked_in"] == 1
    assert found["messages"] == Message.objects.count() >= 2
    assert found["subjects"] == sorted(Message.objects.values_list("subject", flat=True))
    assert (found["name_lo"], found["given_name"], found["status"]) == ("ສົມສັກ", "Somsak", "approved")
    assert found["passport"] == "P 1234567 ລາວ"  # decrypted with the kept key
    copy = Path(found["scan"])
    assert copy.is_relative_to(data_dir) and copy.read_bytes() == original.read_bytes()
    assert copy.stat().st_mode & 0o777 == original.stat().st_mode & 0o777 == 0o600
    assert copy.parent.stat().st_mode & 0o777 == 0o700

    # A second restore meets the data of the first: refused, unless the operator asks to replace it.
    again = prachum("restore", str(archive), "--yes", env=restored_env)
    assert again.returncode == 1 and "already holds Prachum data" in again.stderr and "Traceback" not in again.stderr
    replaced = prachum("restore", str(archive), "--yes", "--replace", env=restored_env)
    assert replaced.returncode == 0 and "Restored" in replaced.stdout, replaced.stderr


@pytest.mark.django_db(transaction=True)
def test_with_include_keys_the_archive_brings_its_key_to_a_new_server(tmp_path, targets):
    world = build_world()
    out = io.StringIO()
    call_command("backup", include_keys=True, output=str(tmp_path / "with-keys.tar"), language="en", stdout=out)
    assert "The archive holds the encryption key" in out.getvalue()
    data_dir, database = targets.new()  # no key kept: the new server makes its own, which the archive's replaces
    restored_env = environment(data_dir=data_dir, database=database)
    done = prachum("restore", str(tmp_path / "with-keys.tar"), "--yes", env=restored_env)
    assert done.returncode == 0, done.stderr
    assert (data_dir / "encryption_key").read_text() == settings.PRACHUM_ENCRYPTION_KEY
    assert (data_dir / "encryption_key").stat().st_mode & 0o777 == 0o600
    assert read_back(restored_env, world.participant_reg.badge_code)["passport"] == "P 1234567 ລາວ"


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_the_wrong_key_another_engine_and_a_changed_file(tmp_path, targets):
    build_world()
    archive = tmp_path / "b.tar"
    call_command("backup", output=str(archive), language="en", stdout=io.StringIO())

    data_dir, database = targets.new()  # the key was not kept: this server has a key of its own
    done = prachum("restore", str(archive), "--yes", env=environment(data_dir=data_dir, database=database))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "is not the key of this backup" in done.stderr
    assert key_fingerprint(settings.PRACHUM_ENCRYPTION_KEY) in done.stderr

    other = "postgresql" if engine() == "sqlite" else "sqlite"
    data_dir, database = targets.new(other)
    keep_key(data_dir)
    done = prachum("restore", str(archive), "--yes", env=environment(data_dir=data_dir, database=database))
    assert done.returncode == 1 and "same kind of database" in done.stderr and "Traceback" not in done.stderr

    # One byte of an uploaded file changed (same size): the manifest's SHA-256 catches it, nothing is restored.
    changed = tmp_path / "changed.tar"
    content = bytearray(archive.read_bytes())
    at = content.index(b"%PDF-1.4\n%%EOF\n")
    content[at + 1] ^= 0x01
    changed.write_bytes(bytes(content))
    data_dir, database = targets.new()
    keep_key(data_dir)
    done = prachum("restore", str(changed), "--yes", env=environment(data_dir=data_dir, database=database))
    assert done.returncode == 1 and "SHA-256" in done.stderr and "Traceback" not in done.stderr
    assert not any((data_dir / "media").rglob("*.pdf"))


@pytest.mark.django_db(transaction=True)
def test_a_backup_says_what_is_wrong_when_it_cannot_write_or_dump(tmp_path, targets):
    build_world()
    with pytest.raises(CommandError, match="Could not write /sys/prachum.tar"):  # not writable, even for root
        call_command("backup", output="/sys/prachum.tar", language="en", stdout=io.StringIO())

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    full = tmp_path / "full"
    full.mkdir()
    done = prachum("backup", "--output", str(full), env=source_env(), preexec_fn=small_disk)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "too large" in done.stderr or "disk is full" in done.stderr
    assert list(full.iterdir()) == []  # neither a half archive nor the dump it was made from

    # pg_dump missing: a PostgreSQL database (a fresh one when the suite runs on SQLite) and no pg_dump on PATH.
    pg_database = database_url() if engine() == "postgresql" else targets.new("postgresql")[1]
    done = prachum("backup", "--output", str(tmp_path), env={**source_env(), "PRACHUM_DATABASE_URL": pg_database,
                                                            "PATH": str(tmp_path / "empty")})
    assert done.returncode == 1 and "pg_dump is not installed" in done.stderr and "Traceback" not in done.stderr


def hostile_archive(path: Path, name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> None:
    with tarfile.open(path, "w") as tar:
        manifest = json.dumps({"format": 1, "engine": "sqlite", "database": "database.sqlite3", "migrations": {},
                               "encryption_key_fingerprint": "x", "files": []}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo(name)
        info.type, info.linkname, info.size = kind, linkname, 1 if kind == tarfile.REGTYPE else 0
        tar.addfile(info, io.BytesIO(b"x") if kind == tarfile.REGTYPE else None)


@pytest.mark.django_db
@pytest.mark.parametrize("name, kind, linkname", [
    ("../escaped", tarfile.REGTYPE, ""),
    ("media/../../escaped", tarfile.REGTYPE, ""),
    ("/tmp/escaped", tarfile.REGTYPE, ""),
    ("media/link", tarfile.SYMTYPE, "/etc/passwd"),
    ("media/hard", tarfile.LNKTYPE, "manifest.json"),
    ("media/fifo", tarfile.FIFOTYPE, ""),
])
def test_an_archive_with_members_outside_its_folders_or_links_is_refused(tmp_path, name, kind, linkname):
    archive = tmp_path / "hostile.tar"
    hostile_archive(archive, name, kind, linkname)
    with pytest.raises(CommandError, match="not a Prachum backup that can be restored"):
        call_command("restore", str(archive), yes=True, language="en", stdout=io.StringIO())
    assert not (tmp_path.parent / "escaped").exists() and not Path("/tmp/escaped").exists()


@pytest.mark.django_db
def test_a_damaged_or_cut_archive_and_a_database_with_data_are_refused(tmp_path):
    World()
    archive = tmp_path / "b.tar"
    call_command("backup", output=str(archive), language="en", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already holds Prachum data"):
        call_command("restore", str(archive), yes=True, language="en", stdout=io.StringIO())

    content = archive.read_bytes()
    for name, damaged in [("cut.tar", content[: len(content) // 2]), ("empty.tar", b""),
                          ("noise.tar", os.urandom(4096)), ("text.tar", b"manifest.json\n" * 100)]:
        (tmp_path / name).write_bytes(damaged)
        with pytest.raises(CommandError, match="not a Prachum backup"):
            call_command("restore", str(tmp_path / name), yes=True, language="en", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no archive file"):
        call_command("restore", str(tmp_path / "missing.tar"), yes=True, language="en", stdout=io.StringIO())
    with pytest.raises(CommandError, match="never overwrites"):
        call_command("backup", output=str(archive), language="en", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_restore_refuses_while_another_process_has_the_database_open(tmp_path, targets):
    archive = tmp_path / "b.tar"
    call_command("backup", output=str(archive), language="en", stdout=io.StringIO())
    data_dir, database = targets.new()
    keep_key(data_dir)
    if engine() == "sqlite":
        server = sqlite3.connect(data_dir / "prachum.sqlite3")
        server.execute("PRAGMA journal_mode=WAL")
        server.execute("SELECT count(*) FROM sqlite_master").fetchall()  # a server between two requests
    else:
        server = psycopg.connect(database)
    try:
        done = prachum("restore", str(archive), "--yes", env=environment(data_dir=data_dir, database=database))
        in_lao = prachum("restore", str(archive), "--yes",
                         env=environment(data_dir=data_dir, database=database, LANG="lo_LA.UTF-8"))
    finally:
        server.close()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Another process has the database" in done.stderr and "stop the web server" in done.stderr
    # The operator's locale speaks Lao: so does the command.
    assert in_lao.returncode == 1 and "ມີໂປຣເຊສອື່ນກຳລັງເປີດຖານຂໍ້ມູນ" in in_lao.stderr
    assert not (data_dir / "media").exists() or not any((data_dir / "media").iterdir())


def rewritten(archive: Path, to: Path, change) -> Path:
    """The archive with its manifest changed by `change` (the manifest is the one member not hashed)."""
    with tarfile.open(archive) as source, tarfile.open(to, "w") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return to


@pytest.mark.django_db
def test_a_backup_from_a_newer_release_or_of_another_key_is_refused_before_anything_changes(tmp_path):
    World()
    archive = tmp_path / "b.tar"
    call_command("backup", output=str(archive), language="en", stdout=io.StringIO())
    newer = rewritten(archive, tmp_path / "newer.tar",
                      lambda m: m["migrations"]["registration"].append("9999_from_the_future"))
    with pytest.raises(CommandError, match="newer Prachum.*registration.9999_from_the_future"):
        call_command("restore", str(newer), yes=True, replace=True, language="en", stdout=io.StringIO())
    other_key = rewritten(archive, tmp_path / "key.tar",
                          lambda m: m.update(encryption_key_fingerprint="0123456789abcdef"))
    with pytest.raises(CommandError, match="is not the key of this backup"):
        call_command("restore", str(other_key), yes=True, replace=True, language="en", stdout=io.StringIO())


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
@pytest.mark.parametrize("stdin, message", [
    (io.StringIO("yes\n"), "confirm with --yes"),  # no one at a terminal: nothing is asked, nothing done
    (Terminal("no\n"), "Nothing was changed"),
])
def test_without_yes_the_restore_asks_and_a_no_changes_nothing(tmp_path, monkeypatch, stdin, message):
    World()
    before = Registration.objects.count()
    archive = tmp_path / "b.tar"
    call_command("backup", output=str(archive), language="en", stdout=io.StringIO())
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), replace=True, language="en", stdout=out)
    assert ("DELETES the data" in out.getvalue()) is stdin.isatty()
    assert Registration.objects.count() == before
