#!/usr/bin/python3
"""How close each thumbnailer's output is to a reference: the full-size decode, upright, resized with an
exact Lanczos filter (Pillow's Image.resize(LANCZOS), no shrink-on-load, no reducing gap).

    /usr/bin/python3 bench/fidelity.py [--corpus ../shared/corpus] [--box 1024] [--out bench/results/fidelity.md]

Runs, in the same run, on every corpus image, each writing lossless PNG so only the resampling is compared:
  pixq      ./pixq run CORPUS --recipe 'orient | fit BOXxBOX | png'
  vips      vipsthumbnail -s BOXxBOX (auto-rotates; one process for all files)
  pillow    open, exif_transpose, thumbnail((BOX, BOX), LANCZOS) (draft shrink-on-load, reducing_gap=2)
Each output is compared with the reference made at that output's own size: PSNR over R, G, B and SSIM
(Wang et al. 2004, 11x11 Gaussian window, sigma 1.5, on BT.601 luma). Needs Debian's python3-pil,
python3-numpy and libvips-tools; prints a markdown table and a summary.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def gaussian_filter(x, sigma=1.5, radius=5):
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    for axis in (0, 1):
        p = np.pad(x, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="reflect")
        n = x.shape[axis]
        x = sum(k[i] * np.take(p, np.arange(i, i + n), axis=axis) for i in range(len(k)))
    return x


def ssim(a, b):
    def luma(rgb):
        return rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    x, y = luma(a), luma(b)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = gaussian_filter(x), gaussian_filter(y)
    sxx = gaussian_filter(x * x) - mx * mx
    syy = gaussian_filter(y * y) - my * my
    sxy = gaussian_filter(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def rgb(path):
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA", "P"):
            im = im.convert("RGBA")
            white = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(white, im)
        return np.asarray(im.convert("RGB"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--box", type=int, default=1024)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus)
    files = sorted(f for f in os.listdir(corpus) if f.lower().endswith((".jpg", ".jpeg", ".png")))
    tmp = tempfile.mkdtemp(prefix="pixq-fidelity.")
    try:
        outs = {t: os.path.join(tmp, t) for t in ("pixq", "vips", "pillow")}
        for d in outs.values():
            os.makedirs(d)
        box = a.box
        subprocess.run([os.path.join(ROOT, "pixq"), "run", corpus, "--out", outs["pixq"], "--state",
                        os.path.join(tmp, "state"), "--recipe", f"orient | fit {box}x{box} | png"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["vipsthumbnail", "-s", f"{box}x{box}", "-o", os.path.join(outs["vips"], "%s.png")]
                       + [os.path.join(corpus, f) for f in files], check=True)
        for f in files:
            with Image.open(os.path.join(corpus, f)) as im:
                im = ImageOps.exif_transpose(im)
                im.thumbnail((box, box), Image.Resampling.LANCZOS)
                im.save(os.path.join(outs["pillow"], os.path.splitext(f)[0] + ".png"))
        rows = []
        for f in files:
            full = rgb(os.path.join(corpus, f))
            full_img = Image.fromarray(full)
            refs = {}
            row = {"file": f}
            for tool, d in outs.items():
                got = rgb(os.path.join(d, os.path.splitext(f)[0] + ".png"))
                size = (got.shape[1], got.shape[0])
                if size not in refs:
                    refs[size] = np.asarray(full_img.resize(size, Image.Resampling.LANCZOS))
                row[tool] = (psnr(got, refs[size]), ssim(got, refs[size]), size)
            rows.append(row)
            print(f"{f}: " + ", ".join(f"{t} {row[t][0]:.2f} dB" for t in outs), file=sys.stderr)
        report = table(rows, box, len(files))
        print(report)
        if a.out:
            with open(a.out, "w") as fh:
                fh.write(report + "\n")
    finally:
        shutil.rmtree(tmp)


def table(rows, box, n):
    lines = [f"Fit inside {box}x{box}, {n} images; PSNR dB / SSIM against the full-decode Lanczos reference "
             "at each output's own size.", "",
             "| image | size | pixq | vipsthumbnail | Pillow thumbnail() | pixq − vips dB |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        p, v, l = r["pixq"], r["vips"], r["pillow"]
        lines.append(f"| {r['file']} | {p[2][0]}×{p[2][1]} | {p[0]:.2f} / {p[1]:.4f} | {v[0]:.2f} / {v[1]:.4f} "
                     f"| {l[0]:.2f} / {l[1]:.4f} | {p[0] - v[0]:+.2f} |")
    lines.append("")
    for tool, name in (("pixq", "pixq"), ("vips", "vipsthumbnail"), ("pillow", "Pillow thumbnail()")):
        ps = [r[tool][0] for r in rows]
        ss = [r[tool][1] for r in rows]
        lines.append(f"- {name}: PSNR median {statistics.median(ps):.2f} dB (min {min(ps):.2f}, max {max(ps):.2f}); "
                     f"SSIM median {statistics.median(ss):.4f} (min {min(ss):.4f})")
    diff = [r["pixq"][0] - r["vips"][0] for r in rows]
    at_or_above = sum(1 for d in diff if d >= 0)
    lines.append(f"- pixq at or above vipsthumbnail on {at_or_above}/{len(diff)} images "
                 f"({100 * at_or_above / len(diff):.0f}%); worst pixq − vips {min(diff):+.2f} dB")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
