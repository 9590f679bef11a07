"""The e-ticket QR code's size, shown in emails, is remembered per kind of code."""

from prachum.core.qr import qr_code_pixel_size


def test_the_remembered_pixel_size_is_the_size_of_the_png_for_any_code():
    from prachum.core.qr import _symbol_width
    from prachum.registration.models import new_badge_code

    codes = [new_badge_code() for _ in range(50)] + ["123456789012", "1234", "lower-case code", "ກອງປະຊຸມ"]
    for code in codes:
        assert qr_code_pixel_size(code) == _symbol_width(code, 10)
