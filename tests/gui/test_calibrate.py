#!/usr/bin/env python3
# test_calibrate.py: Calibrate Scale in a real GIMP under Xvfb: before OK the dialog says which path,
# how many px and the px/mm that gives; choosing Ruler brings a ruler's distance instead of keeping
# the pupils' 63 mm; OK stores the scale (and the image's resolution) and says so in an information
# box, not a warning; the measuring path is removed when asked.
"""Usage: test_calibrate.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Reads the dialog's feedback from the lines it appends to SMP_PREVIEW_LOG ("calibrate ok=… text=…").
Screenshots: gui-calibrate-*.png in --artefacts. Prints PASS/FAIL lines; exit 0, 1, or 77."""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
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


SETUP = """
from aids_testlib import path_from_anchors, image_key_file
img, photo = new_image(1000, 700)
pupils = path_from_anchors(img, "Pupils", [(300.0, 400.0), (615.0, 400.0)])
img.set_selected_paths([pupils])
Gimp.Display.new(img)
Gimp.displays_flush()

def calibrate_interactive():
    proc = Gimp.get_pdb().lookup_procedure("plug-in-smp-calibrate")
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    cfg.set_property("image", img)
    res = proc.run(cfg)
    return [res.index(0).value_nick] + [res.index(i) for i in range(1, res.length())]
"""


def feedback(log):
    if not os.path.exists(log):
        return []
    out = []
    with open(log) as f:
        for line in f:
            if line.startswith("calibrate "):
                head, _, text = line[len("calibrate "):].rstrip("\n").partition(" text=")
                d = dict(kv.split("=", 1) for kv in head.split())
                d["text"] = text
                out.append(d)
    return out


def wait_feedback(log, count, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        lines = feedback(log)
        if len(lines) > count:
            time.sleep(0.5)
            return feedback(log)[-1]
        time.sleep(0.2)
    return None


def drive(gui, log):
    desk = gui.desktop
    gui.call(SETUP)
    job = gui.call_async("result = calibrate_interactive()")
    wid = desk.find("Calibrate Scale", timeout=60)
    if not check(wid is not None, "the Calibrate dialog opens"):
        return
    line = wait_feedback(log, 0)
    check(line is not None and line["ok"] == "1" and "“Pupils”" in line["text"] and "315.0 px" in line["text"]
          and "5.000 px/mm" in line["text"],
          "before OK it names the path, the px between its anchors and the px/mm", line and line["text"])
    gui.screenshot("gui-calibrate-pupils.png")

    # Measured with: Ruler (the choice below Pupils). Its distance replaces 63 mm.
    count = len(feedback(log))
    desk.keys(wid, "alt+m", "Down")
    line = wait_feedback(log, count)
    check(line is not None and abs(float(line["distance_mm"]) - 10.0) < 1e-9 and "31.500 px/mm" in line["text"],
          "choosing Ruler sets a ruler's 10 mm, not the pupils' 63 mm", line)
    gui.screenshot("gui-calibrate-ruler.png")
    # Remove the measuring path afterwards (Alt+W), then OK.
    desk.keys(wid, "alt+w", "alt+o")
    info = desk.find("Scale calibrated", timeout=30)
    check(info is not None, "OK says the result in an information box (“Scale calibrated”)")
    time.sleep(0.5)
    gui.screenshot("gui-calibrate-result.png")
    if info:
        desk.keys(info, "Return")
    status = gui.wait(job, timeout=60)
    check(status[0] == "success" and abs(status[1] - 31.5) < 1e-9, "the run returns 31.5 px/mm", status)
    state = gui.call("""
kf = image_key_file(img, "smp-calibration")
res = img.get_resolution()
result = [kf.get_double("SMP Calibration", "px_per_mm") if kf else None,
          kf.get_string("SMP Calibration", "method") if kf else None,
          list(res[-2:]), [p.get_name() for p in img.get_paths()]]
""")
    check(abs(state[0] - 31.5) < 1e-9 and state[1] == "ruler", "the scale and the method are stored", state)
    check(all(abs(r - 31.5 * 25.4) < 1e-6 for r in state[2]), "the image's resolution shows it (800.1 ppi)", state[2])
    check(state[3] == [], "the measuring path was removed, as asked", state[3])
    log_text = open(gui.log_path, errors="replace").read()
    check("when px-per-mm is 0" not in log_text, "no message about px-per-mm 0")


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
    log = os.path.join(work, f"calibrate-{os.getpid()}.log")
    with GimpGui(args.plugin, args.patterns, work, args.artefacts, extra_env={"SMP_PREVIEW_LOG": log},
                 name="gui-calibrate") as gui:
        try:
            drive(gui, log)
        except GuiError as e:
            check(False, "the GIMP side ran", str(e))
        if failures:
            gui.screenshot("gui-calibrate-failure.png")
    if failures:
        print(f"FAIL {len(failures)} check(s) failed")
        return 1
    print("PASS all calibrate checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
