"""Backing up and restoring one installation: its database, its files and a manifest, in one .tar file.

One file rather than a folder: it is copied off the server, checked and kept as one thing, its mode (0600) is
the only mode to get right, and a half-written backup never carries the final name (it is written under a
temporary name and renamed). It is not compressed: PostgreSQL's custom dump is compressed already, and the
files are mostly PDFs and JPEGs.

    manifest.json        Prachum's version, the migrations applied per app, the engine, the time, the key's
                         fingerprint, the rows per model, and every other member's size, mode and SHA-256
    database.pgdump      pg_dump --format=custom (PostgreSQL), or
    database.sqlite3     a copy made with SQLite's online backup API (consistent while the server writes)
    media/…              settings.MEDIA_ROOT (uploads, documents)
    private/…            DATA_DIR/private (job results, photos, imports), kept outside MEDIA_ROOT
    keys/…               encryption_key and secret_key, only when asked (--include-keys)

The encryption key stays out by default: an archive holding the key beside the encrypted passport numbers
would make the encryption worthless to whoever gets the archive. The manifest keeps the key's fingerprint so
that a restore can tell whether the running key will decrypt what it restores.

This module knows no app above core: the rows it counts are found through django.apps.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
KEY_FILES = ("encryption_key", "secret_key")
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; `code` is stable, `message` is in the operator's language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def key_fingerprint(key: str) -> str:
    """Names a key without revealing it: a hash of the key under a fixed label, shortened."""
    return hashlib.sha256(b"prachum-encryption-key:" + key.encode()).hexdigest()[:16]


def file_folders() -> dict[str, Path]:
    """The archive's name for each folder of files, and the folder."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.DATA_DIR) / "private"}


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _version() -> str:
    try:
        return metadata.version("prachum")
    except metadata.PackageNotFoundError:
        return "unknown"


def _short(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _os_error(error: OSError, what: str) -> BackupError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return BackupError("disk_full", _("The disk is full (or the file too large) while writing %(what)s: "
                                          "nothing was kept. Free some space and try again.") % {"what": what})
    return BackupError("io", _("Could not write %(what)s: %(error)s") % {
        "what": what, "error": error.strerror or _short(error)})


# ----------------------------------------------------------------------------- database state

def applied_migrations() -> dict[str, list[str]]:
    by_app: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        by_app.setdefault(app_label, []).append(name)
    return by_app


def row_counts() -> dict[str, int]:
    """Rows per model of Prachum's own apps, for the operator to compare after a restore."""
    tables = set(connection.introspection.table_names())
    return {model._meta.label: model._base_manager.count() for model in _prachum_models()
            if model._meta.db_table in tables}


def _prachum_models():
    return [model for model in apps.get_models()
            if model._meta.app_config.name.startswith("prachum.") and model._meta.managed
            and not model._meta.proxy]


# Models whose rows `migrate` itself writes (a post_migrate handler, like Django's content types): a database
# that was only migrated holds them and is still empty. Their app registers them at start-up.
_written_by_migrate: set[str] = set()


def register_written_by_migrate(*labels: str) -> None:
    _written_by_migrate.update(labels)


def tables_with_data() -> list[str]:
    """Prachum's models that hold at least one row in the configured database, besides what migrate writes."""
    tables = set(connection.introspection.table_names())
    return [model._meta.label for model in _prachum_models()
            if model._meta.label not in _written_by_migrate and model._meta.db_table in tables
            and model._base_manager.exists()]


# ----------------------------------------------------------------------------- PostgreSQL tools

def _pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears on a command line."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
              "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db.get("NAME"),
              "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode")}
    env.update({name: str(value) for name, value in values.items() if value})
    return env


