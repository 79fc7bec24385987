#!/usr/bin/env python3
# test_sample.py: the demo's generated sample photo: deterministic bytes, the
# stated size, a scale key that agrees with itself, and hairline/scalp paths on
# the photo (the hairline above the pupils, the scalp outline closed).
import configparser
import hashlib
import os
import re
import subprocess
import sys
import tempfile

exe = sys.argv[1]
fails = 0


def check(cond, what, detail=""):
    global fails
    print(("ok " if cond else "not ok ") + what + (f" ({detail})" if detail != "" else ""))
    fails += 0 if cond else 1


def digest(folder):
    return {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest()
            for n in sorted(os.listdir(folder))}


with tempfile.TemporaryDirectory() as tmp:
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    for folder in (a, b):
        subprocess.run([exe, folder], check=True, stdout=subprocess.DEVNULL)
    da, db = digest(a), digest(b)
    check(sorted(da) == ["sample-hairline.svg", "sample-head.ini", "sample-head.png"], "three files", sorted(da))
    check(da == db, "two runs give identical bytes")

    png = open(os.path.join(a, "sample-head.png"), "rb").read()
    w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    check(png[:8] == b"\x89PNG\r\n\x1a\n", "a PNG")
    kf = configparser.ConfigParser()
    kf.read(os.path.join(a, "sample-head.ini"))
    k = kf["SMP Sample"]
    check((w, h) == (int(k["width"]), int(k["height"])), "the key file states the photo's size", (w, h))
    px_per_mm = float(k["px_per_mm"])
    ipd_px = ((float(k["pupil_right_x"]) - float(k["pupil_left_x"])) ** 2 +
              (float(k["pupil_right_y"]) - float(k["pupil_left_y"])) ** 2) ** 0.5
    check(abs(ipd_px / px_per_mm - float(k["ipd_mm"])) < 0.05, "pupils lie ipd_mm apart at px_per_mm",
          f"{ipd_px / px_per_mm:.3f} mm")
    check(abs(float(k["glabella_x"]) - w / 2) < 0.05 * w, "the glabella is near the middle")

    svg = open(os.path.join(a, "sample-hairline.svg")).read()
    m = re.search(r'width="(\d+)" height="(\d+)"', svg)
    check(m and (int(m.group(1)), int(m.group(2))) == (w, h), "the SVG has the photo's size")
    paths = dict(re.findall(r'<path id="(\w+)"[^>]* d="([^"]+)"', svg))
    check(sorted(paths) == ["hairline", "scalp"], "hairline and scalp paths", sorted(paths))
    nums = [float(v) for v in re.findall(r"-?\d+\.?\d*", paths.get("hairline", ""))]
    xs, ys = nums[0::2], nums[1::2]
    check(xs and min(xs) > 0 and max(xs) < w and min(ys) > 0 and max(ys) < float(k["pupil_left_y"]),
          "the hairline lies on the photo, above the eyes")
    mid = min(ys) if ys else 0
    height_mm = (float(k["glabella_y"]) - mid) / px_per_mm
    check(60 < height_mm < 90, "the mid-frontal point sits a natural height above the glabella",
          f"{height_mm:.1f} mm projected")
    check(paths.get("scalp", "").rstrip().endswith("Z"), "the scalp outline is closed")

print("1..0" if fails == 0 else f"# {fails} failed")
sys.exit(1 if fails else 0)
