"""Font sizes that make a long name, position or delegation fit its line(s) on the badge.

WeasyPrint cannot shrink text to fit by itself, so the width is measured here from the fonts' advance
widths (fontTools, read once per process) of the fonts the PDF uses, which we ship: Noto Sans Lao and Noto
Sans (core/pdf.py). Lao vowel and tone marks have no advance (they stack), so
they do not count. The measure ignores kerning, hence a safety margin.
"""

import functools
import math

from prachum.core.pdf import font_path

PT_IN_MM = 25.4 / 72
SAFETY = 0.92  # kerning, and a line broken at a space is never quite full


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, float], float]:
    """Advance width in em of each code point we can measure, and a default for the others."""
    from fontTools.ttLib import TTFont

    widths: dict[int, float] = {}
    for path in (font_path(lao=False, bold=bold), font_path(lao=True, bold=bold)):
        font = TTFont(path, lazy=True)
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        for code_point, glyph in font.getBestCmap().items():
            widths[code_point] = metrics[glyph][0] / units
        font.close()
    return widths, 0.62 if bold else 0.58


def text_width_em(text: str, *, bold: bool = False) -> float:
    widths, default = _advances(bold)
    return sum(widths.get(ord(char), default) for char in text)


def fit_font_size(text: str, *, width_mm: float, max_pt: float, min_pt: float, lines: int = 1,
                  bold: bool = False) -> float:
    """The largest size from max_pt down to min_pt (in half points) at which `text`, broken at its spaces
    as the PDF breaks it, takes at most `lines` lines of `width_mm`. Long Lao words (Lao is written
    without spaces inside a name's parts) make the lines break early, which this accounts for."""
    if not text:
        return max_pt
    words = [text_width_em(word, bold=bold) for word in text.split()] or [text_width_em(text, bold=bold)]
    space = text_width_em(" ", bold=bold)
    room_pt = width_mm * SAFETY / PT_IN_MM
    size = math.floor(max_pt * 2) / 2
    while size > min_pt and _lines_needed(words, space, room_pt / size) > lines:
        size -= 0.5
    return max(min_pt, size)


def _lines_needed(words: list[float], space: float, room_em: float) -> int:
    """Lines taken by words of these widths (em), greedily filled as a browser fills them."""
    count, used = 1, None
    for word in words:
        if used is None:
            used = word
        elif used + space + word <= room_em:
            used += space + word
        else:
            count, used = count + 1, word
        if word > room_em:
            return 99  # a word wider than a line never fits
    return count
