"""Reading a badge PDF back with the real tools: pdftoppm to PNG, zbarimg for the QR codes, pdftotext."""

import shutil
import subprocess
from pathlib import Path

import pytest


def need(command: str):
    if shutil.which(command) is None:
        pytest.fail(f"{command} is missing: `make system-packages` installs it")


def pdf_pages_png(pdf: bytes, folder: Path, *, dpi: int = 150) -> list[Path]:
    need("pdftoppm")
    source = folder / "badges.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def qr_codes_in(png: Path) -> list[str]:
    need("zbarimg")
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    return sorted(line for line in result.stdout.splitlines() if line)


def pdf_text(pdf: bytes, folder: Path) -> str:
    need("pdftotext")
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ") or pdf.count(b"/Type /Page>")
