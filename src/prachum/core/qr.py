"""The QR code of a registration's e-ticket: only the badge code, which is opaque (random, no personal data).

Made to be read by a phone camera at the door from a screen or from paper: error correction M,
the standard quiet zone of four modules, large black modules on white. The e-ticket (email, manage page,
PDF) and the badges use the same function; it lives in core because registration, notify and badges all
draw it.
"""

import io
import string

import segno

# Characters of the QR alphanumeric mode; the code's length and mode decide the symbol's size.
_QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")

QR_SCALE = 10  # pixels per module: a 12-character code gives 21 + 2 × 4 modules → 290 × 290 px
QR_BORDER = 4  # the quiet zone the QR standard asks for


def qr_code_png(code: str, *, scale: int = QR_SCALE) -> bytes:
    """A PNG of the QR code that holds exactly `code`."""
    qr = segno.make_qr(code, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=QR_BORDER, dark="#000000", light="#ffffff")
    return out.getvalue()


def qr_code_pixel_size(code: str, *, scale: int = QR_SCALE) -> int:
    """Width (= height) in pixels of `qr_code_png(code)`, for the <img> that shows it.

    Every email asks for it, and building a symbol costs about 2 ms: the size depends only on the
    code's length and QR mode, so it is built once per kind of code (bench/profile_register.py)."""
    if code.isdigit():
        mode = "numeric"
    elif set(code) <= _QR_ALPHANUMERIC:
        mode = "alphanumeric"
    else:
        return _symbol_width(code, scale)
    key = (len(code), mode, scale)
    if key not in _widths:
        _widths[key] = _symbol_width(code, scale)
    return _widths[key]


_widths: dict[tuple[int, str, int], int] = {}


def _symbol_width(code: str, scale: int) -> int:
    qr = segno.make_qr(code, error="m", boost_error=False)
    width, _height = qr.symbol_size(scale=scale, border=QR_BORDER)
    return width
