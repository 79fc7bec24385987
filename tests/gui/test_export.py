#!/usr/bin/env python3
# test_export.py: Export Design Sheet in a real GIMP under Xvfb: the client, notes and file belong to
# one image (a second photo starts them empty, the first gets its own back), an existing file is
# replaced only after the artist says so, and the written path is reported (return value and message).
"""Usage: test_export.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Types into the dialog with xdotool (mnemonics: Alt+F file, Alt+T client, Alt+N notes), reads
the sheets back with pdftotext and the image's "smp-sheet" parasite. Screenshots:
gui-export-*.png in --artefacts. Prints PASS/FAIL lines; exit 0, 1, or 77."""

import argparse
import hashlib
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, GuiError, skip_unless_available  # noqa: E402

failures = []
TITLE = "Export Design Sheet"
REPLACE = "Replace the design sheet"


def check(cond, what, detail=""):
    tail = f" ({detail})" if detail != "" else ""
    print(("PASS " if cond else "FAIL ") + what + tail, flush=True)
    if not cond:
        failures.append(what)
    return bool(cond)


SETUP = """
def proposal_image(line):
    image, layer = new_image(600, 450)
    add_path(image, line)
    status, message = run_hairline(image, layer, px_per_mm=10.0, density=60.0, seed=2)
    if status != SUCCESS:
        raise RuntimeError(message)
    Gimp.Display.new(image)
    Gimp.displays_flush()
    return image, proposal_groups(image)[0]

def export_interactive(image, group):
    proc = Gimp.get_pdb().lookup_procedure("plug-in-smp-design-sheet")
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    cfg.set_property("image", image)
    cfg.set_core_object_array("drawables", [group])
    res = proc.run(cfg)
    status = res.index(0).value_nick
    return [status, (res.index(1) or "") if res.length() > 1 else ""]

def sheet_fields(image):
    text = parasite_text(image, "smp-sheet") if "smp-sheet" in image.get_parasite_list() else None
    if text is None:
        return None
    kf = key_file(text)
    return {k: kf.get_string("SMP Sheet", k) for k in ("client", "notes", "file")}
"""


def pdf_text(path):
    p = subprocess.run(["pdftotext", path, "-"], capture_output=True, timeout=60)
    return p.stdout.decode("utf-8", "replace") if p.returncode == 0 else ""


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def open_export(gui, image, group):
    job = gui.call_async(f"result = export_interactive({image}, {group})")
    wid = gui.desktop.find(TITLE, timeout=60)
    time.sleep(1.0)  # the fields filled in
    return job, wid


def set_field(gui, wid, mnemonic, text, clear=True):
    gui.desktop.keys(wid, mnemonic)
    if clear:
        gui.desktop.keys(wid, "ctrl+a", "BackSpace")
    gui.desktop.type(wid, text)
    time.sleep(0.3)


def dismiss_messages(gui, keep):
    """Closes GIMP's message boxes (an error shown after a failed run)."""
    for w in gui.desktop.xdo("search", "--onlyvisible", "--name", "Message|GIMP Message").split():
        if w not in keep:
            gui.desktop.keys(w, "Escape")


def written(gui, job, shot=None):
    """The export's result box ("Design sheet exported", an information box, not
    GIMP's warning-icon message): seen, kept as a screenshot, closed; then the run's status."""
    box = gui.desktop.find("Design sheet exported", timeout=120)
    check(box is not None, "the written path is reported in an information box (“Design sheet exported”)")
    if box is not None:
        time.sleep(0.5)
        if shot:
            gui.screenshot(shot)
        gui.desktop.keys(box, "Return")
    return gui.wait(job, timeout=180)


