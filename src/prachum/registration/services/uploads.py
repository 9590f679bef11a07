"""An answer's uploaded file as it is kept: under a random name whose extension says what the file is.

The uploader's file name is dropped (it may hold personal data, or say `.html` of a file that is not): the
type comes from the content, PDF by its `%PDF-` header, pictures by Pillow. A picture is decoded and saved
again, upright and without its metadata (EXIF, GPS position, camera, comments), so that what the
organizers keep and show is only the picture. The form has refused any other content already
(forms.CheckedFileField); files are written 0600 in folders 0700 (settings.FILE_UPLOAD_PERMISSIONS).
"""

from __future__ import annotations

import io
import secrets

from django.core.files import File
from django.core.files.base import ContentFile

PDF_MAGIC = b"%PDF-"
# What is kept: the extension, and the type a download is served as.
STORED_TYPES = {"pdf": (".pdf", "application/pdf"), "jpeg": (".jpg", "image/jpeg"), "png": (".png", "image/png")}
CONTENT_TYPES = {extension: content_type for extension, content_type in STORED_TYPES.values()}
JPEG_QUALITY = 90


class UnknownUpload(ValueError):
    """The content is none of STORED_TYPES (the form lets no such file through)."""


def detected_kind(upload) -> str:
    """"pdf", "jpeg" or "png", from the content."""
    from PIL import Image

    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return "pdf"
    try:
        with Image.open(upload) as image:
            kind = (image.format or "").lower()
    except Exception as exc:  # Pillow raises many kinds for what is not a picture
        raise UnknownUpload("neither a PDF nor a picture") from exc
    finally:
        upload.seek(0)
    if kind not in STORED_TYPES:
        raise UnknownUpload(f"a {kind} picture is not kept")
    return kind


def _without_metadata(upload, kind: str) -> bytes:
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        icc_profile = image.info.get("icc_profile")  # colours, not personal data
        upright = ImageOps.exif_transpose(image)  # the orientation the EXIF said, before EXIF goes
        out = io.BytesIO()
        options = {"icc_profile": icc_profile} if icc_profile else {}
        if kind == "jpeg":
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            upright.save(out, "JPEG", quality=JPEG_QUALITY, **options)
        else:
            upright.save(out, "PNG", **options)
    return out.getvalue()


def stored_file(upload) -> File:
    """The file to keep for an upload: a random name with the detected type's extension; a picture
    re-encoded without metadata. Raises UnknownUpload for any other content."""
    kind = detected_kind(upload)
    extension, _content_type = STORED_TYPES[kind]
    name = secrets.token_hex(16) + extension
    if kind == "pdf":
        upload.seek(0)
        return File(upload, name=name)
    return ContentFile(_without_metadata(upload, kind), name=name)


def content_type_of(name: str) -> str:
    """The type a kept file is served as, by the extension stored_file gave it (older files: a download)."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")
