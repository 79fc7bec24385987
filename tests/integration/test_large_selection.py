# test_large_selection.py: issue 12 row 17. A 19000² elliptical selection on a
# 20000² photo: the selection is read as tiles (uniform ones shared), so the
# plug-in's peak memory follows the selection's edge, not its box (a dense float
# copy of the box alone is 1.4 GB).
from smp_testlib import *

N, S = 20000, 19000
LIMIT_MB = 300 * MEMORY_ALLOWANCE

t0 = time.perf_counter()
img = Gimp.Image.new(N, N, Gimp.ImageBaseType.RGB)
photo = Gimp.Layer.new(img, "Client photo", N, N, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(photo, None, 0)
photo.fill(Gimp.FillType.WHITE)
m = (N - S) // 2
img.select_ellipse(Gimp.ChannelOps.REPLACE, m, m, S, S)
info(f"made the {N}×{N} image and a {S}×{S} selection in {time.perf_counter() - t0:.1f} s")

# The scalp strip above a line 2500 px down: the selection's top cap.
add_path(img, f"M 0 2500 L {N} 2500")
probe = (N // 2 - 32, N // 2 - 32, 64, 64)
before = hashlib.sha256(read(photo, "R'G'B'A u8", probe)).hexdigest()

reset_memory_report()
status, message, seconds = timed_run(img, photo, px_per_mm=10.0, density=20.0, sessions=1,
                                     scalp_side="left")
check(status == SUCCESS, "a run with a 19000² selection succeeds", f"{seconds:.1f} s {message}")
groups = proposal_groups(img)
layers = session_layers(groups[0]) if groups else []
check(len(layers) == 1, "one session layer", len(layers))
if layers:
    ox, oy = offsets(layers[0])
    # Dots near the top of the ellipse's cap and none outside it (a corner of the box).
    top = alpha_map(layers, (N // 2 - 200, m + 100, 400, 400))
    corner = alpha_map(layers, (m + 20, m + 20, 400, 400))
    n_top = sum(1 for row in top for v in row if v > 0)
    n_corner = sum(1 for row in corner for v in row if v > 0)
    check(n_top > 100, "dots inside the selection", f"{n_top} px")
    check(n_corner == 0, "nothing in the box's corner outside the ellipse", f"{n_corner} px")
check(hashlib.sha256(read(photo, "R'G'B'A u8", probe)).hexdigest() == before, "photo unchanged")

peaks = wait_for_peaks()
check(bool(peaks), "plug-in reported its memory", peaks)
if peaks:
    info(f"plug-in peak RSS {peaks[-1]:.0f} MB, {seconds:.1f} s (a dense float mask of the "
         f"box would be {S * S * 4 / 2 ** 20:.0f} MB)")
    check(peaks[-1] < LIMIT_MB, "plug-in memory bounded by the selection's edge tiles",
          f"{peaks[-1]:.0f} MB < {LIMIT_MB:.0f} MB")
finish()
