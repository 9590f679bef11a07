"""A fake camera for Chromium: a .y4m video (YUV4MPEG2, 4:2:0) of a badge's QR code, for
`--use-file-for-fake-video-capture`. Chromium loops the file, so a few frames are enough."""

import io
from pathlib import Path

from PIL import Image, ImageDraw

from prachum.core.qr import qr_code_png

WIDTH, HEIGHT = 640, 480


def badge_frame(code: str, label: str = "") -> Image.Image:
    """A badge-like picture: the QR (the e-ticket's own) on a white card, some text, a grey room around it."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), (90, 96, 104))
    card = Image.new("RGB", (360, 440), (255, 255, 255))
    qr = Image.open(io.BytesIO(qr_code_png(code, scale=9))).convert("RGB")
    card.paste(qr, ((360 - qr.width) // 2, 40))
    ImageDraw.Draw(card).text((30, 400), label or code, fill=(0, 0, 0))
    frame.paste(card, ((WIDTH - 360) // 2, 20))
    return frame


def write_y4m(path: Path, image: Image.Image, frames: int = 10) -> Path:
    image = image.convert("RGB").resize((WIDTH, HEIGHT))
    y, cb, cr = image.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half, Image.BILINEAR).tobytes() + cr.resize(half, Image.BILINEAR).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path
