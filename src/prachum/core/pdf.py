"""PDFs (e-tickets, badges, reports): the fonts they embed and WeasyPrint's rendering of one HTML document.

Every PDF uses the fonts shipped in core/static/prachum/fonts (the site's pages load the same files as
/static/prachum/fonts/…): Noto Sans for Latin text and Noto Sans Lao for Lao, so that Latin text is one
family in every PDF (it fell back to Noto Sans or DejaVu Sans, whichever the machine had) and Lao is shaped
(by HarfBuzz) from the same design. Templates take them from `pdf_fonts()` through core/_pdf_fonts.css
as file:// URLs, so a PDF does not depend on the fonts of the machine that makes or reads it. Noto Sans is
a subset (Latin with Vietnamese, punctuation, currency; unhinted): a PDF embeds only the glyphs it uses.
"""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "static" / "prachum" / "fonts"


def font_path(*, lao: bool, bold: bool = False) -> Path:
    """The file of Noto Sans Lao (`lao`) or Noto Sans, regular or bold."""
    weight = "Bold" if bold else "Regular"
    return FONT_DIR / (f"NotoSansLao-{weight}.ttf" if lao else f"NotoSans-{weight}.ttf")


def pdf_fonts() -> dict:
    """The template context core/_pdf_fonts.css asks for."""
    return {
        "font_regular": font_path(lao=True).as_uri(),
        "font_bold": font_path(lao=True, bold=True).as_uri(),
        "latin_regular": font_path(lao=False).as_uri(),
        "latin_bold": font_path(lao=False, bold=True).as_uri(),
    }


def pdf_document(html: str, *, html_class=None):
    """The laid-out WeasyPrint document of `html` (`html_class`: a subclass of weasyprint.HTML), for a
    caller that reports progress between layout and writing; else use html_to_pdf."""
    if html_class is None:
        from weasyprint import HTML as html_class  # noqa: N811 (imported late: WeasyPrint loads slowly)

    return html_class(string=html, base_url=str(FONT_DIR)).render()


def html_to_pdf(html: str) -> bytes:
    return pdf_document(html).write_pdf()
