# test_checks.py: the design checks run by plug-in-smp-hairline and stored in the
# proposal record (the "smp-design-<tattoo>" image parasite) ([SMP Checks]): silent on a good design, each
# one fires alone on a case built to break it (too low, too straight, lopsided,
# no fade, and the feminine limit); the optional hidden "SMP guides" layer is
# drawn where the face frame says; the photo is never touched.
import math

from aids_testlib import *

TPL = "plug-in-smp-hairline-template"
CAL = "plug-in-smp-calibrate"
CHECKS = ("height", "straightness", "symmetry", "fade")
PPM = 4.0

img, photo = new_image(800, 1200)
photo_hash = pixel_hash(photo)
pupils = path_from_anchors(img, "Pupils", [(274.0, 640.0), (526.0, 640.0)])  # 252 px = 63 mm
status, values = run_proc(CAL, img, path=pupils, distance_mm=63.0)
check(status == SUCCESS and abs(values[0] - PPM) < 1e-9, "calibrated at 4 px/mm", values)

face = Face(400, 560, 0.0, 180, 60, PPM)
frame = frame_path(img, face)


def template_path(tid, height):
    status, values = run_proc(TPL, img, face_frame=frame, template=tid, height_mm=height)
    check(status == SUCCESS, f"template {tid} at {height:g} mm", values)
    return values[0]


def run_checks(label, path, expect, **args):
    """Runs the hairline procedure; `expect` is the set of checks that must fire."""
    status, message = run_hairline(img, photo, path=path, px_per_mm=0.0, seed=3, **args)
    if not check(status == SUCCESS, f"{label}: hairline runs", message):
        return None
    group = proposal_groups(img)[0]
    kf = key_file(record_text(group))
    try:
        checked = set(kf.get_string_list("SMP Checks", "checked"))
        count = kf.get_integer("SMP Checks", "findings")
    except GLib.Error as e:
        check(False, f"{label}: [SMP Checks] stored", e.message)
        img.remove_layer(group)
        return None
    fired = {c for c in CHECKS if has_key(kf, "SMP Checks", c)}
    check(checked == set(CHECKS), f"{label}: all four checks ran", sorted(checked))
    check(fired == expect and count == len(expect),
          f"{label}: fires {sorted(expect) or 'nothing'}",
          "; ".join(f"{c}: {kf.get_string('SMP Checks', c)}" for c in sorted(fired)) or "silent")
    return group


good = template_path("rounded", 80.0)
low = template_path("rounded", 62.0)
fem = template_path("feminine-oval", 55.0)

# A good design: 80 mm, symmetric, default irregularity 3 mm and fade 8 mm.
g = run_checks("good design", good, set())
if g:
    kf = key_file(record_text(g))
    check(kf.get_boolean("SMP Checks", "face_frame"), "the face frame was used")
    check(not any(l.get_name() == "SMP guides" for l in g.get_children()), "no guides unless asked")
    img.remove_layer(g)

# Too low: 62 mm for a man; the feminine oval at 55 mm is fine only for a woman.
for label, path, expect, args in (
        ("too low (62 mm)", low, {"height"}, {}),
        ("feminine oval at 55 mm, feminine", fem, set(), {"feminine": True}),
        ("feminine oval at 55 mm, not feminine", fem, {"height"}, {})):
    g = run_checks(label, path, expect, **args)
    if g:
        img.remove_layer(g)

# Too straight: a smooth drawn line AND irregularity under 1 mm ...
g = run_checks("smooth line, irregularity 0.5 mm", good, {"straightness"}, irregularity=0.5)
if g:
    img.remove_layer(g)
# ... while a drawn line that undulates naturally (2 mm, 20 mm wavelength) is fine.
wavy = path_from_anchors(img, "Wavy", [face.point(a * PPM, (80 - (90 - math.sqrt(90 ** 2 - a * a))
                                                             + 2 * math.cos(2 * math.pi * a / 20)) * PPM)
                                       for a in range(-50, 51)])
g = run_checks("undulating line, irregularity 0.5 mm", wavy, set(), irregularity=0.5)
if g:
    img.remove_layer(g)

# Lopsided: the left half raised by up to 4 mm.
cps = path_control_points(good)
moved = []
for x, y in cps:
    a, u = face.coords(x, y)
    if a < 0:
        u += 4 * PPM * min(1.0, -a / (40 * PPM))
    moved.append(face.point(a, u))
