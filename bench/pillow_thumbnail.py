#!/usr/bin/python3
"""Pillow's answer to `pixq run DIR --recipe thumbnail --workers 2`, for bench/startup.py.

  /usr/bin/python3 bench/pillow_thumbnail.py IN_DIR OUT_DIR [--procs 2] [--size 256] [--transpose-first]

Every .jpg/.jpeg/.png under IN_DIR to a SIZExSIZE-bounded JPEG q85 (LANCZOS), upright: the contract of pixq's `thumbnail`
recipe. By default Image.thumbnail((256, 256)) runs on the opened file (so Pillow's own draft() shrinks JPEGs
on load), then ImageOps.exif_transpose on the small image: the fastest way Pillow offers. --transpose-first
does it in the old rq job's order (exif_transpose, then thumbnail): the transpose decodes the full image first.
A multiprocessing Pool of --procs processes, one image at a time. Prints the number of outputs written.
"""
import argparse
import multiprocessing as mp
import os

from PIL import Image, ImageOps


def thumbnail(job):
    src, out, transpose_first, size = job
    with Image.open(src) as im:
        if transpose_first:
            im = ImageOps.exif_transpose(im)
        im.thumbnail((size, size), Image.LANCZOS)
        im = ImageOps.exif_transpose(im)
        if im.mode != "RGB":
            im = im.convert("RGB")
        im.save(out, "JPEG", quality=85)
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--transpose-first", action="store_true")
    ap.add_argument("--size", type=int, default=256)
    a = ap.parse_args()
    os.makedirs(a.output, exist_ok=True)
    jobs = []
    for d, _, files in os.walk(a.input):
        for f in sorted(files):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                jobs.append((os.path.join(d, f), os.path.join(a.output, os.path.splitext(f)[0] + "-thumb.jpg"), a.transpose_first, a.size))
    with mp.Pool(a.procs) as pool:
        print(sum(pool.imap_unordered(thumbnail, jobs, chunksize=1)))


if __name__ == "__main__":
    main()
