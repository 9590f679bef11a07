"""Checks of uploaded files: a document's type is read from its content (magic bytes), not from its
name or from what the browser claims; a photo is re-encoded, so nothing of the original file but its
pixels is kept (EXIF, GPS position, camera serial, embedded thumbnails are dropped)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from prachum.reports.errors import ReportsError

MB = 1024 * 1024


def document_max_bytes() -> int:
    return getattr(settings, "PRACHUM_DOCUMENT_MAX_BYTES", 25 * MB)


def photo_max_bytes() -> int:
    return getattr(settings, "PRACHUM_PHOTO_MAX_BYTES", 20 * MB)


# The longest side of a stored photo: enough for a news page and for print at A5.
PHOTO_MAX_SIDE = 1600
# More pixels than any camera makes: a "decompression bomb" (a small file that expands to gigabytes).
PHOTO_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
PPTX = FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint")
PNG = FileType("png", "image/png", "PNG")
JPEG = FileType("jpg", "image/jpeg", "JPEG")
GIF = FileType("gif", "image/gif", "GIF")
WEBP = FileType("webp", "image/webp", "WebP")

ALLOWED_LABELS = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG, JPEG, GIF, WebP"

# Office files are zip archives; the part that only one kind has tells which it is.
_OFFICE_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))


def _read_all(uploaded, limit: int) -> bytes:
    if uploaded.size is not None and uploaded.size > limit:
        raise ReportsError(
            "too_big",
            _("The file is too big: %(size)s MB. The limit is %(limit)s MB.")
            % {"size": f"{uploaded.size / MB:.1f}", "limit": f"{limit / MB:.0f}"},
        )
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise ReportsError("too_big", _("The file is too big. The limit is %(limit)s MB.") % {"limit": f"{limit / MB:.0f}"})
    if not content:
        raise ReportsError("empty", _("The file is empty."))
    return content


def detect_document_type(content: bytes) -> FileType | None:
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        # Macro-enabled files carry a VBA project: code that runs on the reader's machine.
        if any(name.endswith("vbaProject.bin") for name in names):
            return None
        for part, file_type in _OFFICE_PARTS:
            if part in names:
                return file_type
    return None


def checked_document(uploaded) -> tuple[bytes, FileType]:
    content = _read_all(uploaded, document_max_bytes())
    file_type = detect_document_type(content)
    if file_type is None:
        raise ReportsError(
            "forbidden_type",
            _("This kind of file cannot be shared here. Allowed: %(allowed)s.") % {"allowed": ALLOWED_LABELS},
        )
    return content, file_type


def processed_photo(uploaded) -> tuple[bytes, int, int]:
    """The photo as a JPEG of at most PHOTO_MAX_SIDE pixels a side, turned upright, without metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    content = _read_all(uploaded, photo_max_bytes())
    not_an_image = ReportsError("not_an_image", _("This file is not a photo. Please choose a JPEG, PNG or WebP image."))
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP", "GIF", "MPO"):
                raise not_an_image
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ReportsError("too_many_pixels", _("This image has too many pixels to be a photo."))
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # No exif= and no icc_profile=: Pillow writes none of the original's metadata.
            image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
            return out.getvalue(), image.width, image.height
    except ReportsError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
