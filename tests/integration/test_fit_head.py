# test_fit_head.py: plug-in-smp-fit-head fits a head model to an outline path and the
# face frame and stores it on the image; each bad input is refused with the image
# unchanged; plug-in-smp-hairline uses it by its head-model choice (auto, flat,
# fitted): denser, foreshortened dots toward the top outline, skin area, the record
# says so, the guides draw it; flat is exactly what an image without a model gets.
import math

from aids_testlib import *

FIT = "plug-in-smp-fit-head"
CAL = "plug-in-smp-calibrate"
PPM = 5.0
CX, CY, R = 700.0, 700.0, 95.0 * PPM   # a head of radius 95 mm
TOP = CY - R


def circle_anchors(cx, cy, r, a0, a1, n):
    return [(cx + r * math.cos(math.radians(a0 + (a1 - a0) * i / (n - 1))),
             cy - r * math.sin(math.radians(a0 + (a1 - a0) * i / (n - 1)))) for i in range(n)]


def head_image():
    img, photo = new_image(1400, 1300)
    pupils = path_from_anchors(img, "Pupils", [(542.5, 800.0), (857.5, 800.0)])  # 315 px = 63 mm
    status, values = run_proc(CAL, img, path=pupils, distance_mm=63.0)
    check(status == SUCCESS, "calibrated at 5 px/mm", values)
    face = Face(CX, CY + 100, 0.0, 230, 40, PPM)
    frame = frame_path(img, face)
    outline = path_from_anchors(img, "Head outline", circle_anchors(CX, CY, R, -30, 210, 97))
    return img, photo, frame, outline


def hairline(img):
    # Across the forehead 25 mm below the top outline, drawn right to left: scalp above.
    y = TOP + 25 * PPM
    return path_from_anchors(img, "Hairline", [(CX + 300, y), (CX - 300, y)])


def stored_model(img):
    kf = image_key_file(img, "smp-head-model")
    if kf is None:
        return None
    return {k: kf.get_double("SMP Head Model", k)
            for k in ("centre_x", "centre_y", "radius_across_px", "radius_up_px", "radius_depth_px", "n_points")}


# 1. A fit from the outline and a face-frame path: stored, and the frame with it.
img, photo, frame, outline = head_image()
before = pixel_hash(photo)
status, values = run_proc(FIT, img, path=outline, face_frame=frame)
check(status == SUCCESS, "fit head model: succeeds", values)
m = stored_model(img)
check(m is not None, "stores the smp-head-model parasite")
if m:
    err_c = math.hypot(m["centre_x"] - CX, m["centre_y"] - CY) / R
    err_a = abs(m["radius_across_px"] - R) / R
    err_u = abs(m["radius_up_px"] - R) / R
    info(f"fit from a 97-anchor outline path: centre {100 * err_c:.2f}%, radii {100 * err_a:.2f}% / "
         f"{100 * err_u:.2f}% of {R:.0f} px, rms {values[2]:.2f} px")
    check(err_c < 0.01 and err_a < 0.01 and err_u < 0.01, "the fitted head is the traced one (within 1%)",
          f"{m}")
    p = img.get_parasite("smp-head-model")
    check(p is not None and p.get_flags() & 1, "the parasite is persistent", p.get_flags() if p else None)
check(image_key_file(img, "smp-face-frame") is not None, "the face-frame path given is stored too")
check(pixel_hash(photo) == before, "the photo is untouched")

# 1b. No outline path: the top edge of the selection (the head selected up to its
# outline), on an image with no path at all and the face frame stored.
img5, _ = new_image(1400, 1300)
face5 = Face(CX, CY + 100, 0.0, 230, 40, PPM)
(gx, gy), (lx, ly), (rx, ry) = face5.landmarks()
text = (f"[SMP Face Frame]\nglabella_x={gx}\nglabella_y={gy}\neye_left_x={lx}\neye_left_y={ly}\n"
        f"eye_right_x={rx}\neye_right_y={ry}\n")
img5.attach_parasite(Gimp.Parasite.new("smp-face-frame", 1, list(text.encode())))
img5.select_ellipse(Gimp.ChannelOps.REPLACE, CX - R, CY - R, 2 * R, 2 * R)
status, values = run_proc(FIT, img5)
check(status == SUCCESS, "fit from the selection's top edge: succeeds", values)
m2 = stored_model(img5)
if status == SUCCESS and m2:
    err = max(abs(m2["radius_across_px"] - R), abs(m2["radius_up_px"] - R),
              math.hypot(m2["centre_x"] - CX, m2["centre_y"] - CY)) / R
    info(f"fit from an elliptic selection's top edge ({m2['n_points']:.0f} points): worst of centre and radii "
         f"{100 * err:.2f}% of {R:.0f} px")
    check(err < 0.02, "the selection's top edge gives the same head (within 2%)", f"{100 * err:.2f}%")
    check(m2["n_points"] <= 400, "…one point per sampled column of the selection", f"{m2['n_points']:.0f}")
img5.delete()

