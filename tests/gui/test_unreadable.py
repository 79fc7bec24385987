#!/usr/bin/env python3
# test_unreadable.py: an interactive re-edit of a proposal whose stored record cannot be read
# (issue 12, row 11): GIMP shows a message saying so, the dialog opens, Cancel keeps the proposal;
# then hostile records (the hostile-XCF corpus's kinds) through the same interactive re-edit.
"""Usage: test_unreadable.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

A proposal is made by script, its record spoiled, then Hairline… runs interactively on the
same photo in a real GIMP under Xvfb (gui_harness.py). Screenshot: gui-unreadable.png.
Prints PASS/FAIL lines; exit 0, 1, or 77 when a GUI tool is missing."""

import argparse
import os
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


MAKE = """
img, photo = new_image(600, 400)
line = add_path(img, "M 20 200 L 580 200", name="Hairline")
status, message = run_hairline(img, photo, path=line, px_per_mm=10.0, seed=5)
group = proposal_groups(img)[0]
good = record_text(group)
set_record_text(group, "[SMP Design]\\ndensity_per_cm2=nan\\n[SMP Proposal]\\nversion=2\\n")
display = Gimp.Display.new(img)
Gimp.displays_flush()
result = [status.value_nick, len(proposal_groups(img)), record_text(group)]
"""

REEDIT = """
proc = Gimp.get_pdb().lookup_procedure("plug-in-smp-hairline")
cfg = proc.create_config()
cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
cfg.set_property("image", img)
cfg.set_core_object_array("drawables", [group])  # re-edit: run on the proposal
result = proc.run(cfg).index(0).value_nick
"""

# Hostile records, each made from the good one: the dialog must open (or the run
# refuse) in bounded time, Cancel must leave the image as it was.
def with_key(key, value):
    return (f"set_record_text(group, re.sub(r'(?m)^{key}=.*$', {key + '=' + value!r}, good)"
            f" if re.search(r'(?m)^{key}=', good) else good.replace('[SMP Proposal]\\n', "
            f"'[SMP Proposal]\\n' + {key + '=' + value!r} + '\\n'))")


HOSTILE = [
    ("a preset climbing out of patterns/", with_key("preset", "../../../../tmp/smp-evil-bait")),
    ("an extent at INT_MAX", with_key("extent", "2147483647;2147483647;2147483647;2147483647")),
    ("a treated area of 1e308 cm²", with_key("treated_area_cm2", "1e308")),
    ("a 10 MB check message", "set_record_text(group, good + '\\n[SMP Checks]\\nchecked=height\\nfindings=1\\n"
                              "height=' + 'x' * (10 << 20) + '\\n')"),
]

AFTER = "result = [len(proposal_groups(img)), record_text(proposal_groups(img)[0]), photo_hash(photo)]"
HASH = """
import hashlib
def photo_hash(layer):
    return hashlib.sha256(read(layer, "R'G'B'A u8")).hexdigest()
result = photo_hash(photo)
"""


def main():
    ap = argparse.ArgumentParser()
    for a in ("--plugin", "--patterns", "--work", "--artefacts"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    skip_unless_available()
    try:
        with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, name="gui-unreadable") as gui:
            made = gui.call(MAKE, timeout=300)
            check(made and made[0] == "success" and made[1] == 1, "a proposal to spoil", made and made[:2])
            spoiled = made[2] if made else None
            before = gui.call(HASH)
            job = gui.call_async(REEDIT)
            msg = gui.desktop.find("GIMP Message", timeout=90)
            wid = gui.desktop.find("SMP Hairline", timeout=90)
            gui.screenshot("gui-unreadable.png")
            check(msg is not None, "GIMP shows a message about the unreadable record")
            check(wid is not None, "the dialog still opens (from the last-used values)")
            if wid:
                gui.desktop.keys(wid, "Escape")
            try:
                check(gui.wait(job, timeout=90) == "cancel", "Cancel leaves the run")
            except GuiError as e:
                check(False, "Cancel leaves the run", str(e))
            after = gui.call(AFTER)
            check(after[0] == 1 and after[1] == spoiled,
                  "Cancel keeps the proposal and its record as they were", after[:1])
            check(after[2] == before, "the photo's pixels are unchanged")
            for w in gui.desktop.xdo("search", "--onlyvisible", "--name", "GIMP Message").split():
                gui.desktop.keys(w, "Escape")

            for name, edit in HOSTILE:
                gui.call("import re\n" + edit + "\nresult = len(record_text(group))", timeout=120)
                start = time.time()
                job = gui.call_async(REEDIT)
                wid = None
                while time.time() - start < 60 and not gui.done(job):
                    wid = gui.desktop.find("SMP Hairline", timeout=1)
                    if wid:
                        break
                took = time.time() - start
                if wid:
                    gui.desktop.keys(wid, "Escape")
                try:
                    status = gui.wait(job, timeout=60)
                except GuiError as e:
                    status = str(e)
                check(took < 60 and status in ("cancel", "execution-error", "calling-error"),
                      f"{name}: the dialog opens or the run refuses, within 60 s", f"{status}, {took:.1f} s")
                after = gui.call(AFTER)
                check(after[0] == 1 and after[2] == before,
                      f"{name}: one proposal still, the photo's pixels unchanged", after[:1])
                for w in gui.desktop.xdo("search", "--onlyvisible", "--name", "GIMP Message").split():
                    gui.desktop.keys(w, "Escape")
    except GuiError as e:
        check(False, "the GIMP side ran", str(e))
    if failures:
        print(f"FAIL {len(failures)} check(s) failed")
        return 1
    print("PASS all unreadable-record checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
