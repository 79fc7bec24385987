# test_calibrate.py: plug-in-smp-calibrate measures px/mm from two anchors and
# stores it; any rotation and anchor order give the same figure; bad input is
# refused with the image unchanged; the hairline procedure picks the scale up
# (px-per-mm 0) and its measured dots/cm² stay on target.
import math

from aids_testlib import *

CAL = "plug-in-smp-calibrate"


def calibrate(img, path, distance, method=None):
    args = {"path": path, "distance_mm": distance}
    if method:
        args["method"] = method
    return run_proc(CAL, img, **args)


def stored(img):
    kf = image_key_file(img, "smp-calibration")
    if kf is None:
        return None
    return (kf.get_double("SMP Calibration", "px_per_mm"),
            kf.get_double("SMP Calibration", "distance_mm"),
            kf.get_string("SMP Calibration", "method"))


# 1. Two anchors 315 px apart marking 63 mm: 5.000 px/mm, stored.
img, photo = new_image(1000, 800)
p = path_from_anchors(img, "Pupils", [(300.0, 400.0), (615.0, 400.0)])
status, values = calibrate(img, p, 63.0)
check(status == SUCCESS, "315 px / 63 mm: succeeds", values)
if status == SUCCESS:
    check(abs(values[0] - 5.0) < 1e-9, "returns 5.000 px/mm", f"{values[0]:.6f}")
s = stored(img)
check(s is not None and abs(s[0] - 5.0) < 1e-9, "stores 5.000 px/mm on the image", s)
check(s is not None and abs(s[1] - 63.0) < 1e-9 and s[2] == "ipd", "stores distance and method", s)
# Visible outside the plug-in: GIMP's resolution says the same scale (5 px/mm = 127 ppi).
res = img.get_resolution()
xres, yres = (res[1], res[2]) if len(res) == 3 else (res[0], res[1])
check(abs(xres - 127.0) < 1e-6 and abs(yres - 127.0) < 1e-6,
      "the image's resolution is set to the scale (px/mm × 25.4 ppi)", (xres, yres))
check(img.get_path_by_name("Pupils") is not None, "by default the measuring path stays")

# 1b. Removed by choice: the path goes, the scale is stored all the same.
img_r, photo_r = new_image(600, 400)
p_r = path_from_anchors(img_r, "Pupils", [(100.0, 200.0), (400.0, 200.0)])
status, values = run_proc(CAL, img_r, path=p_r, distance_mm=60.0, remove_path=True)
check(status == SUCCESS and img_r.get_paths() == [] and stored(img_r) is not None
      and abs(stored(img_r)[0] - 5.0) < 1e-9,
      "remove-path: the measuring path is removed, the 5.000 px/mm stored", [q.get_name() for q in img_r.get_paths()])

# 2. Rotated (37°, 143°, 270°) and in reverse order: the same figure.
worst = 0.0
for angle in (37.0, 143.0, 270.0):
    for reverse in (False, True):
        img2, _ = new_image(1000, 800)
        a = (500.0, 400.0)
        b = (a[0] + 315 * math.cos(math.radians(angle)), a[1] + 315 * math.sin(math.radians(angle)))
        p = path_from_anchors(img2, "Ruler", [b, a] if reverse else [a, b])
        status, values = calibrate(img2, p, 63.0, method="ruler")
        s = stored(img2)
        ok = status == SUCCESS and s is not None
        if ok:
            worst = max(worst, abs(s[0] - 5.0))
        check(ok and abs(s[0] - 5.0) < 1e-6 and s[2] == "ruler",
              f"rotated {angle:g}°{' reversed' if reverse else ''}: 5.000 px/mm",
              f"{s[0]:.6f}" if ok else values)
        img2.delete()
info(f"calibration: worst error over rotations {worst:.2e} px/mm")

# Extra anchors are ignored: the first two count.
img3, _ = new_image(600, 400)
p = path_from_anchors(img3, "Three", [(100.0, 100.0), (100.0, 300.0), (500.0, 300.0)])
status, values = calibrate(img3, p, 40.0, method="sticker")
s = stored(img3)
check(status == SUCCESS and s and abs(s[0] - 5.0) < 1e-9, "first two of three anchors: 200 px / 40 mm",
      s)
img3.delete()

# 3. Bad input: error, image unchanged (including the stored calibration).
one = Gimp.Path.new(img, "One anchor")
one.bezier_stroke_new_moveto(200.0, 200.0)
img.insert_path(one, None, 0)
expect_error("one anchor", img, CAL, ["1 anchor"], path=one, distance_mm=63.0)
zero = path_from_anchors(img, "Zero", [(250.0, 250.0), (250.0, 250.0)])
expect_error("zero length", img, CAL, ["zero-length"], path=zero, distance_mm=63.0)
good = img.get_path_by_name("Pupils")
expect_error("distance 0", img, CAL, ["more than 0"], path=good, distance_mm=0.0)
expect_error("distance -5", img, CAL, ["more than 0"], path=good, distance_mm=-5.0)
img4, _ = new_image(300, 200)
expect_error("no path at all", img4, CAL, ["no path"], distance_mm=63.0)
img4.delete()
# A scale outside the engine's range (0.5..200 px/mm).
expect_error("scale out of range", img, CAL, ["px/mm"], path=good, distance_mm=63000.0)
check(stored(img) is not None and abs(stored(img)[0] - 5.0) < 1e-9, "the calibration is still 5.000")
img.delete()

# 4. The hairline procedure uses the stored scale when px-per-mm is 0: the dots
#    per cm² it lays down, counted at the calibrated scale, match the request.
PX_PER_MM = 20.0
W, H, LINE_Y = 800, 700, 640
img, photo = new_image(W, H)
ruler = path_from_anchors(img, "Ruler", [(100.0, 20.0), (500.0, 20.0)])  # 400 px = 20 mm
status, values = calibrate(img, ruler, 20.0, method="ruler")
check(status == SUCCESS and abs(values[0] - PX_PER_MM) < 1e-9, "calibrated at 20 px/mm", values)
hair = add_path(img, f"M 0 {LINE_Y} L {W} {LINE_Y}")
img.set_selected_paths([hair])
region = (40, 40, W - 40, LINE_Y - 240 - 60)
x0, y0, x1, y1 = region
area_cm2 = (x1 - x0) * (y1 - y0) / (PX_PER_MM * 10) ** 2
window = (x0 - 12, y0 - 12, x1 - x0 + 24, y1 - y0 + 24)
for density in (70.0, 40.0):
    status, message = run_hairline(img, photo, path=hair, px_per_mm=0.0, density=density,
                                   dot_diameter=0.25, seed=11)
    if not check(status == SUCCESS, f"hairline with px-per-mm 0 at {density:g}/cm²", message):
        continue
    group = proposal_groups(img)[0]
    kf = key_file(record_text(group))
    check(kf.get_string("SMP Proposal", "px_per_mm_source") == "calibration"
          and abs(kf.get_double("SMP Design", "px_per_mm") - PX_PER_MM) < 1e-9,
          "the proposal used the calibration", kf.get_double("SMP Design", "px_per_mm"))
    count, _ = count_blobs(alpha_map(session_layers(group), window), window, region)
    measured = count / area_cm2
    error = (measured - density) / density
    check(abs(error) <= 0.05, f"measured density on target at {density:g}/cm² (±5%)",
          f"{count} dots, {measured:.1f}/cm², error {100 * error:+.2f}%")
    img.remove_layer(group)

finish()