def _run_pg_tool(arguments: list[str]) -> None:
    tool = arguments[0]
    try:
        completed = subprocess.run(arguments, env=_pg_environment(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    except FileNotFoundError:
        raise BackupError("tool_missing", _(
            "%(tool)s is not installed: install PostgreSQL's client programs (on Debian: apt install "
            "postgresql-client) of the server's major version or newer.") % {"tool": tool}) from None
    except OSError as error:
        raise BackupError("tool_failed", _("%(tool)s could not be started: %(error)s") % {
            "tool": tool, "error": _short(error)}) from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        if completed.returncode == -signal.SIGXFSZ or any(
                "No space left" in line or "File too large" in line for line in detail):
            raise BackupError("disk_full", _("The disk is full (or the file too large): %(tool)s could not finish. "
                                             "Nothing was kept; free some space and try again.") % {"tool": tool})
        raise BackupError("tool_failed", _("%(tool)s failed: %(error)s") % {
            "tool": tool, "error": " / ".join(detail[-3:]) or completed.returncode})


# ----------------------------------------------------------------------------- backup

@dataclass
class BackupResult:
    path: Path
    manifest: dict


def default_archive_name(now: datetime) -> str:
    return f"prachum-{now:%Y%m%d-%H%M%S}.tar"


def archive_path(output: str | None, now: datetime) -> Path:
    """--output: an existing folder (the archive gets a dated name in it) or the archive's file name. Without
    it, the data folder's `backups` folder."""
    if not output:
        folder = Path(settings.DATA_DIR) / "backups"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as error:
            raise _os_error(error, str(folder)) from None
        return folder / default_archive_name(now)
    if "\x00" in output:
        raise BackupError("bad_output", _("--output: a path cannot hold a NUL character."))
    path = Path(output)
    try:
        if path.is_dir():
            return path / default_archive_name(now)
        if path.exists() or path.is_symlink():
            raise BackupError("output_exists", _("%(path)s exists already: a backup never overwrites a file. "
                                                 "Choose another name or a folder.") % {"path": path})
        if not path.parent.is_dir():
            raise BackupError("bad_output", _("The folder %(path)s does not exist.") % {"path": path.parent})
    except OSError as error:
        raise BackupError("bad_output", _("--output: %(error)s") % {"error": error.strerror or _short(error)}) from None
    return path


class _HashingReader:
    """Hands a file to tarfile and hashes what tarfile reads, so each file is read once."""

    def __init__(self, raw):
        self.raw, self.sha256 = raw, hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


class _Writer:
    def __init__(self, tar: tarfile.TarFile):
        self.tar, self.files = tar, []

    def add_file(self, name: str, path: Path, mode: int) -> None:
        with open(path, "rb") as raw:
            size = os.fstat(raw.fileno()).st_size
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, mode & 0o777, int(os.fstat(raw.fileno()).st_mtime)
            reader = _HashingReader(raw)
            self.tar.addfile(info, reader)
        self.files.append({"name": name, "size": size, "mode": f"{mode & 0o777:04o}",
                           "sha256": reader.sha256.hexdigest()})

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(timezone.utc).timestamp())
        self.tar.addfile(info, io.BytesIO(data))
        if name != MANIFEST:
            self.files.append({"name": name, "size": len(data), "mode": "0600",
                               "sha256": hashlib.sha256(data).hexdigest()})

    def add_folder(self, prefix: str, root: Path) -> None:
        """Every regular file under root; symbolic links and other odd entries are left out (nothing the
        site writes is one), and so is a file deleted while the backup runs (an expired job result)."""
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder) / name
                try:
                    mode = path.lstat().st_mode
                    if stat.S_ISREG(mode):
                        self.add_file(f"{prefix}/{path.relative_to(root).as_posix()}", path, mode)
                except FileNotFoundError:
                    continue


def _dump_sqlite(target: Path) -> None:
    """SQLite's online backup API: a consistent copy while the server goes on writing (WAL). The copy is turned
    into one self-contained file (no -wal beside it)."""
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()


