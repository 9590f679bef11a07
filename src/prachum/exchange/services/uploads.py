"""Uploaded import files, kept privately between the upload, the column mapping, the dry run and the apply.

What is kept is the table as it was read once at the upload (core.tables.Table, as JSON), not the file: a
spreadsheet can take seconds to read, and each step would read it again. The stored name is random (an
upload's own name may carry personal data) and it lives outside MEDIA_ROOT: only the views of this app
read it back, for the person who uploaded it.
"""

import json
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject

from prachum.core.tables import Table

KEY = re.compile(r"^[a-f0-9]{32}$")


class _UploadStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.DATA_DIR / "private" / "imports")


upload_storage = _UploadStorage()


def store_upload(table: Table) -> str:
    key = secrets.token_hex(16)
    upload_storage.save(f"{key}.json", ContentFile(json.dumps(table.as_data(), ensure_ascii=False).encode()))
    return key


def read_upload(key: str) -> Table:
    if not KEY.match(key or ""):
        raise FileNotFoundError(key)
    with upload_storage.open(f"{key}.json", "rb") as handle:
        return Table.from_data(json.load(handle))


def delete_upload(key: str) -> None:
    if KEY.match(key or ""):
        upload_storage.delete(f"{key}.json")
