# test_mirror.py: plug-in-smp-mirror-hairline turns a half hairline into a full,
# symmetric path: the new path holds the half unchanged and its reflection about
# the face midline, which GIMP's interpolation of the result matches within
# 0.5 px; either side, either drawing direction, upright or tilted faces, frame
# from a path or the stored parasite; bad input is refused, image unchanged.
from aids_testlib import *

MIRROR = "plug-in-smp-mirror-hairline"
TOL_PX = 0.5


def half_anchors(face, start_across, outward, left):
    """A Bézier half hairline in face px (across, up), with handles."""
    spec = [  # (in, anchor, out) as (across, up above the glabella)
        ((start_across - 25, 400), (start_across, 400), (start_across + 30, 398)),
        ((65, 392), (95, 385), (125, 376)),
        ((160, 362), (185, 345), (205, 325)),
        ((222, 300), (228, 280), (230, 262)),
    ]
    if not outward:
        spec = [(o, a, i) for (i, a, o) in reversed(spec)]
    sign = -1 if left else 1
    anchors, handles = [], []
    for i, a, o in spec:
        anchors.append(face.point(sign * a[0], a[1]))
        handles.append((face.point(sign * i[0], i[1]), face.point(sign * o[0], o[1])))
    return anchors, handles


def check_mirror(label, img, face, half, frame=None, on_midline=False):
    before_paths = [p.get_name() for p in img.get_paths()]
    args = {"path": half}
    if frame is not None:
        args["face_frame"] = frame
    status, values = run_proc(MIRROR, img, **args)
    if not check(status == SUCCESS and values and values[0] is not None, f"{label}: runs", values):
        return 0.0
    full = values[0]
    check(full.get_name() == half.get_name() + " (mirrored)", f"{label}: new path named after the half",
          full.get_name())
    added = sorted(set(p.get_name() for p in img.get_paths()) - set(before_paths))
    had_midline = "Face midline" in before_paths
    check(half.get_name() in [p.get_name() for p in img.get_paths()] and
          added == sorted([full.get_name()] + ([] if had_midline else ["Face midline"])),
          f"{label}: the mirrored path (and the face midline, once per image) added, the half kept", added)
    # The midline shown is the reflection's axis: each of its anchors is its own mirror image.
    mid = img.get_path_by_name("Face midline")
    ends = path_anchors(mid) if mid else []
    off = max((math.hypot(x - face.reflect(x, y)[0], y - face.reflect(x, y)[1]) for x, y in ends), default=-1)
    check(len(ends) == 2 and 0 <= off < 1e-6 and mid.get_visible(), f"{label}: the face midline is shown on the axis",
          f"{off:.2e} px")
    n = len(path_anchors(half))
    m = len(path_anchors(full))
    check(m == (2 * n - 1 if on_midline else 2 * n), f"{label}: anchor count", f"{n} -> {m}")

    # Every control point of the half and of its reflection is in the new path.
    got = path_control_points(full)
    want = path_control_points(half)
    refl = [face.reflect(x, y) for x, y in want]
    worst_cp = 0.0
    for p in want + refl:
        worst_cp = max(worst_cp, min(math.hypot(p[0] - q[0], p[1] - q[1]) for q in got))
    # The merged midline anchor drops one handle on each side: tolerate those two.
    if on_midline:
        worst_cp = sorted(min(math.hypot(p[0] - q[0], p[1] - q[1]) for q in got) for p in want + refl)[-3]
    check(worst_cp <= 1e-6, f"{label}: control points = the half + its exact reflection", f"{worst_cp:.2e} px")

    # GIMP's interpolation of the result against the half and its reflection.
    poly = path_polyline(full, 0.05)
    h = path_polyline(half, 0.05)
    rh = [face.reflect(x, y) for x, y in h]
    ref_a, ref_b = h, rh
    worst = 0.0
    for p in rh:  # the reflection is in the result
        worst = max(worst, point_polyline_distance(p, poly))
    for p in h:   # the half is in the result
        worst = max(worst, point_polyline_distance(p, poly))
    # ...and the result is nothing else (apart from the straight join across the midline).
    inner_h, inner_r = (h[0], rh[0]) if abs(face.coords(*h[0])[0]) < abs(face.coords(*h[-1])[0]) \
        else (h[-1], rh[-1])
    for p in poly[::4]:
        d = min(point_polyline_distance(p, ref_a), point_polyline_distance(p, ref_b),
                point_polyline_distance(p, [inner_h, inner_r]))
        worst = max(worst, d)
    check(worst <= TOL_PX, f"{label}: result matches the reflection within {TOL_PX} px", f"{worst:.4f} px")
    img.remove_path(full)
    return worst


faces = [("upright", Face(600, 700, 0.0, 230, 70, 5.0)), ("tilted 23°", Face(650, 720, -23.0, 210, 60, 4.4))]
worst_all = 0.0
for flabel, face in faces:
    img, photo = new_image(1300, 1200, texture=False)
    frame = frame_path(img, face, (1, 0, 2))
    first = True
    for left in (False, True):
        for outward in (True, False):
            for start in (0.0, 8.0):
                anchors, handles = half_anchors(face, start, outward, left)
                half = path_from_anchors(img, "Half", anchors, handles)
                label = (f"{flabel}, {'left' if left else 'right'} half drawn "
                         f"{'outward' if outward else 'inward'}, {'on' if start == 0 else 'off'} midline")
                # The first run takes the frame path (and stores it); later runs the stored frame.
                worst_all = max(worst_all, check_mirror(label, img, face, half, frame if first else None,
                                                        on_midline=(start == 0.0)))
                if first:
                    check(img.get_parasite("smp-face-frame") is not None,
                          f"{flabel}: the face frame given is stored")
                first = False
                img.remove_path(half)
    img.delete()
info(f"mirror: worst distance between the result and the reflection {worst_all:.4f} px")

# Bad input: error, image unchanged.
img, photo = new_image(1300, 1200, texture=False)
face = faces[0][1]
anchors, handles = half_anchors(face, 0.0, True, False)
half = path_from_anchors(img, "Half", anchors, handles)
expect_error("no face frame", img, MIRROR, ["face frame"], path=half)
frame = frame_path(img, face)
one = Gimp.Path.new(img, "One anchor")
one.bezier_stroke_new_moveto(*face.point(50, 400))
img.insert_path(one, None, 0)
expect_error("half with one anchor", img, MIRROR, ["two anchors"], path=one, face_frame=frame)
across = path_from_anchors(img, "Across", [face.point(-120, 390), face.point(0, 400), face.point(200, 350)])
expect_error("half reaching across the midline", img, MIRROR, ["across"], path=across, face_frame=frame)
two = path_from_anchors(img, "Two", [(10.0, 10.0), (200.0, 10.0)])
expect_error("face-frame path with two anchors", img, MIRROR, ["three"], path=half, face_frame=two)
img.delete()

finish()