def create_backup(*, output: str | None, include_keys: bool) -> BackupResult:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    path = archive_path(output, now)
    try:
        migrations, counts = applied_migrations(), row_counts()
    except DatabaseError as error:
        raise BackupError("database", _("The database could not be read: %(error)s") % {
            "error": _short(error)}) from None
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError("busy", _("%(path)s exists: another backup is being written there, or one was "
                                    "interrupted (delete it).") % {"path": partial}) from None
    except OSError as error:
        raise _os_error(error, str(path)) from None
    work, done = None, False
    try:
        work = Path(tempfile.mkdtemp(prefix=".prachum-backup-", dir=path.parent))
        dump = work / DATABASE_MEMBERS[engine()]
        if engine() == "sqlite":
            try:
                _dump_sqlite(dump)
            except sqlite3.Error as error:
                if "disk" in str(error) or "full" in str(error):
                    raise BackupError("disk_full", _("The disk is full (or the file too large) while copying the "
                                                     "database: nothing was kept.")) from None
                raise BackupError("database", _("The database could not be copied: %(error)s") % {
                    "error": _short(error)}) from None
        else:
            _run_pg_tool(["pg_dump", "--format=custom", f"--file={dump}"])
        with os.fdopen(fd, "wb") as raw:
            fd = None
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                writer = _Writer(tar)
                writer.add_file(dump.name, dump, 0o600)
                for prefix, root in file_folders().items():
                    writer.add_folder(prefix, root)
                if include_keys:
                    writer.add_bytes("keys/encryption_key", settings.PRACHUM_ENCRYPTION_KEY.encode())
                    writer.add_bytes("keys/secret_key", settings.SECRET_KEY.encode())
                manifest = {
                    "format": FORMAT,
                    "prachum_version": _version(),
                    "created_at": now.isoformat(),
                    "engine": engine(),
                    "database": dump.name,
                    "migrations": migrations,
                    "rows": counts,
                    "encryption_key_fingerprint": key_fingerprint(settings.PRACHUM_ENCRYPTION_KEY),
                    "keys_included": include_keys,
                    "files": writer.files,
                }
                writer.add_bytes(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
            raw.flush()
            os.fsync(raw.fileno())
        os.rename(partial, path)
        done = True
    except OSError as error:
        raise _os_error(error, str(path)) from None
    finally:
        if fd is not None:
            os.close(fd)
        if not done:
            partial.unlink(missing_ok=True)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return BackupResult(path=path, manifest=manifest)


# ----------------------------------------------------------------------------- reading an archive

def _refuse_archive(reason: str) -> BackupError:
    return BackupError("bad_archive", _("This is not a Prachum backup that can be restored: %(reason)s") % {
        "reason": reason})


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (bool(name) and not path.is_absolute() and ".." not in path.parts and "\x00" not in name
            and "\\" not in name and name == path.as_posix())


def _allowed_name(name: str, database: str) -> bool:
    top = PurePosixPath(name).parts[0]
    return (name in (MANIFEST, database) or (top in file_folders() and name != top)
            or name in {f"keys/{key}" for key in KEY_FILES})


@dataclass
class Archive:
    path: Path
    manifest: dict
    members: dict[str, tarfile.TarInfo] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.manifest["database"]


def _check_manifest(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse_archive(_("Its manifest is missing or of another format."))
    if manifest.get("engine") not in DATABASE_MEMBERS or manifest.get("database") != DATABASE_MEMBERS[manifest["engine"]]:
        raise _refuse_archive(_("Its manifest names no database this version knows."))
    files = manifest.get("files")
    migrations = manifest.get("migrations")
    if (not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str) for f in files)
            or not isinstance(migrations, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(n, str) for n in v)
                for k, v in migrations.items())
            or not isinstance(manifest.get("encryption_key_fingerprint"), str)):
        raise _refuse_archive(_("Its manifest is damaged."))


def open_archive(path: str) -> Archive:
    """Reads the archive's list of members and its manifest, and refuses any archive that could write outside
    its folders (absolute names, '..', links, devices) or whose members and manifest disagree."""
    if "\x00" in path:
        raise BackupError("bad_archive", _("The archive's path cannot hold a NUL character."))
    location = Path(path)
    try:
        found = location.is_file()
    except OSError as error:
        raise BackupError("no_archive", _("The archive's path: %(error)s") % {
            "error": error.strerror or _short(error)}) from None
    if not found:
        raise BackupError("no_archive", _("There is no archive file at %(path)s.") % {"path": location})
    try:
        with tarfile.open(location, mode="r:") as tar:
            members = tar.getmembers()
            manifest_member = next((m for m in members if m.name == MANIFEST), None)
            if manifest_member is None or not manifest_member.isfile() or manifest_member.size > MAX_MANIFEST_BYTES:
                raise _refuse_archive(_("It holds no manifest."))
            manifest = json.loads(tar.extractfile(manifest_member).read().decode("utf-8"))
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, ValueError, RecursionError):
        raise _refuse_archive(_("The file is damaged or cut short.")) from None
    except OSError as error:
        raise BackupError("io", _("The archive could not be read: %(error)s") % {
            "error": error.strerror or _short(error)}) from None
    _check_manifest(manifest)
    by_name: dict[str, tarfile.TarInfo] = {}
    for member in members:
        if not _safe_member_name(member.name) or not _allowed_name(member.name, manifest["database"]):
            raise _refuse_archive(_("It holds a member named %(name)r, outside the folders a backup has.") % {
                "name": member.name})
        if not (member.isfile() or member.isdir()):
            raise _refuse_archive(_("It holds %(name)r, which is a link or a device, not a file.") % {
                "name": member.name})
        if member.name in by_name:
            raise _refuse_archive(_("It holds %(name)r twice.") % {"name": member.name})
        if member.isfile():
            by_name[member.name] = member
    listed = {entry["name"]: entry for entry in manifest["files"]}
    present = set(by_name) - {MANIFEST}
    if set(listed) != present or manifest["database"] not in present:
        strays = sorted(present.symmetric_difference(listed)) or [manifest["database"]]
        raise _refuse_archive(_("Its files and its manifest disagree (%(names)s).") % {
            "names": ", ".join(strays[:5])})
    for name, member in by_name.items():
        if name != MANIFEST and member.size != listed[name]["size"]:
            raise _refuse_archive(_("%(name)s does not have the size the manifest gives.") % {"name": name})
    return Archive(path=location, manifest=manifest, members=by_name)


