#!/usr/bin/env python3
# bench_preview.py: how long the dialog's live preview takes to refresh on a 24 MP photo
# (6000×4000 at 12 px/mm), with the whole photo in view and at 100% zoom.
"""Usage: bench_preview.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Opens the real dialog in GIMP 3 under Xvfb (gui_harness.py), types density values to
trigger refreshes and prints the timings the preview logs (SMP_PREVIEW_LOG): the
whole refresh (photo fetch + engine render + compositing + drawing), the engine's
share and the compositing's (the photo's conversion, the multiply, the display
conversion). Exit 77 when a GUI tool is missing."""

import argparse
import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, skip_unless_available  # noqa: E402
from test_dialog import PreviewLog, type_density  # noqa: E402

SETUP = """
img, photo = new_image(6000, 4000, texture=False)
Gimp.context_set_foreground(Gegl.Color.new("rgb(0.86,0.67,0.55)"))
photo.fill(Gimp.FillType.FOREGROUND)
add_path(img, "M 0 2200 C 2000 2150 4000 2250 6000 2200", name="Hairline")
Gimp.Display.new(img)
Gimp.displays_flush()
proc = Gimp.get_pdb().lookup_procedure(PROC)
cfg = proc.create_config()
cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
cfg.set_property("image", img)
cfg.set_core_object_array("drawables", [photo])
cfg.set_property("px-per-mm", 12.0)
"""


def refreshes(gui, log, wid, values):
    lines = []
    for v in values:
        count = len(log.lines())
        type_density(gui, wid, v)
        line = log.wait_new(count)
        if line:
            lines.append(line)
    return lines


def report(name, lines):
    if not lines:
        print(f"{name}: no refresh logged", flush=True)
        return
    total = [float(l["total_ms"]) for l in lines]
    render = [float(l["render_ms"]) for l in lines]
    composite = [float(l.get("composite_ms", 0)) for l in lines]
    source = [float(l["source_ms"]) for l in lines]
    design = [float(l.get("design_ms", 0)) for l in lines]
    last = lines[-1]
    print(f"{name}: {last['width']}×{last['height']} preview px at scale {float(last['scale']):.3f}, "
          f"{last['dots']} dots in view: refresh median {statistics.median(total):.1f} ms, "
          f"max {max(total):.1f} ms (engine render {statistics.median(render):.1f} ms, compositing "
          f"{statistics.median(composite):.1f} ms, "
          f"photo fetch {statistics.median(source):.1f} ms; making the design before it "
          f"{statistics.median(design):.1f} ms; {len(lines)} refreshes)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--artefacts", required=True)
    args = ap.parse_args()
    skip_unless_available()

    os.makedirs(args.work, exist_ok=True)
    log = PreviewLog(os.path.join(os.path.abspath(args.work), f"bench-{os.getpid()}.log"))
    with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, size=(1920, 1080),
                 extra_env={"SMP_PREVIEW_LOG": log.path}, name="gui-bench") as gui:
        gui.call(SETUP, timeout=300)
        count = len(log.lines())
        job = gui.call_async("result = proc.run(cfg).index(0).value_nick")
        wid = gui.desktop.find("SMP Hairline", timeout=120)
        first = log.wait_new(count, timeout=120) if wid else None
        if first is None:
            print("FAIL the dialog did not render its preview")
            return 1
        report("24 MP, whole photo, first refresh (fetches the photo)", [log.lines()[count]])
        report("24 MP, whole photo (default preview)", refreshes(gui, log, wid, [71, 72, 73, 70]))
        count = len(log.lines())
        gui.desktop.keys(wid, "alt+1")
        zoomed = log.wait_new(count)
        if zoomed:
            report("24 MP, 100% zoom, first refresh (fetches the photo)", [log.lines()[count]])
        report("24 MP, 100% zoom", refreshes(gui, log, wid, [71, 72, 73, 70]))
        gui.screenshot("gui-bench-100.png")
        gui.desktop.keys(wid, "Escape")
        gui.wait(job)
    if os.path.exists(log.path):
        os.remove(log.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
