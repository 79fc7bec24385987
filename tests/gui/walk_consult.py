#!/usr/bin/env python3
# walk_consult.py: the consultation walked once as a new user in a real GIMP under Xvfb, on the
# generated sample photo: calibrate from the pupils, the hairline path, the scalp selected, the
# Hairline dialog (framed preview, before/after), the proposal on the canvas, the design sheet.
# Not a test: it keeps one screenshot per step (docs/images/consult/ holds the last run's).
"""Usage: walk_consult.py --plugin EXE --patterns DIR --sample DIR --out DIR

DIR from smp-make-sample (sample-head.png, sample-hairline.svg, sample-head.ini). Writes
NN-step.png into --out, each cropped to the window that matters and halved."""

import argparse
import configparser
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, skip_unless_available  # noqa: E402

SCREEN = (1920, 1080)


def shot(gui, out, name, wid=None, scale=50):
    """The screen (or one window) as out/name, scaled to `scale` %, few colours."""
    full = gui.screenshot("walk-full.png")
    crop = []
    if wid:
        x, y, w, h = gui.desktop.geometry(wid)
        x, y = max(0, x), max(0, y)
        w, h = min(w, SCREEN[0] - x), min(h, SCREEN[1] - y)
        crop = ["-crop", f"{w}x{h}+{x}+{y}", "+repage"]
    path = os.path.join(out, name)
    subprocess.run(["convert", full] + crop + ["-resize", f"{scale}%", "-colors", "192", "-strip", path],
                   check=True, timeout=60)
    print("shot", path, flush=True)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    skip_unless_available()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    work = os.path.join(out, "..", "walk-work")
    os.makedirs(work, exist_ok=True)
    ini = configparser.ConfigParser()
    ini.read(os.path.join(args.sample, "sample-head.ini"))
    k = ini["SMP Sample"]
    photo = os.path.abspath(os.path.join(args.sample, "sample-head.png"))
    svg = os.path.abspath(os.path.join(args.sample, "sample-hairline.svg"))
    sheet = os.path.abspath(os.path.join(work, "client-sheet.pdf"))
    if os.path.exists(sheet):
        os.remove(sheet)

    with GimpGui(args.plugin, args.patterns, work, work, size=SCREEN, name="walk") as gui:
        d = gui.desktop
        gui.call(f"""
from aids_testlib import path_from_anchors
img = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path({photo!r}))
photo = img.get_layers()[0]
disp = Gimp.Display.new(img)
Gimp.displays_flush()
def run(name, **kw):
    proc = Gimp.get_pdb().lookup_procedure(name)
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    cfg.set_property("image", img)
    if "drawables" in kw:
        cfg.set_core_object_array("drawables", kw.pop("drawables"))
    for key, v in kw.items():
        cfg.set_property(key.replace("_", "-"), v)
    res = proc.run(cfg)
    return res.index(0).value_nick
""".replace("from aids_testlib", "from gi.repository import Gio\nfrom aids_testlib"))
        main_win = gui.image_window()
        time.sleep(1.0)
        shot(gui, out, "01-photo.png", main_win)

        # 1. Calibrate from the pupils: a two-anchor path on them.
        gui.call(f"""
pupils = path_from_anchors(img, "Pupils", [({k['pupil_left_x']}, {k['pupil_left_y']}),
                                           ({k['pupil_right_x']}, {k['pupil_right_y']})])
pupils.set_visible(True)
img.set_selected_paths([pupils])
Gimp.displays_flush()
""")
        job = gui.call_async("result = run('plug-in-smp-calibrate')")
        wid = d.find("Calibrate Scale", timeout=60)
        time.sleep(1.5)
        d.keys(wid, "alt+w")  # remove the measuring path afterwards
        time.sleep(0.5)
        shot(gui, out, "02-calibrate-dialog.png", wid, scale=75)
        d.keys(wid, "alt+o")
        info = d.find("Scale calibrated", timeout=30)
        time.sleep(1.0)
        shot(gui, out, "03-calibrate-result.png", info, scale=75)
        d.keys(info, "Return")
        gui.wait(job)

        # 2. The hairline path (drawn by the artist; here imported) and the scalp selected.
        gui.call(f"""
res = img.import_paths_from_file(Gio.File.new_for_path({svg!r}), False, False)
hair = res[-1][0]
hair.set_name("Hairline")
hair.set_visible(True)
img.set_selected_paths([hair])
img.select_ellipse(Gimp.ChannelOps.REPLACE, 620, 30, 1800, 2440)  # the whole head, as a new user might
img.set_selected_layers([photo])
Gimp.displays_flush()
""")
        time.sleep(1.0)
        shot(gui, out, "04-hairline-and-scalp.png", main_win)

        # 3. The Hairline dialog: framed on the line; before/after (Alt+P).
        job = gui.call_async("result = run('plug-in-smp-hairline', drawables=[photo], px_per_mm=0.0)")
        wid = d.find("SMP Hairline", timeout=90)
        d.xdo("windowmove", "--sync", wid, "0", "0")
        time.sleep(6.0)
        shot(gui, out, "05-hairline-dialog.png", wid)
        d.keys(wid, "alt+p")
        time.sleep(4.0)
        shot(gui, out, "06-hairline-before.png", wid)
        d.keys(wid, "alt+p")
        time.sleep(3.0)
        d.keys(wid, "alt+e")  # Create proposal
        print("hairline:", gui.wait(job, timeout=300), flush=True)
        time.sleep(2.0)
        shot(gui, out, "07-proposal-on-canvas.png", main_win)

        # 4. The design sheet: client and notes, OK; the path is reported.
        gui.call("img.set_selected_layers([proposal_groups(img)[0]])")
        job = gui.call_async("result = run('plug-in-smp-design-sheet')")
        wid = d.find("Export Design Sheet", timeout=60)
        time.sleep(1.0)
        for key, text in (("alt+f", sheet), ("alt+t", "New client")):
            d.keys(wid, key, "ctrl+a")
            d.type(wid, text)
        d.keys(wid, "alt+n")
        d.type(wid, "First consultation. Soft natural hairline, three sessions.")
        time.sleep(0.5)
        shot(gui, out, "08-export-dialog.png", wid, scale=75)
        d.keys(wid, "alt+o")
        box = d.find("Design sheet exported", timeout=300)
        if box:
            time.sleep(1.0)
            shot(gui, out, "09-sheet-written.png", main_win)
            d.keys(box, "Return")
        print("sheet:", gui.wait(job, timeout=300), flush=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", sheet, os.path.join(out, "10-design-sheet")],
                       check=False, timeout=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
