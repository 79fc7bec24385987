# optics-strip.py: inside headless GIMP (python-fu-eval), run by tools/optics-strip.sh:
# the sample photo with the default proposal at each stage, flattened, one PNG each.
import os

import gi
gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, Gio  # noqa: E402

NONINTERACTIVE = Gimp.RunMode.NONINTERACTIVE
src = os.environ["SMP_STRIP_SAMPLE"]
out = os.environ["SMP_STRIP_OUT"]

for stage in ("healed", "fresh"):
    img = Gimp.file_load(NONINTERACTIVE, Gio.File.new_for_path(os.path.join(src, "sample-head.png")))
    photo = img.get_layers()[0]
    svg = open(os.path.join(src, "sample-hairline.svg")).read()
    paths = {p.get_name(): p for p in img.import_paths_from_string(svg, len(svg.encode()), False, False)[-1]}
    img.select_item(Gimp.ChannelOps.REPLACE, paths["scalp"])
    proc = Gimp.get_pdb().lookup_procedure("plug-in-smp-hairline")
    cfg = proc.create_config()
    cfg.set_property("run-mode", NONINTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", [photo])
    cfg.set_property("path", paths["hairline"])
    cfg.set_property("px-per-mm", 12.0)
    cfg.set_property("seed", 2025)
    cfg.set_property("stage", stage)
    result = proc.run(cfg)
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        raise RuntimeError(f"hairline failed: {result.index(1)}")
    Gimp.Selection.none(img)
    img.flatten()
    Gimp.file_save(NONINTERACTIVE, img, Gio.File.new_for_path(os.path.join(out, f"sample-{stage}.png")), None)
    img.delete()
    print(f"STRIP {stage}", flush=True)
print("STRIP-OK", flush=True)