# ----------------------------------------------------------------------------- restore

@dataclass
class RestorePlan:
    archive: Archive
    tables_with_data: list[str]
    key_mismatch: bool


def _known_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    return known


def _keys_from_environment() -> bool:
    return "PRACHUM_ENCRYPTION_KEY" in os.environ


def prepare_restore(*, path: str, replace: bool, force: bool) -> RestorePlan:
    """Every check that needs no change: the archive, the engine, the release, the key, the target database."""
    archive = open_archive(path)
    manifest = archive.manifest
    if manifest["engine"] != engine():
        raise BackupError("other_engine", _(
            "This backup is of a %(archived)s database and this installation runs on %(running)s: a backup is "
            "restored into the same kind of database (moving between them is not supported).") % {
            "archived": manifest["engine"], "running": engine()})
    known = _known_migrations()
    newer = sorted(f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names
                   if (app, name) not in known and app in {a for a, _n in known})
    if newer:
        raise BackupError("newer_release", _(
            "This backup comes from a newer Prachum (version %(version)s, with %(migrations)s): install that "
            "version or a later one, then restore.") % {"version": manifest.get("prachum_version", "?"),
                                                           "migrations": ", ".join(newer[:3])})
    running = key_fingerprint(settings.PRACHUM_ENCRYPTION_KEY)
    expected = manifest["encryption_key_fingerprint"]
    key_mismatch = running != expected
    if key_mismatch and manifest.get("keys_included") and _keys_from_environment():
        if not force:
            raise BackupError("wrong_key", _(
                "The archive holds its encryption key (fingerprint %(expected)s) but PRACHUM_ENCRYPTION_KEY gives "
                "another one (%(running)s): set PRACHUM_ENCRYPTION_KEY to the archive's key, or add --force to "
                "restore anyway (sensitive answers will then not be readable).") % {
                "expected": expected, "running": running})
    elif key_mismatch and not manifest.get("keys_included") and not force:
        raise BackupError("wrong_key", _(
            "This installation's encryption key (fingerprint %(running)s) is not the key of this backup "
            "(%(expected)s): the passport numbers and other sensitive answers in it could not be read. Put the "
            "key you kept for this backup in PRACHUM_ENCRYPTION_KEY or in the file %(file)s, or add --force to "
            "restore anyway.") % {"running": running, "expected": expected,
                                  "file": Path(settings.DATA_DIR) / "encryption_key"})
    try:
        filled = tables_with_data()
    except DatabaseError as error:
        raise BackupError("database", _("The database could not be read: %(error)s") % {
            "error": _short(error)}) from None
    if filled and not replace:
        raise BackupError("not_empty", _(
            "The database already holds Prachum data (%(tables)s): a restore goes into an empty database. "
            "Point PRACHUM_DATABASE_URL at a new database, or add --replace to delete this data and put the "
            "backup's in its place.") % {"tables": ", ".join(filled[:4]) + (", …" if len(filled) > 4 else "")})
    return RestorePlan(archive=archive, tables_with_data=filled, key_mismatch=key_mismatch)


def _extract(archive: Archive, into: Path) -> None:
    """Writes every member under `into`, checking its SHA-256 against the manifest; nothing outside `into`."""
    listed = {entry["name"]: entry for entry in archive.manifest["files"]}
    try:
        with tarfile.open(archive.path, mode="r:") as tar:
            for member in tar:
                if member.name == MANIFEST or not member.isfile():
                    continue
                entry = listed[member.name]
                parts = PurePosixPath(member.name).parts
                folder = into
                for part in parts[:-1]:
                    folder = folder / part
                    folder.mkdir(mode=0o700, exist_ok=True)
                target = folder / parts[-1]
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                mode = _file_mode(entry.get("mode"))
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
                with os.fdopen(fd, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                os.chmod(target, mode)
                if digest.hexdigest() != entry["sha256"]:
                    raise _refuse_archive(_("%(name)s does not match its SHA-256 in the manifest: the archive "
                                            "was changed or damaged.") % {"name": member.name})
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, KeyError, ValueError):
        raise _refuse_archive(_("The file is damaged or cut short.")) from None
    except OSError as error:
        raise _os_error(error, str(into)) from None


