"""Which failures mean "the database (or its storage) cannot serve right now", as opposed to a bug.

A PostgreSQL restart, a crash recovery, a full disk or a read-only data folder are moments an operator fixes
and a person can wait out: the answer is "try again" (503 with Retry-After), not "something went wrong" (500),
and the log gets one line naming the cause, not a traceback per request (web.views.server_error).

PostgreSQL (psycopg) names its conditions by SQLSTATE; a connection that could not be made or broke carries
none, or class 08. SQLite names them only in its message."""

import errno
import logging
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("prachum.unavailable")

DATABASE = "database"
STORAGE = "storage"

# 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now ("the database system is starting up /
# shutting down / in recovery mode"), 53300 too_many_connections; class 08 is the connection's own failures.
POSTGRES_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}
# 53100 disk_full, 58030 io_error (the server's disk).
POSTGRES_STORAGE = {"53100", "58030"}
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file")
SQLITE_STORAGE = ("database or disk is full", "disk i/o error", "attempt to write a readonly database")
# The data folder (uploads, the SQLite file's journal) full or mounted read-only.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)


def kind_of(error: BaseException) -> str | None:
    """DATABASE or STORAGE when `error` means "cannot serve now, try again later"; None for anything else."""
    if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
        return STORAGE
    if not isinstance(error, (OperationalError, InterfaceError)):
        return None
    message = str(error).lower()
    if any(text in message for text in SQLITE_STORAGE):
        return STORAGE
    if any(text in message for text in SQLITE_UNAVAILABLE):
        return DATABASE
    if getattr(error.__cause__, "__module__", "").startswith("sqlite3"):
        return None  # another SQLite failure (a syntax error, a missing table): a bug, not an outage
    code = _sqlstate(error)
    if code in POSTGRES_STORAGE:
        return STORAGE
    if isinstance(error, InterfaceError) or code is None or code.startswith("08") or code in POSTGRES_UNAVAILABLE:
        return DATABASE
    return None


def where_data_lives() -> str:
    """What an operator must look at when storage fails: the data folder, and the database's file or server."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"data folder {settings.DATA_DIR} (database file {Path(db['NAME']).name})"
    return f"data folder {settings.DATA_DIR}, database server {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


def log_unavailable(request, error: BaseException, kind: str) -> None:
    """One line per failure (the request id comes with every record); the cause, never the traceback."""
    cause = " ".join(str(error).split())[:300] or type(error).__name__
    if kind == STORAGE:
        logger.error("503 %s %s: cannot write to storage, %s: %s", request.method, request.path,
                     where_data_lives(), cause)
    else:
        logger.error("503 %s %s: database unavailable: %s: %s", request.method, request.path,
                     type(error.__cause__ or error).__name__, cause)
