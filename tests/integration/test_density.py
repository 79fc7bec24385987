# test_density.py: dots per cm², counted as separate alpha blobs in the output
# layers over a region of full density at a known scale, against the density asked.
from smp_testlib import *

PX_PER_MM = 20.0            # 0.25 mm dots are 5 px wide: separate, countable blobs
LINE_Y = 640                # the hairline; the scalp lies above it
W, H = 800, 700

img, photo = new_image(W, H)
path = add_path(img, f"M 0 {LINE_Y} L {W} {LINE_Y}")

# Full density starts behind the transition zone (8 mm) plus the line's
# wander (irregularity 3 mm + micro 1 mm): 12 mm = 240 px behind the line.
# Measure from 40 px under the top edge to 60 px beyond that.
region = (40, 40, W - 40, LINE_Y - 240 - 60)
x0, y0, x1, y1 = region
area_cm2 = (x1 - x0) * (y1 - y0) / (PX_PER_MM * 10) ** 2
margin = 12
window = (x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin)
info(f"measuring over {x1 - x0}×{y1 - y0} px = {area_cm2:.2f} cm²")

worst = 0.0
for density, under_hair in ((70.0, 100.0), (40.0, 100.0), (120.0, 100.0), (100.0, 40.0)):
    status, message = run_hairline(img, photo, px_per_mm=PX_PER_MM, density=density,
                                   dot_diameter=0.25, under_hair=under_hair, seed=11)
    if not check(status == SUCCESS, f"run at {density}/cm² × {under_hair}", message):
        continue
    group = proposal_groups(img)[0]
    amap = alpha_map(session_layers(group), window)
    count, _ = count_blobs(amap, window, region)
    measured = count / area_cm2
    wanted = density * under_hair / 100.0  # under-hair is a percentage
    error = (measured - wanted) / wanted
    worst = max(worst, abs(error))
    check(abs(error) <= 0.05, f"density {wanted:g}/cm² within ±5%",
          f"{count} dots, {measured:.1f}/cm², error {100 * error:+.2f}%")
    img.remove_layer(group)

info(f"worst density error {100 * worst:.2f}%")
finish()
