"""Draw the web app icons (run once; the PNGs are committed under src/yiwang/core/static/core/icons/).

    .venv/bin/python scripts/make-app-icons.py

White 一网 on the portal's brand red (site.css --brand). The "any" icons fill the square; the maskable
one keeps the characters inside the central 80 % circle that a launcher may crop to (the W3C
maskable safe zone), so no mask cuts a stroke.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = (0xB7, 0x1C, 0x1C)
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"  # Debian fonts-noto-cjk (scripts/ensure-fonts.sh)
TEXT = "一网"
OUT = Path(__file__).resolve().parents[1] / "src" / "yiwang" / "core" / "static" / "core" / "icons"


def icon(size: int, *, text_share: float, rounded: bool) -> Image.Image:
    """A square `size` px icon with TEXT spanning `text_share` of its width."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0) if rounded else BRAND + (255,))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BRAND + (255,))
    font = ImageFont.truetype(FONT, size=int(size * text_share / len(TEXT)), index=2)  # index 2: the SC face
    left, top, right, bottom = draw.textbbox((0, 0), TEXT, font=font)
    draw.text(((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top), TEXT, font=font, fill="white")
    return image.convert("RGB") if not rounded else image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, text_share=0.72, rounded=True).save(OUT / "icon-192.png", optimize=True)
    icon(512, text_share=0.72, rounded=True).save(OUT / "icon-512.png", optimize=True)
    # Inside the safe zone: the text's diagonal stays within the 40 % radius circle.
    icon(512, text_share=0.56, rounded=False).save(OUT / "icon-maskable-512.png", optimize=True)
    icon(180, text_share=0.68, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
