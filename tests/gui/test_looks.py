#!/usr/bin/env python3
# test_looks.py: the artist's own looks folder (issues 14 and 16): a look saved by Match Look
# from Photo in one GIMP process is listed by the Hairline dialog in the next GIMP process.
"""Usage: test_looks.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Two GIMP sessions (gui_harness.py) share one looks folder (SMP_USER_LOOKS_DIR, the
profile's smp-hairline/looks otherwise); the dialog logs the looks it offers
(SMP_PREVIEW_LOG). Prints PASS/FAIL lines; exit 0, 1, or 77 when a GUI tool is missing."""

import argparse
import os
import shutil
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, GuiError, skip_unless_available  # noqa: E402

failures = []


def check(cond, what, detail=""):
    tail = f" ({detail})" if detail != "" else ""
    print(("PASS " if cond else "FAIL ") + what + tail, flush=True)
    if not cond:
        failures.append(what)
    return bool(cond)


# A healed patch made by the Hairline procedure, flattened, then matched.
SAVE = """
W, H, PPM = 600, 400, 20.0
img = Gimp.Image.new(W, H, Gimp.ImageBaseType.RGB)
skin = Gimp.Layer.new(img, "Client photo", W, H, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(skin, None, 0)
skin.fill(Gimp.FillType.WHITE)
Gimp.context_set_foreground(Gegl.Color.new("#dfae94"))
skin.fill(Gimp.FillType.FOREGROUND)
line = add_path(img, f"M 0 4 L {W} 4", "Hairline")
img.select_rectangle(Gimp.ChannelOps.REPLACE, 200, 0, W - 200, H)
status, message = run_hairline(img, skin, path=line, px_per_mm=PPM, density=60.0, dot_diameter=0.5,
                               stage="healed", fade_width=0.0, sentinel=0.0, irregularity=0.0,
                               micro_irregularity=0.0, seed=3, shine=False)
photo = Gimp.Layer.new_from_visible(img, img, "Healed photo")
img.insert_layer(photo, None, 0)
img.select_rectangle(Gimp.ChannelOps.REPLACE, 280, 40, 300, 320)
proc = Gimp.get_pdb().lookup_procedure("plug-in-smp-match-look")
cfg = proc.create_config()
cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
cfg.set_property("image", img)
cfg.set_core_object_array("drawables", [photo])
cfg.set_property("px-per-mm", PPM)
cfg.set_property("untreated-path", add_path(img, "M 20 40 L 180 40 L 180 360 L 20 360 Z", "Bare skin"))
cfg.set_property("look-name", "Restart test look")
out = proc.run(cfg)
result = [out.index(0).value_nick] + [str(out.index(i)) for i in range(1, out.length())]
"""

OPEN = """
img2 = Gimp.Image.new(500, 400, Gimp.ImageBaseType.RGB)
photo2 = Gimp.Layer.new(img2, "Client photo", 500, 400, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
img2.insert_layer(photo2, None, 0)
photo2.fill(Gimp.FillType.WHITE)
add_path(img2, "M 20 200 L 480 200", "Hairline")
display = Gimp.Display.new(img2)
Gimp.displays_flush()
proc = Gimp.get_pdb().lookup_procedure("plug-in-smp-hairline")
cfg = proc.create_config()
cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
cfg.set_property("image", img2)
cfg.set_core_object_array("drawables", [photo2])
cfg.set_property("px-per-mm", 15.0)
result = proc.run(cfg).index(0).value_nick
"""


def looks_line(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        lines = [line for line in f if line.startswith("looks ")]
    return dict(kv.split("=", 1) for kv in lines[-1].split()[1:]) if lines else None


def log_values(path, prefix, key):
    """The `key=` values of the log's lines starting with `prefix`, in order."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [dict(kv.split("=", 1) for kv in line.split()[1:]).get(key)
                for line in f if line.startswith(prefix + " ")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--artefacts", required=True)
    args = ap.parse_args()
    skip_unless_available()

    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    looks = os.path.join(work, f"looks-{os.getpid()}")
    log = os.path.join(work, f"looks-{os.getpid()}.log")
    shutil.rmtree(looks, ignore_errors=True)
    env = {"SMP_USER_LOOKS_DIR": looks, "SMP_PREVIEW_LOG": log}
    look_id = None
    try:
        with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, extra_env=env,
                     name="gui-looks-1") as gui:
            out = gui.call(SAVE, timeout=300)
            check(out and out[0] == "success", "first GIMP: Match Look from Photo saves a look", out)
            if out and out[0] == "success":
                look_id = out[3]
        files = sorted(os.listdir(looks)) if os.path.isdir(looks) else []
        check(look_id is not None and f"{look_id}.smp-preset" in files, "the look file is in the folder", files)

        with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, extra_env=env,
                     name="gui-looks-2") as gui:
            job = gui.call_async(OPEN)
            end = time.time() + 120
            while time.time() < end and looks_line(log) is None:
                time.sleep(0.3)
            seen = looks_line(log)
            check(seen is not None, "second GIMP: the Hairline dialog lists its looks", seen)
            if seen is not None:
                yours = seen.get("yours", "").split(",")
                shipped = seen.get("shipped", "").split(",")
                check(look_id in yours, "the saved look is listed as the artist's", seen)
                check("shaved-natural" in shipped, "beside the shipped looks", seen)
            wid = gui.desktop.find("SMP Hairline", timeout=60)
            if wid and seen is not None:
                # The loaded look is the marked one, whatever row is highlighted,
                # and the note under the list keeps its height from look to look.
                desk = gui.desktop
                time.sleep(1.0)
                desk.keys(wid, "alt+k", "Return")  # the first row
                time.sleep(1.0)
                desk.keys(wid, "Down", "Down", "Return")  # the third
                time.sleep(1.0)
                desk.keys(wid, "Down")  # the fourth highlighted, not loaded
                time.sleep(1.0)
                gui.screenshot("gui-looks-marked.png")
                marked = log_values(log, "look-marked", "id")
                check(len(shipped) >= 4 and marked[-2:] == [shipped[0], shipped[2]],
                      "Return on a row loads and marks it; moving the highlight marks nothing", marked)
                heights = sorted({int(h) for h in log_values(log, "look-note", "height") if int(h) > 1})
                check(len(heights) == 1, "the look's note keeps one height whatever it says", heights)
            if wid:
                gui.desktop.keys(wid, "Escape")
            try:
                check(gui.wait(job, timeout=60) == "cancel", "the dialog closes on Escape")
            except GuiError as e:
                check(False, "the dialog closes on Escape", str(e))
    except GuiError as e:
        check(False, "the GIMP side ran", str(e))
    finally:
        shutil.rmtree(looks, ignore_errors=True)
        if os.path.exists(log):
            os.replace(log, os.path.join(args.artefacts, "gui-looks-preview.log"))

    if failures:
        print(f"FAIL {len(failures)} check(s) failed")
        return 1
    print("PASS all looks-folder checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