lop = Gimp.Path.new(img, "Lopsided")
lop.stroke_new_from_points(Gimp.PathStrokeType.BEZIER, [c for p in moved for c in p], False)
img.insert_path(lop, None, 0)
g = run_checks("left half 4 mm higher", lop, {"symmetry"})
if g:
    img.remove_layer(g)

# No transition zone.
g = run_checks("fade 2 mm", good, {"fade"}, fade_width=2.0)
if g:
    img.remove_layer(g)

# Guides: hidden layer at the top of the group, lines where the face frame puts them.
g = run_checks("good design with guides", good, set(), guides=True)
if g:
    kids = g.get_children()
    guides = [l for l in kids if l.get_name() == "SMP guides"]
    check(len(guides) == 1 and kids[0] == guides[0], "guides layer at the top of the group",
          [l.get_name() for l in kids])
    if guides:
        layer = guides[0]
        check(not layer.get_visible(), "guides hidden by default")
        ox, oy = offsets(layer)

        def alpha_near(a_mm, u_mm, r=2):
            x, y = face.point(a_mm * PPM, u_mm * PPM)
            x0, y0 = int(round(x)) - r - ox, int(round(y)) - r - oy
            if x0 < 0 or y0 < 0 or x0 + 2 * r + 1 > layer.get_width() or y0 + 2 * r + 1 > layer.get_height():
                return 0.0
            return max(alpha_floats(layer, (x0, y0, 2 * r + 1, 2 * r + 1)))

        w_mm = face.w / PPM
        on = {"midline at 90 mm": (0, 90), "7 cm mark": (15, 70), "8 cm mark": (-15, 80),
              "10 cm mark": (10, 100), "left temple vertical": (-w_mm, 50),
              "right temple vertical": (w_mm, 30), "thirds: nose base": (20, -80),
              "thirds: chin": (-20, -160)}
        off = {"between the marks": (27, 90), "forehead": (-30, 55), "cheek": (30, -40)}
        for what, (a, u) in on.items():
            check(alpha_near(a, u) > 0.3, f"guides: {what} drawn", f"{alpha_near(a, u):.2f}")
        for what, (a, u) in off.items():
            check(alpha_near(a, u) == 0.0, f"guides: nothing on the {what}", f"{alpha_near(a, u):.2f}")
    img.remove_layer(g)

check(pixel_hash(photo) == photo_hash, "the photo is untouched by every run")
img.delete()

# Guides on a 16-bit grayscale image: the layer is grey + alpha and drawn.
img, photo = new_image(800, 1200, base="gray", precision=Gimp.Precision.U16_NON_LINEAR)
frame = frame_path(img, face)
status, values = run_proc(TPL, img, face_frame=frame, template="rounded", px_per_mm=PPM)
if check(status == SUCCESS, "grey u16: template placed", values):
    status, message = run_hairline(img, photo, path=values[0], px_per_mm=PPM, guides=True)
    groups = proposal_groups(img) if status == SUCCESS else []
    guides = [l for l in groups[0].get_children() if l.get_name() == "SMP guides"] if groups else []
    check(len(guides) == 1 and guides[0].is_gray() and guides[0].has_alpha(),
          "grey u16: guides layer is grey + alpha", message)
    if guides:
        check(max(alpha_floats(guides[0])) > 0.5, "grey u16: guides drawn")
img.delete()

# Without a face frame only straightness and fade can run.
img, photo = new_image(600, 400, texture=False)
line = add_path(img, "M 0 300 L 600 300")
status, message = run_hairline(img, photo, path=line, px_per_mm=4.0, irregularity=0.0, fade_width=0.0)
if check(status == SUCCESS, "no face frame: hairline runs", message):
    kf = key_file(record_text(proposal_groups(img)[0]))
    checked = set(kf.get_string_list("SMP Checks", "checked"))
    fired = {c for c in CHECKS if has_key(kf, "SMP Checks", c)}
    check(checked == {"straightness", "fade"} and not kf.get_boolean("SMP Checks", "face_frame"),
          "no face frame: height and symmetry not checked", sorted(checked))
    check(fired == {"straightness", "fade"}, "no face frame: a ruler line with no fade fires both",
          sorted(fired))
img.delete()

finish()
