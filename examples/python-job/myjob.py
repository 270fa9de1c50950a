#!/usr/bin/python3
"""An rq-style job function, run by pixq as a command (see examples/README.md).

pixq calls it as   myjob.py INPUT OUTDIR [ARGS...]
  INPUT   the job's image file, or "-" for an args-only job (pixq submit --args-only a b c)
  OUTDIR  an empty folder (also $PIXQ_OUTPUT_DIR): every file written there becomes an output of the job
  ARGS    the job's args
A non-zero exit fails the job with the end of stderr as its reason; pixq deletes the scratch afterwards.

With an image: writes stats.json (size, mean colour, brightness) and gray.png (a 256 px grey preview).
Args-only: writes result.json (the args and a checksum of them) and pattern.png (a pattern seeded by them).
"""
import hashlib
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError


def image_job(path, outdir, args):
    try:
        image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    except (UnidentifiedImageError, OSError) as e:
        sys.exit(f"myjob: cannot read the image: {e}")
    pixels = np.asarray(image, dtype=np.float64)
    stats = {
        "width": image.width,
        "height": image.height,
        "meanRgb": [round(v, 2) for v in pixels.mean(axis=(0, 1)).tolist()],
        "brightness": round(float(pixels.mean()) / 255, 4),
        "args": args,
    }
    with open(os.path.join(outdir, "stats.json"), "w") as f:
        json.dump(stats, f)
    preview = ImageOps.grayscale(image)
    preview.thumbnail((256, 256))
    preview.save(os.path.join(outdir, "gray.png"))


def args_job(outdir, args):
    if not args:
        sys.exit("myjob: an args-only job needs at least one argument")
    digest = hashlib.sha256("\0".join(args).encode()).hexdigest()
    with open(os.path.join(outdir, "result.json"), "w") as f:
        json.dump({"args": args, "sha256": digest}, f)
    rng = np.random.default_rng(int(digest[:8], 16))
    cells = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    Image.fromarray(cells).resize((64, 64), Image.NEAREST).save(os.path.join(outdir, "pattern.png"))


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: myjob.py INPUT|- OUTDIR [ARGS...]")
    source, outdir, args = argv[1], argv[2], argv[3:]
    if source == "-":
        args_job(outdir, args)
    else:
        image_job(source, outdir, args)


if __name__ == "__main__":
    main(sys.argv)
