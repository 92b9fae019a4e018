"""Make "scanned" copies of PDFs: each page rasterised, turned by a small skew, with
speckle noise and JPEG compression, as an image-only PDF (no text layer).

    python samples/scan.py samples/memo-coordination.pdf out/memo.scan.pdf --skew 1.5

Deterministic for a given seed; used by the OCR tests and benchmarks/ocr.py.
"""
from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image


def scan_pdf(src: str | Path, dst: str | Path, dpi: int = 150, skew: float = 1.5,
             noise: float = 0.004, seed: int = 0, rotate: int = 0, pages: list[int] | None = None) -> Path:
    """`skew`: degrees counter-clockwise (alternating sign page by page); `noise`: share of
    pixels flipped to random grey; `rotate`: the page image turned by 90/180/270 degrees
    (a sheet fed sideways)."""
    rng = np.random.default_rng(seed)
    source = pymupdf.open(src)
    out = pymupdf.open()
    for number in pages if pages is not None else range(source.page_count):
        page = source[number]
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        angle = skew if number % 2 == 0 else -skew
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
        a = np.asarray(img).copy()
        flips = rng.random(a.shape) < noise
        a[flips] = rng.integers(0, 256, int(flips.sum()), dtype=np.uint8)
        img = Image.fromarray(a)
        width, height = page.rect.width, page.rect.height
        if rotate:
            img = img.rotate(rotate, expand=True)
            if rotate in (90, 270):
                width, height = height, width
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=75)
        new = out.new_page(width=width, height=height)
        new.insert_image(new.rect, stream=buf.getvalue())
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    out.save(dst, garbage=3, deflate=True)
    return dst


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--skew", type=float, default=1.5)
    ap.add_argument("--noise", type=float, default=0.004)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rotate", type=int, default=0)
    args = ap.parse_args()
    print(scan_pdf(args.src, args.dst, args.dpi, args.skew, args.noise, args.seed, args.rotate))
