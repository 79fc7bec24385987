# test_template.py: plug-in-smp-hairline-template on two faces (different scale,
# tilt and anchor order): for every shipped template the new path's mid-frontal
# point (measured on GIMP's own interpolation of the path) lies at the requested
# height and its temple anchors on the eye-corner verticals, both within 1 mm;
# the face frame is stored; bad input is refused with the image unchanged.
from aids_testlib import *

TPL = "plug-in-smp-hairline-template"
CAL = "plug-in-smp-calibrate"

# Face A: upright, 5 px/mm from a calibration (315 px = 63 mm), anchors in order.
# Face B: tilted 17°, 3.6 px/mm given as an argument, eyes first and reversed.
faces = [
    ("upright, calibrated 5 px/mm", Face(600, 760, 0.0, 230, 80, 5.0), (0, 1, 2), True),
    ("tilted 17°, 3.6 px/mm", Face(640, 700, 17.0, 160, 55, 3.6), (2, 1, 0), False),
]
heights = (80.0, 65.0)

ids = template_ids()
check(len(ids) >= 5 and all(t in ids for t in ("juvenile-straight", "rounded", "widows-peak",
                                               "mature-m", "feminine-oval")),
      "the five required templates are installed", ids)

worst_height = worst_temple = 0.0
for label, face, order, calibrated in faces:
    img, photo = new_image(1300, 1100, texture=False)
    fp = frame_path(img, face, order)
    extra = {}
    if calibrated:
        pupils = path_from_anchors(img, "Pupils", [(400.0, 900.0), (715.0, 900.0)])
        status, values = run_proc(CAL, img, path=pupils, distance_mm=63.0)
        check(status == SUCCESS, f"{label}: calibrated", values)
    else:
        extra["px_per_mm"] = face.ppm
    for tid in ids:
        name, half, temple = read_template(tid)
        n = len(half)
        for h in heights:
            status, values = run_proc(TPL, img, face_frame=fp, template=tid, height_mm=h, **extra)
            what = f"{label}: {tid} at {h:g} mm"
            if not check(status == SUCCESS and values and values[0] is not None, f"{what}: runs", values):
                continue
            path = values[0]
            check(path.get_name() == name, f"{what}: path named after the template", path.get_name())
            check(path.get_visible(), f"{what}: the new path is shown on the photo")
            anchors = path_anchors(path)
            check(len(anchors) == 2 * n - 1, f"{what}: {2 * n - 1} anchors", len(anchors))
            if len(anchors) != 2 * n - 1:
                continue
            # Mid-frontal point: where GIMP's interpolation crosses the midline.
            crossings = face.midline_heights_mm(path_polyline(path, 0.05))
            err_h = min((abs(c - h) for c in crossings), default=float("inf"))
            worst_height = max(worst_height, err_h)
            check(len(crossings) == 1 and err_h <= 1.0, f"{what}: mid-frontal point at {h:g} mm ±1",
                  f"crossings {['%.3f' % c for c in crossings]}")
            # Temple anchors (index from the file): on the verticals through the eye corners.
            for side, idx in ((-1, n - 1 - temple), (1, n - 1 + temple)):
                a, u = face.coords(*anchors[idx])
                err_t = abs(a - side * face.w) / face.ppm
                worst_temple = max(worst_temple, err_t)
                check(err_t <= 1.0 and u > 0, f"{what}: {'left' if side < 0 else 'right'} temple on the "
                      "eye-corner vertical ±1 mm", f"{err_t:.4f} mm off, {u / face.ppm:.1f} mm up")
            img.remove_path(path)
    # The face frame is stored with left/right as seen in the image.
    kf = image_key_file(img, "smp-face-frame")
    g, el, er = face.landmarks()
    got = kf and [kf.get_double("SMP Face Frame", k) for k in
                  ("glabella_x", "glabella_y", "eye_left_x", "eye_left_y", "eye_right_x", "eye_right_y")]
    check(got and max(abs(a - b) for a, b in zip(got, g + el + er)) < 1e-6,
          f"{label}: face frame stored, eyes detected left/right", got)
    img.delete()

info(f"template accuracy: mid-frontal height within {worst_height:.4f} mm, "
     f"temple points within {worst_temple:.6f} mm of the eye-corner verticals")

# The stored frame is reused when no face-frame path is given (the selected path
# here is a hairline, not a 3-anchor frame).
img, photo = new_image(1300, 1100, texture=False)
face = faces[0][1]
fp = frame_path(img, face)
status, values = run_proc(TPL, img, face_frame=fp, template="rounded", px_per_mm=5.0)
status2, values2 = run_proc(TPL, img, template="widows-peak", height_mm=70.0, px_per_mm=5.0)
check(status2 == SUCCESS, "without a face-frame path: the stored frame is used", values2)
if status2 == SUCCESS:
    c = face.midline_heights_mm(path_polyline(values2[0], 0.05))
    check(len(c) == 1 and abs(c[0] - 70.0) <= 1.0, "  ...and the height is right", c)
img.delete()

# Bad input: error, image unchanged.
img, photo = new_image(1300, 1100, texture=False)
face = faces[0][1]
fp = frame_path(img, face)
expect_error("no calibration and px-per-mm 0", img, TPL, ["calibrate"], face_frame=fp,
             template="rounded")
two = path_from_anchors(img, "Two", [(100.0, 100.0), (400.0, 100.0)])
expect_error("face frame with two anchors", img, TPL, ["three"], face_frame=two,
             template="rounded", px_per_mm=5.0)
flat = path_from_anchors(img, "Degenerate", [(500.0, 500.0), (501.0, 500.0), (500.5, 500.2)])
expect_error("degenerate face frame", img, TPL, ["eye corners"], face_frame=flat,
             template="rounded", px_per_mm=5.0)
off = path_from_anchors(img, "Off", [(100.0, 500.0), (400.0, 500.0), (420.0, 500.0)])
expect_error("glabella not between the eyes", img, TPL, ["glabella"], face_frame=off,
             template="rounded", px_per_mm=5.0)
# No frame anywhere: the selected path has two anchors, nothing is stored.
img.set_selected_paths([two])
expect_error("no face frame at all", img, TPL, ["face frame"], template="rounded", px_per_mm=5.0)
img.delete()

finish()
