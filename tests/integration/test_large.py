# test_large.py: a 20000×20000 image works, and the plug-in's peak memory is
# bounded by its row chunks, not by the image (the runner starts the plug-in
# under /usr/bin/time, which appends its peak RSS to SMP_PLUGIN_MEMORY_REPORT).
from smp_testlib import *

N = 20000
report = os.environ.get("SMP_PLUGIN_MEMORY_REPORT", "")
if report and os.path.exists(report):
    os.unlink(report)

t0 = time.perf_counter()
img = Gimp.Image.new(N, N, Gimp.ImageBaseType.RGB)
photo = Gimp.Layer.new(img, "Client photo", N, N, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(photo, None, 0)
photo.fill(Gimp.FillType.WHITE)
info(f"made the {N}×{N} image in {time.perf_counter() - t0:.1f} s")

# A hairline across the whole width: the scalp strip above it is 20000 × 4000 px,
# so each session layer is over 300 MB even in u8; it is written in chunks.
add_path(img, f"M 0 4000 C 6000 3960 14000 4040 {N} 4000")
probe = (0, N - 64, 64, 64)   # a far corner of the photo: hashed before and after
before = hashlib.sha256(read(photo, "R'G'B'A u8", probe)).hexdigest()

status, message, seconds = timed_run(img, photo, px_per_mm=10.0, density=70.0, sessions=3)
check(status == SUCCESS, "20000×20000 run succeeds", f"{seconds:.1f} s {message}")
groups = proposal_groups(img)
layers = session_layers(groups[0]) if groups else []
check(len(layers) == 3, "three session layers", len(layers))
for layer in layers:
    ox, oy = offsets(layer)
    check(layer.get_width() >= N - 40 and oy == 0 and 4000 <= layer.get_height() < 4100,
          f"{layer.get_name()} spans the scalp strip",
          f"{layer.get_width()}×{layer.get_height()} at {ox},{oy}")
# Dots at both ends and in the middle of the width: the chunks joined up.
for x in (50, N // 2, N - 250):
    a = alpha_map(layers, (x, 100, 200, 200))
    n = sum(1 for row in a for v in row if v > 0)
    check(n > 100, f"dots around x = {x}", f"{n} px")
check(hashlib.sha256(read(photo, "R'G'B'A u8", probe)).hexdigest() == before, "photo unchanged")

if report and os.path.exists(report):
    line = open(report).read().strip().splitlines()[-1]   # the last process: the run
    fields = line.split()
    peak_mb = int(fields[fields.index("peak_kb") + 1]) / 1024
    w, h = layers[0].get_width(), layers[0].get_height()
    whole_layer_mb = w * h * 4 / 2 ** 20
    info(f"plug-in peak RSS {peak_mb:.0f} MB for an extent of {w}×{h} "
         f"(one whole u8 layer would be {whole_layer_mb:.0f} MB; the image {N * N * 4 / 2 ** 20:.0f} MB)")
    # The floor (libraries, the pattern, one 8 MB chunk) is about 100 MB; one whole
    # session layer alone would add over 300 MB.
    limit_mb = 0.5 * whole_layer_mb * MEMORY_ALLOWANCE
    check(peak_mb < limit_mb, "plug-in memory bounded by chunks", f"{peak_mb:.0f} MB < {limit_mb:.0f} MB")
else:
    check(False, "plug-in reported its memory", report)

finish()