def _file_mode(recorded) -> int:
    """The mode the manifest recorded, never writable by others; 0600 when it records none."""
    if isinstance(recorded, str) and len(recorded) == 4 and all(c in "01234567" for c in recorded):
        return int(recorded, 8) & 0o755
    return 0o600


def _restore_sqlite(dump: Path) -> None:
    """Copies the backup into the configured file with SQLite's backup API, page by page under an exclusive
    lock: unlike copying the file over, it cannot meet a stale -wal file, and it refuses while a server or
    worker has the database open."""
    name = connection.settings_dict["NAME"]
    connection.close()
    target = sqlite3.connect(name, timeout=0, isolation_level=None)
    try:
        try:
            target.execute("PRAGMA locking_mode=EXCLUSIVE")
            target.execute("BEGIN EXCLUSIVE")
            target.execute("COMMIT")
        except sqlite3.OperationalError:
            raise BackupError("database_in_use", _(
                "Another process has the database %(name)s open: stop the web server and the workers, then "
                "restore.") % {"name": name}) from None
        source = sqlite3.connect(dump)
        try:
            source.backup(target)
        except sqlite3.Error as error:
            raise BackupError("database", _("The database could not be written: %(error)s") % {
                "error": _short(error)}) from None
        finally:
            source.close()
    finally:
        target.close()


def _restore_postgresql(dump: Path) -> None:
    """Drops what the configured database holds (the caller made sure it is empty of data, or was told to
    replace it), then pg_restore in one transaction. A server or worker still connected would see the tables
    vanish and come back: refused, as on SQLite."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            if cursor.fetchone()[0]:
                raise BackupError("database_in_use", _(
                    "Another process has the database %(name)s open: stop the web server and the workers, then "
                    "restore.") % {"name": connection.settings_dict["NAME"]})
            for table in connection.introspection.table_names(cursor, include_views=False):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    except DatabaseError as error:
        raise BackupError("database", _("The database could not be emptied: %(error)s") % {
            "error": _short(error)}) from None
    connection.close()
    _run_pg_tool(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
                  "--clean", "--if-exists", "--dbname=", str(dump)])


def _put_folder(source: Path, target: Path, stamp: str) -> Path | None:
    """Moves the restored folder into place; what was there is kept beside it, renamed, if it held files."""
    kept = None
    if target.exists():
        if any(p.is_file() for p in target.rglob("*")):
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            target.rename(kept)
        else:
            shutil.rmtree(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if source.exists():
        shutil.move(str(source), str(target))
    else:
        target.mkdir(mode=0o700)
    return kept


def _put_keys(extracted: Path, stamp: str) -> list[Path]:
    """Writes the archive's keys into the data folder, unless the environment gives them (then the operator sets
    the variable)."""
    written = []
    for name in KEY_FILES:
        source = extracted / "keys" / name
        if not source.is_file() or f"PRACHUM_{name.upper()}" in os.environ:
            continue
        target = Path(settings.DATA_DIR) / name
        if target.exists() and target.read_bytes().strip() != source.read_bytes().strip():
            target.rename(target.with_name(f"{name}.before-restore-{stamp}"))
        elif target.exists():
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(source.read_bytes())
        written.append(target)
    return written


@dataclass
class RestoreResult:
    kept_folders: list[Path]
    keys_written: list[Path]


def restore_backup(plan: RestorePlan) -> RestoreResult:
    archive = plan.archive
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    parent = Path(settings.DATA_DIR)
    try:
        work = Path(tempfile.mkdtemp(prefix=".prachum-restore-", dir=parent))
    except OSError as error:
        raise _os_error(error, str(parent)) from None
    try:
        _extract(archive, work)
        dump = work / archive.database
        if engine() == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        kept = []
        try:
            for prefix, root in file_folders().items():
                if (previous := _put_folder(work / prefix, root, stamp)) is not None:
                    kept.append(previous)
            keys = _put_keys(work, stamp)
        except OSError as error:
            raise _os_error(error, str(parent)) from None
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as error:
            raise BackupError("migrate", _("The data was restored but bringing it to this version failed: "
                                           "%(error)s. Run `prachum migrate` to see why.") % {
                "error": _short(error)}) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RestoreResult(kept_folders=kept, keys_written=keys)
