# test_match.py: plug-in-smp-match-look (issue 16) on a patch of the plug-in's own
# healed work: its return values against the parameters the patch was made with,
# the saved look in the profile's looks folder used by the hairline procedure (a new
# plug-in process), and each refusal with nothing written.
import math
import os
import random

from aids_testlib import *

MATCH = "plug-in-smp-match-look"
PPM = 20.0
W, H = 760, 520  # 38 × 26 mm
DENSITY, FRESH_DOT = 60.0, 0.5  # healed cores: 0.25 mm (docs/optics.md)


def skin_layer(img, texture=False):
    """A light skin with gentle mottling (8-bit sRGB), deterministic; with `texture`,
    also a fine ripple (0.6 mm) and photo noise, as the unit test's skin."""
    noise = random.Random(5)
    layer = Gimp.Layer.new(img, "Client photo", W, H, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    img.insert_layer(layer, None, 0)
    data = bytearray(W * H * 3)
    for y in range(H):
        for x in range(W):
            t = 1.0 + 0.04 * math.sin(x / PPM * 2.1 + 0.7 * math.sin(y / PPM * 1.3)) * math.cos(y / PPM * 1.7)
            if texture:
                t += 0.02 * math.sin(x / PPM * 9.0 + y / PPM * 7.0) + noise.gauss(0.0, 0.004)
            i = 3 * (y * W + x)
            data[i], data[i + 1], data[i + 2] = min(255, int(223 * t)), int(174 * t), int(148 * t)
    buf = layer.get_buffer()
    buf.set(Gegl.Rectangle.new(0, 0, W, H), "R'G'B' u8", bytes(data))
    buf.flush()
    layer.update(0, 0, W, H)
    return layer


def looks_dir():
    return os.path.join(Gimp.directory(), "smp-hairline", "looks")


def look_files():
    d = looks_dir()
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


# A photo of healed work: the hairline procedure's healed session layers over skin,
# flattened into one layer (the "photo"). Dots only right of x = 240 (a selection),
# full density at once behind a line along the top.
img = Gimp.Image.new(W, H, Gimp.ImageBaseType.RGB)
skin = skin_layer(img)
line = add_path(img, f"M 0 4 L {W} 4", "Hairline")
img.select_rectangle(Gimp.ChannelOps.REPLACE, 240, 0, W - 240, H)
status, message = run_hairline(img, skin, path=line, px_per_mm=PPM, density=DENSITY, dot_diameter=FRESH_DOT,
                               stage="healed", fade_width=0.0, sentinel=0.0, irregularity=0.0,
                               micro_irregularity=0.0, seed=7, shine=False)
check(status == SUCCESS, "the healed patch renders", message)
photo = Gimp.Layer.new_from_visible(img, img, "Healed photo")
img.insert_layer(photo, None, 0)
for layer in img.get_layers():
    if layer != photo:
        layer.set_visible(False)

# The scale from a calibration (px-per-mm 0): two anchors 10 mm apart.
ruler = path_from_anchors(img, "Ruler", [(20.0, 500.0), (20.0 + 10 * PPM, 500.0)])
status, values = run_proc("plug-in-smp-calibrate", img, path=ruler, distance_mm=10.0, method="ruler")
check(status == SUCCESS and abs(values[0] - PPM) < 1e-6, "calibrated at 20 px/mm", values)

# Untreated skin: a closed path around the bare strip on the left.
bare = add_path(img, "M 20 40 L 200 40 L 200 480 L 20 480 Z", "Bare skin")
img.select_rectangle(Gimp.ChannelOps.REPLACE, 300, 60, 420, 400)
before = look_files()
status, values = run_proc(MATCH, img, [photo], px_per_mm=0.0, untreated_path=bare, look_name="Test healed")
check(status == SUCCESS, "match succeeds", values)
if status == SUCCESS:
    density, core, look_id, n, residual, path = values[:6]
    info(f"match: {n} impressions, density {density:.1f}/cm² (made with {DENSITY:g}), healed core "
         f"{core:.3f} mm (made with {FRESH_DOT / 2:.3f}), residual {residual:.3f}, look {look_id}")
    check(abs(density / DENSITY - 1) <= 0.15, "density within 15% of the patch's", f"{density:.1f}")
    check(abs(core / (FRESH_DOT / 2) - 1) <= 0.20, "healed core within 20% of the patch's", f"{core:.3f} mm")
    check(n >= 100, "measured at least 100 impressions", n)
    check(look_id == "test-healed", "look id from the name", look_id)
    check(os.path.dirname(path) == looks_dir() and os.path.isfile(path), "saved in the profile's looks folder",
          path)
    check(len(look_files()) == len(before) + 1, "one look file written", look_files())
    text = open(path, encoding="utf-8").read()
    check("[SMP Preset]" in text and "Name=Test healed" in text and "seed" not in text
          and "px_per_mm" not in text, "the look file holds a name and look keys only", text[:200])

    # The saved look drives the hairline procedure (a new plug-in process reads the folder).
    img2 = Gimp.Image.new(400, 300, Gimp.ImageBaseType.RGB)
    skin2 = Gimp.Layer.new(img2, "Client photo", 400, 300, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    img2.insert_layer(skin2, None, 0)
    skin2.fill(Gimp.FillType.WHITE)
    line2 = add_path(img2, "M 0 20 L 400 20", "Hairline")
    status, message = run_hairline(img2, skin2, path=line2, px_per_mm=PPM, preset=look_id)
    check(status == SUCCESS, "the hairline procedure applies the saved look by id", message)
    group = proposal_groups(img2)
    kf = key_file(record_text(group[0])) if group else None
    if kf is not None:
        stored = kf.get_double("SMP Design", "density_per_cm2")
        check(abs(stored - density) < 0.05, "its density is the matched one", f"{stored:.2f}")
    img2.delete()

# Refusals: each with its reason, nothing written.
files = look_files()
img.select_rectangle(Gimp.ChannelOps.REPLACE, 300, 60, 420, 400)
img3 = Gimp.Image.new(W, H, Gimp.ImageBaseType.RGB)
photo3 = Gimp.Layer.new_from_drawable(photo, img3)
img3.insert_layer(photo3, None, 0)
img3.select_rectangle(Gimp.ChannelOps.REPLACE, 300, 60, 420, 400)
expect_error("scale unknown", img3, MATCH, ("scale",), drawables=[photo3], px_per_mm=0.0, look_name="X")
img3.select_rectangle(Gimp.ChannelOps.REPLACE, 300, 60, 40, 40)
expect_error("too few impressions", img3, MATCH, ("impressions",), drawables=[photo3], px_per_mm=PPM,
             look_name="X")
img3.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, W, H)
expect_error("no untreated skin", img3, MATCH, ("untreated skin",), drawables=[photo3], px_per_mm=PPM,
             look_name="X")
img3.select_rectangle(Gimp.ChannelOps.REPLACE, 300, 60, 420, 400)
expect_error("resolution too low", img3, MATCH, ("px/mm",), drawables=[photo3], px_per_mm=2.0, look_name="X")
# Deep healed work (0.5 mm, 70 dots/cm², healed cores about 0.24 mm: under 6.5 px
# across at 20 px/mm) on textured skin: its faint cores cannot be counted nor sized.
img4 = Gimp.Image.new(W, H, Gimp.ImageBaseType.RGB)
skin4 = skin_layer(img4, texture=True)
line4 = add_path(img4, f"M 0 4 L {W} 4", "Hairline")
img4.select_rectangle(Gimp.ChannelOps.REPLACE, 240, 0, W - 240, H)
status, message = run_hairline(img4, skin4, path=line4, px_per_mm=PPM, density=70.0, dot_diameter=0.44,
                               pigment_depth=0.5, stage="healed", fade_width=0.0, sentinel=0.0,
                               irregularity=0.0, micro_irregularity=0.0, seed=7, shine=False)
check(status == SUCCESS, "the deep healed patch renders", message)
photo4 = Gimp.Layer.new_from_visible(img4, img4, "Deep healed photo")
img4.insert_layer(photo4, None, 0)
img4.select_rectangle(Gimp.ChannelOps.REPLACE, 300, 60, 420, 400)
bare4 = add_path(img4, "M 20 40 L 200 40 L 200 480 L 20 480 Z", "Bare skin")
expect_error("deep work at 20 px/mm", img4, MATCH, ("Deep work", "px/mm"), drawables=[photo4], px_per_mm=PPM,
             untreated_path=bare4, look_name="X")
img4.delete()
Gimp.Selection.none(img3)
expect_error("no selection", img3, MATCH, ("select",), drawables=[photo3], px_per_mm=PPM, look_name="X")
check(look_files() == files, "no look written by a refused run", look_files())

finish()
