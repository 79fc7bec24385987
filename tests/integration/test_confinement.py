# test_confinement.py: where dots may fall. Never outside the selection (alpha
# bounded by the selection's coverage, feathered edges included), never ahead of
# the line beyond the sentinel zone, and over the whole scalp side without one.
from smp_testlib import *

PX_PER_MM = 10.0
W, H, LINE_Y = 600, 500, 300


def session_alpha_vs_selection(img, layers):
    """(pixels with alpha, pixels where alpha exceeds the selection's coverage, worst excess)."""
    with_alpha = over = 0
    worst = 0.0
    for layer in layers:
        ox, oy = offsets(layer)
        w, h = layer.get_width(), layer.get_height()
        a = alpha_floats(layer)
        sel = selection_floats(img, (ox, oy, w, h))
        for i in range(w * h):
            if a[i] > 0.0:
                with_alpha += 1
                excess = a[i] - sel[i]
                if excess > 1.0 / 255:
                    over += 1
                    worst = max(worst, excess)
    return with_alpha, over, worst


# 1. A hard-edged ellipse straddling the line: dots only inside it.
img, photo = new_image(W, H)
add_path(img, f"M 0 {LINE_Y} L {W} {LINE_Y}")
img.select_ellipse(Gimp.ChannelOps.REPLACE, 150, 120, 300, 240)
before = pixel_hash(photo)
status, message = run_hairline(img, photo, px_per_mm=PX_PER_MM)
check(status == SUCCESS, "run with an elliptic selection", message)
layers = session_layers(proposal_groups(img)[0])
with_alpha, over, worst = session_alpha_vs_selection(img, layers)
check(with_alpha > 500, "dots inside the selection", f"{with_alpha} px with alpha")
check(over == 0, "no alpha outside the selection", f"{over} px over, worst {worst:.3f}")
box = layer_bounds_alpha(layers)
check(box and box[0] >= 150 and box[1] >= 120 and box[2] <= 450 and box[3] <= 360,
      "dots within the selection's bounds", box)
check(pixel_hash(photo) == before, "photo unchanged")

# 2. A feathered selection: alpha never exceeds the coverage at any pixel.
img2, photo2 = new_image(W, H)
add_path(img2, f"M 0 {LINE_Y} L {W} {LINE_Y}")
img2.select_rectangle(Gimp.ChannelOps.REPLACE, 100, 50, 400, 200)
Gimp.Selection.feather(img2, 60.0)
status, message = run_hairline(img2, photo2, px_per_mm=PX_PER_MM)
check(status == SUCCESS, "run with a feathered selection", message)
layers = session_layers(proposal_groups(img2)[0])
with_alpha, over, worst = session_alpha_vs_selection(img2, layers)
check(with_alpha > 500 and over == 0, "alpha within the feathered coverage",
      f"{with_alpha} px with alpha, {over} over, worst {worst:.3f}")

# 3. Ahead of the line: only sentinels, and none beyond the sentinel depth
# (plus the largest impression's reach). Straight line first, then the default
# wandering line (irregularity moves the line behind the drawn one, never ahead).
DOT_MM = 0.25
reach_px = DOT_MM * PX_PER_MM * (1 + 0.2) / 2 * 1.4 + 2.5
for irregular in (False, True):
    img3, photo3 = new_image(W, H)
    add_path(img3, f"M 0 {LINE_Y} L {W} {LINE_Y}")
    args = dict(px_per_mm=PX_PER_MM, dot_diameter=DOT_MM, sentinel=0.3, sentinel_depth=2.0,
                density=90.0, seed=3)
    if not irregular:
        args.update(irregularity=0.0, micro_irregularity=0.0)
    status, message = run_hairline(img3, photo3, **args)
    label = "wandering line" if irregular else "straight line"
    check(status == SUCCESS, f"run ({label})", message)
    layers = session_layers(proposal_groups(img3)[0])
    limit = LINE_Y + 2.0 * PX_PER_MM + reach_px
    rows = alpha_map(layers, (0, LINE_Y, W, H - LINE_Y))
    deepest = max((LINE_Y + y for y, row in enumerate(rows) if max(row) > DOT_ALPHA), default=None)
    check(deepest is not None, f"sentinel dots ahead of the line ({label})", deepest)
    check(deepest is None or deepest < limit, f"nothing beyond the sentinel zone ({label})",
          f"deepest alpha row {deepest}, limit {limit:.1f}")
    # Sentinels are sparse: far fewer dots in the zone than full density would put there.
    zone = (0, LINE_Y + 3, W, 2.0 * PX_PER_MM - 3)
    zone_rows = alpha_map(layers, (0, LINE_Y, W, int(limit - LINE_Y) + 1))
    count, _ = count_blobs(zone_rows, (0, LINE_Y, W, len(zone_rows)),
                           (0, LINE_Y + 3, W, LINE_Y + 2.0 * PX_PER_MM))
    full = 90.0 * (W * (2.0 * PX_PER_MM - 3)) / (PX_PER_MM * 10) ** 2
    check(count < 0.6 * full, f"sentinels are sparse ({label})",
          f"{count} dots where full density puts {full:.0f}")

# 4. No selection: the whole scalp side, edge to edge.
img4, photo4 = new_image(W, H)
add_path(img4, f"M 0 {LINE_Y} L {W} {LINE_Y}")
status, message = run_hairline(img4, photo4, px_per_mm=PX_PER_MM)
check(status == SUCCESS, "run without a selection", message)
box = layer_bounds_alpha(session_layers(proposal_groups(img4)[0]))
check(box and box[0] <= 10 and box[1] <= 10 and box[2] >= W - 10,
      "dots reach every edge of the scalp side", box)

# Auto side with a selection on both sides of the line. A generous one (the whole
# head: 150 px above the line, 380 below, down the temples) still means the scalp
# above, as on an upright photo; a selection wholly on one side names that side.
for label, rect, scalp_above in (("whole head, mostly below the line", (40, 150, 520, 530), True),
                                 ("only below the line", (40, LINE_Y + 5, 520, 190), False)):
    img_s, photo_s = new_image(W, 700)
    add_path(img_s, f"M 0 {LINE_Y} L {W} {LINE_Y}")
    img_s.select_rectangle(Gimp.ChannelOps.REPLACE, *rect)
    status, message = run_hairline(img_s, photo_s, px_per_mm=PX_PER_MM, sentinel=0.0,
                                   irregularity=0.0, micro_irregularity=0.0)
    box = layer_bounds_alpha(session_layers(proposal_groups(img_s)[0])) if status == SUCCESS else None
    ok = box is not None and ((box[3] <= LINE_Y + 3) if scalp_above else (box[1] >= LINE_Y - 3))
    check(status == SUCCESS and ok, f"auto side, {label}: dots {'above' if scalp_above else 'below'} the line",
          f"{message} {box}")

finish()
