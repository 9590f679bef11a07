"""Uploaded import files, kept privately between the upload, the column mapping, the dry run and the apply.

The stored name is random (an upload's own name may carry personal data) and the file lives outside
MEDIA_ROOT: only the views of this app read it back, for the person who uploaded it.
"""

import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject

KEY = re.compile(r"^[a-f0-9]{32}$")


class _UploadStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.DATA_DIR / "private" / "imports")


upload_storage = _UploadStorage()


def store_upload(data: bytes) -> str:
    key = secrets.token_hex(16)
    upload_storage.save(f"{key}.bin", ContentFile(data))
    return key


def read_upload(key: str) -> bytes:
    if not KEY.match(key or ""):
        raise FileNotFoundError(key)
    with upload_storage.open(f"{key}.bin", "rb") as handle:
        return handle.read()


def delete_upload(key: str) -> None:
    if KEY.match(key or ""):
        upload_storage.delete(f"{key}.bin")
