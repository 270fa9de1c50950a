#!/usr/bin/python3
"""Pillow's side of `java -cp target/pixq.jar bench/Bench.java --profile N --target PX`: the CPU ms of Pillow's JPEG
decode (libjpeg-turbo, as OpenCV's) at the same DCT scale, the largest of 1/2, 1/4, 1/8 that leaves PX on the long side.

  /usr/bin/python3 bench/pillow_decode.py [--corpus ../shared/corpus] [--target 1024]

Each file's median of 3 decodes, summed over the corpus's JPEGs (PNG has no reduced decode).
"""
import argparse
import io
import os
import statistics
import time

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--target", type=int, default=1024)
    a = ap.parse_args()
    total, count = 0.0, 0
    for name in sorted(os.listdir(a.corpus)):
        if not name.lower().endswith((".jpg", ".jpeg")):
            continue
        data = open(os.path.join(a.corpus, name), "rb").read()
        with Image.open(io.BytesIO(data)) as probe:
            w, h = probe.size
        scale = 1
        while scale < 8 and max(w, h) // (scale * 2) >= a.target:
            scale *= 2
        reps = []
        for _ in range(3):
            t0 = time.process_time()
            with Image.open(io.BytesIO(data)) as im:
                im.draft("RGB", (-(-w // scale), -(-h // scale)))
                im.load()
            reps.append((time.process_time() - t0) * 1000)
        total += statistics.median(reps)
        count += 1
    print(f"Pillow reduced decode of {count} JPEGs (target {a.target}): {total:.0f} ms CPU")


if __name__ == "__main__":
    main()
