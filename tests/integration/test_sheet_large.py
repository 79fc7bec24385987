# test_sheet_large.py: issue 12 row 4. The design sheet of a 10000² photo: the
# views are read scaled down (strip by strip) to what the page can show and only
# the 1:1 detail at the photo's resolution, so the plug-in's peak memory stays
# under a fixed budget whatever the photo's size (it was ~20 bytes per pixel of
# the sheet's region: 2.0 GB here).
import subprocess

from smp_testlib import *
from gi.repository import Gio

SHEET = "plug-in-smp-design-sheet"
N = 10000
PX_PER_MM = 10.0
LIMIT_MB = 300 * MEMORY_ALLOWANCE
scratch = os.environ.get("SMP_TEST_SCRATCH", "/tmp")


def run_sheet(img, drawables, path):
    proc = Gimp.get_pdb().lookup_procedure(SHEET)
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", drawables)
    cfg.set_property("file", Gio.File.new_for_path(path))
    result = proc.run(cfg)
    status = result.index(0)
    return status, (result.index(1) if status != SUCCESS and result.length() > 1 else "") or ""


img = Gimp.Image.new(N, N, Gimp.ImageBaseType.RGB)
photo = Gimp.Layer.new(img, "Client photo", N, N, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(photo, None, 0)
photo.fill(Gimp.FillType.WHITE)
# A hairline across the bottom of the photo, scalp above: the sheet's region is
# the whole 10000².
add_path(img, f"M 0 {N - 400} C {N // 3} {N - 600} {2 * N // 3} {N - 200} {N} {N - 400}")
status, message, seconds = timed_run(img, photo, px_per_mm=PX_PER_MM, density=30.0, sessions=1,
                                     scalp_side="left")
check(status == SUCCESS, "the hairline run succeeds", f"{seconds:.1f} s {message}")
group = proposal_groups(img)[0]
PROBES = [(0, 0, 256, 256), (N // 2 - 128, N // 2 - 128, 256, 256), (N - 256, N - 256, 256, 256)]


def probe_hash():
    return hashlib.sha256(b"".join(read(photo, "R'G'B'A u8", r) for r in PROBES)).hexdigest()


photo_hash = probe_hash()

for ext in ("pdf", "png"):
    path = os.path.join(scratch, f"large-sheet.{ext}")
    reset_memory_report()
    t0 = time.perf_counter()
    status, message = run_sheet(img, [group], path)
    seconds = time.perf_counter() - t0
    check(status == SUCCESS and os.path.getsize(path) > 10000, f"{ext.upper()} sheet of a {N}² photo written",
          f"{seconds:.1f} s {message}")
    peaks = wait_for_peaks()
    if check(bool(peaks), f"{ext}: plug-in reported its memory", peaks):
        info(f"{ext}: plug-in peak RSS {peaks[-1]:.0f} MB, {seconds:.1f} s")
        check(peaks[-1] < LIMIT_MB, f"{ext}: sheet memory bounded", f"{peaks[-1]:.0f} MB < {LIMIT_MB:.0f} MB")
    if ext == "pdf":
        # The embedded pictures: the views no larger than the page needs, and the
        # 1:1 detail at the photo's own resolution (10 mm at 10 px/mm: 100 px).
        res = subprocess.run(["pdfimages", "-list", path], stdout=subprocess.PIPE, check=False)
        sizes = []
        for line in res.stdout.decode().splitlines()[2:]:
            f = line.split()
            if len(f) > 4 and f[2] == "image":
                sizes.append((int(f[3]), int(f[4])))
        info(f"embedded images: {sizes}")
        check(sizes and max(max(s) for s in sizes) <= 2048, "views embedded at page resolution", sizes)
        side = int(round(10 * PX_PER_MM))
        check((side, side) in sizes, f"1:1 detail embedded at {side}×{side} px", sizes)
check(probe_hash() == photo_hash, "photo unchanged")
finish()
