"""The QR code of a registration's e-ticket: only the badge code, which is opaque (random, no personal data).

Made to be read by a phone camera at the door from a screen or from paper: error correction M,
the standard quiet zone of four modules, large black modules on white. The e-ticket email and the
manage page's download use the same function.
"""

import io

import segno

QR_SCALE = 10  # pixels per module: a 12-character code gives 21 + 2 × 4 modules → 290 × 290 px
QR_BORDER = 4  # the quiet zone the QR standard asks for


def qr_code_png(code: str, *, scale: int = QR_SCALE) -> bytes:
    """A PNG of the QR code that holds exactly `code`."""
    qr = segno.make_qr(code, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=QR_BORDER, dark="#000000", light="#ffffff")
    return out.getvalue()


def qr_code_pixel_size(code: str, *, scale: int = QR_SCALE) -> int:
    """Width (= height) in pixels of `qr_code_png(code)`, for the <img> that shows it."""
    qr = segno.make_qr(code, error="m", boost_error=False)
    width, _height = qr.symbol_size(scale=scale, border=QR_BORDER)
    return width
