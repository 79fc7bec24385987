# test_optics_sample.py: the look on the bundled sample photo (tools/make-sample.c), as
# a client sees it: the full-density zone's darkening in linear light, per stage and look.
"""The composite is computed from the photo and the session layers in linear
light exactly as GIMP's Multiply composites them: photo × Π(1 − α + α·c)."""

import array
import os
import re
import subprocess
import tempfile

from gi.repository import Gio

from smp_testlib import Gimp, check, finish, info, proposal_groups, read, run_hairline, session_layers

PX_PER_MM = 12.0
# The full-density zone: 42 × 16 mm on the crown, more than the transition and
# the line's wander (8 + 3 + 1 mm) behind the drawn line and inside the scalp.
ZONE = (1248, 240, 504, 192)
LUM = (0.2126, 0.7152, 0.0722)

tmp = tempfile.mkdtemp()
subprocess.run([os.environ["SMP_MAKE_SAMPLE"], tmp], check=True, stdout=subprocess.DEVNULL)
img = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(os.path.join(tmp, "sample-head.png")))
photo = img.get_layers()[0]
svg = open(os.path.join(tmp, "sample-hairline.svg")).read()
res = img.import_paths_from_string(svg, len(svg.encode()), False, False)
paths = {p.get_name(): p for p in res[-1]}
hairline, scalp = paths["hairline"], paths["scalp"]

# The zone really is behind the line everywhere: the line's highest point is
# more than 12 mm below the zone's lowest row.
ys = [float(v) for v in re.findall(r"-?\d+\.?\d*", re.search(r'id="hairline"[^>]* d="([^"]+)"', svg).group(1))][1::2]
check(min(ys) - (ZONE[1] + ZONE[3]) > 12 * PX_PER_MM, "the zone lies in the full-density field",
      f"{(min(ys) - ZONE[1] - ZONE[3]) / PX_PER_MM:.1f} mm behind the line")

before = array.array("f", read(photo, "RGB float", ZONE))


def drop(stage, **args):
    """Mean luminance drop and mean blue/red transmittance over the zone."""
    img.select_item(Gimp.ChannelOps.REPLACE, scalp)
    status, message = run_hairline(img, photo, path=hairline, px_per_mm=PX_PER_MM, seed=2025, stage=stage, **args)
    Gimp.Selection.none(img)
    if not check(status == Gimp.PDBStatusType.SUCCESS, f"runs ({stage}, {args})", message):
        return 0.0, 1.0
    group = proposal_groups(img)[0]
    t = array.array("f", [1.0]) * (3 * ZONE[2] * ZONE[3])
    for layer in session_layers(group):
        ok, lx, ly = layer.get_offsets()
        rect = (ZONE[0] - lx, ZONE[1] - ly, ZONE[2], ZONE[3])
        px = array.array("f", read(layer, "RGBA float", rect))
        for i in range(ZONE[2] * ZONE[3]):
            a = px[4 * i + 3]
            for k in range(3):
                t[3 * i + k] *= 1 - a + a * px[4 * i + k]
    img.remove_layer(group)
    lb = la = 0.0
    ch = [0.0, 0.0, 0.0]
    cb = [0.0, 0.0, 0.0]
    for i in range(ZONE[2] * ZONE[3]):
        for k in range(3):
            p = before[3 * i + k]
            lb += LUM[k] * p
            la += LUM[k] * p * t[3 * i + k]
            ch[k] += p * t[3 * i + k]
            cb[k] += p
    return 1 - la / lb, (ch[2] / cb[2]) / (ch[0] / cb[0])


results = {}
for stage in ("fresh", "healed", "aged"):
    results[stage] = drop(stage)
    info(f"sample, defaults, {stage}: luminance drop {100 * results[stage][0]:.1f}%, "
         f"mean B/R transmittance {results[stage][1]:.3f}")
    print(f"# sample {stage}: drop {100 * results[stage][0]:.1f}% B/R {results[stage][1]:.3f}", flush=True)
check(0.08 <= results["healed"][0] <= 0.30, "healed darkens the full-density zone by 8-30%",
      f"{100 * results['healed'][0]:.1f}%")
check(results["fresh"][0] > results["healed"][0], "fresh is darker than healed")
check(all(r[0] <= 0.35 for r in results.values()), "no stage above 35% (a helmet)")
check(all(r[1] >= 1.0 for r in results.values()), "the work is neutral to cool, never a warmer skin")
check(results["healed"][1] > results["fresh"][1] * 0.9, "healed stays cool")

for look in ("shaved-natural", "defined-edge"):
    for stage in ("fresh", "healed"):
        d, br = drop(stage, preset=look)
        info(f"sample, look {look}, {stage}: drop {100 * d:.1f}%, B/R {br:.3f}")
        check(d <= 0.35, f"{look} {stage} stays below 35%", f"{100 * d:.1f}%")
        if look == "shaved-natural" and stage == "healed":
            check(0.08 <= d <= 0.30, "the healed shaved look darkens by 8-30%", f"{100 * d:.1f}%")

# Shine off: the same layers without the shine correction are never lighter.
d_on, _ = drop("healed")
d_off, _ = drop("healed", shine=False)
info(f"sample healed, shine kept on top {100 * d_on:.2f}%, shine off {100 * d_off:.2f}%")
check(d_off >= d_on, "keeping shine on top never darkens more")
finish()
