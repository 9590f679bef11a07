"""Reading the files the reports make, with the real tools (pdftotext, pdftoppm, openpyxl)."""

import io
import subprocess
import tempfile
from pathlib import Path


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout


def pdf_pages_png(content: bytes, folder: Path, prefix: str, resolution: int = 70) -> list[Path]:
    path = folder / f"{prefix}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(path), str(folder / prefix)], check=True)
    return sorted(folder.glob(f"{prefix}-*.png"))


def pdf_fonts(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(content)
        return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def xlsx_rows(content: bytes, sheet: int = 0) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]