def drive(gui, work):
    desk = gui.desktop
    gui.call(SETUP)
    gui.call("img_a, group_a = proposal_image('M 20 300 C 180 270 420 320 580 290')")
    gui.call("img_b, group_b = proposal_image('M 20 320 C 200 290 400 330 580 300')")
    main = gui.image_window()
    if not check(main is not None, "the image windows are on screen"):
        return
    sheet_a = os.path.join(work, "client-a.pdf")
    sheet_b = os.path.join(work, "client-b.pdf")
    for p in (sheet_a, sheet_b):
        if os.path.exists(p):
            os.remove(p)

    # 1. The first photo: file, client and notes typed, OK. The path comes back.
    job, wid = open_export(gui, "img_a", "group_a")
    if not check(wid is not None, "the export dialog opens"):
        return
    set_field(gui, wid, "alt+f", sheet_a)
    set_field(gui, wid, "alt+t", "Ann Example")
    set_field(gui, wid, "alt+n", "Scar at the left temple", clear=False)
    gui.screenshot("gui-export-first.png")
    desk.keys(wid, "alt+o")  # GIMP's _OK
    status = written(gui, job, "gui-export-written.png")
    check(status == ["success", sheet_a], "the first export succeeds and returns the written path", status)
    check("Ann Example" in pdf_text(sheet_a) and "Scar at the left temple" in pdf_text(sheet_a),
          "its sheet carries the client and the notes typed")
    fields_a = gui.call("result = sheet_fields(img_a)")
    check(fields_a == {"client": "Ann Example", "notes": "Scar at the left temple", "file": sheet_a},
          "the first photo keeps its client, notes and file (smp-sheet parasite)", fields_a)

    # 2. The second photo starts empty: OK at once has no file to write (had the
    # first photo's file leaked, it would ask to replace it).
    job, wid = open_export(gui, "img_b", "group_b")
    if not check(wid is not None, "the export dialog opens on the second photo"):
        return
    gui.screenshot("gui-export-second-opened.png")
    desk.keys(wid, "alt+o")
    time.sleep(1.5)
    asked = desk.find(REPLACE, timeout=2)
    if asked:
        desk.keys(asked, "Escape")
        desk.keys(wid, "Escape")
    status = gui.wait(job, timeout=120)
    check(asked is None and status[0] == "execution-error" and "Choose a local file" in status[1],
          "the second photo's dialog has no file (the first photo's did not leak)", status)
    time.sleep(1.0)
    dismiss_messages(gui, keep=())
    job, wid = open_export(gui, "img_b", "group_b")
    set_field(gui, wid, "alt+f", sheet_b)
    # Appended, not replaced: a leaked name would show in front of it.
    set_field(gui, wid, "alt+t", "Bob Sample", clear=False)
    desk.keys(wid, "alt+o")
    status = written(gui, job)
    text_b = pdf_text(sheet_b)
    check(status == ["success", sheet_b] and "Bob Sample" in text_b, "the second photo's sheet is written", status)
    check("Ann" not in text_b and "temple" not in text_b,
          "nothing of the first client is on the second sheet (client, notes)")
    fields_b = gui.call("result = sheet_fields(img_b)")
    check(fields_b == {"client": "Bob Sample", "notes": "", "file": sheet_b},
          "the second photo keeps its own fields", fields_b)

    # 3. Back on the first photo: its own fields return; its file exists, so OK
    # asks first. "Keep it" (the default) writes nothing; "Replace" writes.
    before = digest(sheet_a)
    mtime = os.stat(sheet_a).st_mtime_ns
    job, wid = open_export(gui, "img_a", "group_a")
    desk.keys(wid, "alt+o")
    asked = desk.find(REPLACE, timeout=30)
    check(asked is not None, "exporting over an existing sheet asks first")
    if asked is None:
        desk.keys(wid, "Escape")
        gui.wait(job)
        return
    gui.screenshot("gui-export-replace.png")
    desk.keys(asked, "Return")  # the default: _Keep it
    time.sleep(1.5)
    check(not gui.done(job) and desk.find(TITLE, timeout=5) is not None and os.stat(sheet_a).st_mtime_ns == mtime,
          "Keep it returns to the dialog and leaves the file alone")
    desk.keys(wid, "alt+o")
    asked = desk.find(REPLACE, timeout=30)
    if asked is not None:
        desk.keys(asked, "alt+r")
    status = written(gui, job)
    text_a = pdf_text(sheet_a)
    check(status == ["success", sheet_a] and os.stat(sheet_a).st_mtime_ns != mtime,
          "Replace writes the sheet again and returns its path", status)
    check("Ann Example" in text_a and "Bob" not in text_a and "Scar at the left temple" in text_a,
          "the first photo got its own client and notes back, not the second's")


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
    with GimpGui(args.plugin, args.patterns, work, args.artefacts, name="gui-export") as gui:
        try:
            drive(gui, work)
        except GuiError as e:
            check(False, "the GIMP side ran", str(e))
        if failures:
            gui.screenshot("gui-export-failure.png")
    if failures:
        print(f"FAIL {len(failures)} check(s) failed")
        return 1
    print("PASS all export checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