# 2. Bad input: each a clear error, image unchanged (parasites included).
one = path_from_anchors(img, "One", [(300.0, 300.0)])
expect_error("one outline point", img, FIT, ["three"], path=one)
two = path_from_anchors(img, "Two", [(300.0, 300.0), (900.0, 320.0)])
expect_error("two anchors (a straight line)", img, FIT, ["line"], path=two)
flat_line = path_from_anchors(img, "Collinear", [(200.0, 300.0), (500.0, 300.0), (800.0, 300.0), (1100.0, 300.0)])
expect_error("collinear points", img, FIT, ["line"], path=flat_line)
small = path_from_anchors(img, "Small", circle_anchors(CX, CY - 300, 150, -30, 210, 30))
expect_error("an outline above the face", img, FIT, ["face frame"], path=small)
bad_frame = path_from_anchors(img, "Two marks", [(600.0, 800.0), (800.0, 800.0)])
expect_error("a face frame of two anchors", img, FIT, ["three"], path=outline, face_frame=bad_frame)
img2, photo2 = new_image(800, 800)
o2 = path_from_anchors(img2, "Outline", circle_anchors(400, 400, 300, -30, 210, 40))
expect_error("no face frame at all", img2, FIT, ["face frame"], path=o2)
img2.delete()

# 3. The hairline on the fitted head vs flat, in the same selection on the head
# (8 to 25 mm under the top outline, ±30 mm across the midline).
SEL = (CX - 150, TOP + 8 * PPM, 300, 17 * PPM)
line = hairline(img)
img.select_rectangle(Gimp.ChannelOps.REPLACE, *SEL)


def proposal(head_model, **extra):
    status, message = run_hairline(img, photo, path=line, px_per_mm=0.0, seed=5, head_model=head_model, **extra)
    if not check(status == SUCCESS, f"hairline, head-model {head_model}: runs", message):
        return None
    group = proposal_groups(img)[0]
    kf = key_file(record_text(group))
    out = {
        "group": group,
        "dots": kf.get_int64("SMP Proposal", "total_dots"),
        "area": kf.get_double("SMP Proposal", "treated_area_cm2"),
        "on_head": kf.has_group("SMP Head Model"),
        "hashes": [pixel_hash(l) for l in session_layers(group)],
        "choice": kf.get_string("SMP Design", "head_model"),
    }
    return out


flat = proposal("flat")
if flat:
    img.remove_layer(flat["group"])
fitted = proposal("fitted", guides=True)
auto = None
if fitted:
    guides = [l for l in fitted["group"].get_children() if l.get_name() == "SMP guides"]
    check(len(guides) == 1, "the guides layer is there")
    if guides:
        gy = offsets(guides[0])[1]
        check(gy <= TOP + 2, "the guides reach the fitted outline's top", f"layer top {gy}, outline top {TOP:.0f}")
    img.remove_layer(fitted["group"])
    auto = proposal("auto")
    if auto:
        img.remove_layer(auto["group"])
if flat and fitted and auto:
    check(not flat["on_head"] and fitted["on_head"] and auto["on_head"],
          "the record holds the head model when one was used (fitted, auto) and not when flat")
    check(fitted["choice"] == "fitted" and flat["choice"] == "flat", "the record keeps the choice")
    check(auto["hashes"] == fitted["hashes"], "auto with a stored model is the fitted model")
    check(fitted["hashes"] != flat["hashes"], "the fitted model changes the layers")
    ratio = fitted["dots"] / max(flat["dots"], 1)
    info(f"dots: flat {flat['dots']}, fitted {fitted['dots']} (×{ratio:.2f}); treated area flat "
         f"{flat['area']:.1f} cm², fitted (skin) {fitted['area']:.1f} cm²")
    check(ratio > 1.3, "more dots in the image on the curved head (skin density / cos θ)", f"×{ratio:.2f}")
    check(fitted["area"] > flat["area"] * 1.1, "the treated area is skin area, larger than the image's",
          f"{fitted['area']:.1f} vs {flat['area']:.1f} cm²")

# 4. Flat on an image with a model is exactly an image without one; "fitted" without one fails.
img3, photo3 = new_image(1400, 1300)
pupils3 = path_from_anchors(img3, "Pupils", [(542.5, 800.0), (857.5, 800.0)])
run_proc(CAL, img3, path=pupils3, distance_mm=63.0)
line3 = hairline(img3)
img3.select_rectangle(Gimp.ChannelOps.REPLACE, *SEL)
status, message = run_hairline(img3, photo3, path=line3, px_per_mm=0.0, seed=5)
if check(status == SUCCESS, "no model, head-model auto: runs", message):
    plain = [pixel_hash(l) for l in session_layers(proposal_groups(img3)[0])]
    check(flat is not None and plain == flat["hashes"], "head-model flat is bit-identical to an image without a model")
    img3.remove_layer(proposal_groups(img3)[0])
expect_error("head-model fitted without a model", img3, PROC, ["head model"], drawables=[photo3], path=line3,
             px_per_mm=0.0, head_model="fitted")
img3.delete()

finish()
