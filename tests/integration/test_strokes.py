# test_strokes.py: a path of several strokes: two open hairline strokes (left and
# right) and a closed one (a scar patch, treated inside), plus a degenerate
# stroke that is skipped rather than failing the run.
from smp_testlib import *

PX_PER_MM = 10.0
W, H = 800, 600
LINE_Y = 250
CX, CY, R = 400, 480, 50

img, photo = new_image(W, H)
d = (f"M 20 {LINE_Y} L 380 {LINE_Y} "
     f"M 420 {LINE_Y} L 780 {LINE_Y} "
     f"M {CX - R} {CY} A {R} {R} 0 1 0 {CX + R} {CY} A {R} {R} 0 1 0 {CX - R} {CY} Z "
     f"M 600 120 L 600 120")
path = add_path(img, d)
info(f"path has {len(path.get_strokes()[1] if isinstance(path.get_strokes(), tuple) else path.get_strokes())} strokes")
before = pixel_hash(photo)
status, message = run_hairline(img, photo, px_per_mm=PX_PER_MM, fade_width=2.0,
                               sentinel_depth=2.0, irregularity=1.0, seed=9)
check(status == SUCCESS, "run with several strokes", message)
layers = session_layers(proposal_groups(img)[0])


def alpha_pixels(rect):
    rows = alpha_map(layers, rect)
    return sum(1 for row in rows for v in row if v > DOT_ALPHA)  # cores, not their faint shadows


behind_left = alpha_pixels((40, 40, 300, 160))
behind_right = alpha_pixels((460, 40, 300, 160))
check(behind_left > 1000 and behind_right > 1000, "dots behind both open strokes",
      f"{behind_left} and {behind_right} px")

# The scar patch: dense inside, nothing around it on the forehead.
inside = alpha_pixels((CX - 30, CY - 30, 60, 60))
check(inside > 150, "dots inside the closed stroke", f"{inside} px")
reach = 2.0 * PX_PER_MM + 5
forehead = alpha_pixels((0, int(LINE_Y + reach) + 1, W, int(CY - R - reach) - int(LINE_Y + reach) - 1))
check(forehead == 0, "no dots between the hairline and the patch", f"{forehead} px")
left_of_patch = alpha_pixels((0, CY - R, int(CX - R - reach), 2 * R))
right_of_patch = alpha_pixels((int(CX + R + reach) + 1, CY - R, W - int(CX + R + reach) - 1, 2 * R))
check(left_of_patch == 0 and right_of_patch == 0, "no dots beside the patch",
      f"{left_of_patch} and {right_of_patch} px")
box = layer_bounds_alpha(layers)
check(box and box[3] <= CY + R + reach, "no dots below the patch", box)
check(pixel_hash(photo) == before, "photo unchanged")

# A closed stroke alone: a scar camouflage patch with no hairline at all.
img2, photo2 = new_image(400, 400)
add_path(img2, "M 100 100 L 300 100 L 300 300 L 100 300 Z", name="Scar")
status, message = run_hairline(img2, photo2, px_per_mm=PX_PER_MM, fade_width=1.0,
                               sentinel=0.0, irregularity=0.0, micro_irregularity=0.0)
check(status == SUCCESS, "run with a closed stroke only", message)
box = layer_bounds_alpha(session_layers(proposal_groups(img2)[0]))
check(box and box[0] >= 95 and box[1] >= 95 and box[2] <= 305 and box[3] <= 305
      and box[0] <= 110 and box[3] >= 290, "patch filled, nothing outside", box)

finish()
