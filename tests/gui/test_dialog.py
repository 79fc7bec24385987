#!/usr/bin/env python3
# test_dialog.py: the consultation dialog in a real GIMP under Xvfb: the preview shows dark
# dots over skin and follows a density typed in, the canvas preview goes away on Cancel,
# re-edit opens with the stored values and replaces the proposal, one Ctrl+Z undoes it.
"""Usage: test_dialog.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Uses gui_harness.py (GIMP 3 -n on Xvfb, Python inside GIMP on demand). The dialog
is driven with xdotool through its mnemonics; the preview is found on screen from
the position the plug-in logs (SMP_PREVIEW_LOG) and measured in screenshots, which
stay in --artefacts (dialog.png: the dialog after the density change).
Prints PASS/FAIL lines; exit 0, 1, or 77 when a GUI tool is missing."""

import argparse
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, GuiError, skip_unless_available  # noqa: E402

SCREEN = (2800, 1100)  # room for the dialog right of GIMP's window
SCALP_MAX_Y = 280      # image rows above this: full density whatever the undulation
FOREHEAD_MIN_Y = 560   # below this: beyond the sentinels' reach (line at y ≈ 420)
DARK = 0.72            # a dot pixel: luminance below 72% of the skin's median
failures = []


def check(cond, what, detail=""):
    tail = f" ({detail})" if detail != "" else ""
    print(("PASS " if cond else "FAIL ") + what + tail, flush=True)
    if not cond:
        failures.append(what)
    return bool(cond)


# ---- Pixels of screenshots -------------------------------------------------------

def crop_rgb(png, rect):
    x, y, w, h = rect
    return subprocess.run(["convert", png, "-crop", f"{w}x{h}+{x}+{y}", "+repage", "-depth", "8",
                           "rgb:-"], capture_output=True, check=True, timeout=60).stdout


def save_crop(png, rect, out):
    x, y, w, h = rect
    subprocess.run(["convert", png, "-crop", f"{w}x{h}+{x}+{y}", "+repage", out], check=True,
                   timeout=60)


def luminance(rgb, i):
    return 0.2126 * rgb[i] + 0.7152 * rgb[i + 1] + 0.0722 * rgb[i + 2]


class Skin:
    """A screenshot crop of the photo: its skin's median luminance, and the share of
    dark (dotted) pixels in a band of rows."""

    def __init__(self, png, rect):
        self.w, self.h = rect[2], rect[3]
        self.rgb = crop_rgb(png, rect)
        lums = sorted(luminance(self.rgb, i) for i in range(0, len(self.rgb), 3))
        self.median = lums[len(lums) // 2] if lums else 0.0
        i = 3 * ((self.h // 2) * self.w + self.w // 2)
        r, g, b = self.rgb[i:i + 3] if lums else (0, 0, 0)
        self.looks_like_skin = r > g > b and r > 150 and self.median > 100

    def dark(self, y0=0, y1=None, median=None):
        y0, y1 = max(0, y0), min(self.h, self.h if y1 is None else y1)
        limit = DARK * (median or self.median)
        n = sum(1 for y in range(y0, y1) for x in range(self.w)
                if luminance(self.rgb, 3 * (y * self.w + x)) < limit)
        return n, max(1, (y1 - y0) * self.w)


def overlap(a, b):
    """The area two (x, y, w, h) screen rectangles share."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def skin_box(png, rect):
    """Bounding box (screen px) of skin-coloured pixels in `rect`: the canvas."""
    rgb = crop_rgb(png, rect)
    w, h = rect[2], rect[3]
    xs, ys = [], []
    for y in range(0, h, 2):
        for x in range(0, w, 2):
            i = 3 * (y * w + x)
            r, g, b = rgb[i], rgb[i + 1], rgb[i + 2]
            if r > 170 and r > g + 15 and g > b + 15:
                xs.append(x)
                ys.append(y)
    if len(xs) < 1000:
        return None
    xs.sort()
    ys.sort()
    cut = len(xs) // 50  # ignore the layer thumbnail's few skin pixels
    return (rect[0] + xs[cut], rect[1] + ys[cut], xs[-cut - 1] - xs[cut], ys[-cut - 1] - ys[cut])


# ---- The preview's log -------------------------------------------------------------

class PreviewLog:
    """Lines the plug-in appends after each preview refresh (SMP_PREVIEW_LOG)."""

    def __init__(self, path):
        self.path = path

    def lines(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [dict(kv.split("=", 1) for kv in line.split()[1:])
                    for line in f if line.startswith("preview ")]

    def canvas(self):
        """The canvas preview's lines: what it did and whether undo was live after."""
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [line.split()[1:] for line in f if line.startswith("canvas ")]

    def wait_canvas(self, count, timeout=30):
        end = time.time() + timeout
        while time.time() < end and len(self.canvas()) <= count:
            time.sleep(0.2)
        lines = self.canvas()
        return lines[count] if len(lines) > count else None

    def wait_new(self, count, timeout=60):
        """A line past `count`, once the preview has settled (1 s without a render)."""
        end = time.time() + timeout
        while time.time() < end and len(self.lines()) <= count:
            time.sleep(0.2)
        lines = self.lines()
        if len(lines) <= count:
            return None
        while time.time() < end:
            time.sleep(1.0)
            now = self.lines()
            if len(now) == len(lines):
                break
            lines = now
        return lines[-1]


def open_dialog(gui, log, count, title, placement):
    """Waits for the dialog and its first refresh (a log line past `count`), then
    moves it right of GIMP's window. Returns (window, preview rect on screen, View)."""
    desk = gui.desktop
    wid = desk.find(title)
    if not check(wid is not None, f"the dialog “{title}” opens"):
        return None, None, None
    x0, y0, _, _ = desk.geometry(wid)
    first = log.wait_new(count)
    if not check(first is not None, f"the preview of “{title}” renders"):
        return wid, None, None
    # The preview area's place in the dialog, and where that lands after the move.
    dx, dy = int(first["screen_x"]) - x0, int(first["screen_y"]) - y0
    desk.xdo("windowmove", "--sync", wid, str(placement), "0")
    # The move slides the dialog under a pointer that stays put: park the pointer in
    # the empty corner, or a tooltip of whatever widget lands under it (under GIMP 3.2
    # a radio button of a choice) covers the preview, an unpainted box under Xvfb.
    desk.xdo("mousemove", "--sync", "5", str(SCREEN[1] - 5))
    time.sleep(0.8)
    x1, y1, _, _ = desk.geometry(wid)
    return wid, (x1 + dx, y1 + dy, int(first["width"]), int(first["height"])), View(first)


class View:
    """Where the preview's rendered pixels sit in the photo: crop row r is image row
    view_y + r / scale (the preview may open framed on the hairline, not at the top)."""

    def __init__(self, line):
        self.scale = float(line["scale"])
        self.x, self.y = int(line.get("view_x", 0)), int(line.get("view_y", 0))

    def row(self, image_y):
        return int((image_y - self.y) * self.scale)


def type_density(gui, wid, value):
    gui.desktop.keys(wid, "alt+d", "ctrl+a")
    gui.desktop.type(wid, str(value))
    gui.desktop.keys(wid, "Tab")


def wait_closed(gui, wid, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if wid not in gui.desktop.xdo("search", "--onlyvisible", "--name", "SMP Hairline").split():
            return True
        time.sleep(0.2)
    return False


# ---- In GIMP -----------------------------------------------------------------------

SETUP = """
img, photo = new_image(900, 700)
path = add_path(img, "M 40 420 C 250 380 650 440 860 410", name="Hairline")
display = Gimp.Display.new(img)
Gimp.displays_flush()
photo_hash = pixel_hash(photo)
state0 = image_state(img)

def run_interactive(drawable, **args):
    proc = Gimp.get_pdb().lookup_procedure(PROC)
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", [drawable])
    for key, value in args.items():
        cfg.set_property(key.replace("_", "-"), value)
    return proc.run(cfg).index(0).value_nick

def designed_groups():
    return [l for _, l in walk(img) if l.is_group() and record_text(l)]

def proposal_state():
    groups = designed_groups()
    out = {"groups": len(groups)}
    if groups:
        kf = key_file(record_text(groups[0]))
        out["density"] = kf.get_double("SMP Design", "density_per_cm2")
        out["seed"] = kf.get_integer("SMP Design", "seed")
        out["fade"] = kf.get_double("SMP Design", "fade_width_mm")
        out["preset"] = kf.get_string("SMP Proposal", "preset")
        out["sessions"] = [(l.get_name(), pixel_hash(l)) for l in session_layers(groups[0])]
    return out
"""

# GIMP's last-used values equal the stored design after a run; without them only
# the re-edit can bring the stored seed back into the dialog.
FORGET_LAST_VALUES = """
img.detach_parasite(PROC)
settings = os.path.join(os.environ["GIMP3_DIRECTORY"], "plug-in-settings")
for name in (os.listdir(settings) if os.path.isdir(settings) else []):
    if name.startswith(PROC):
        os.remove(os.path.join(settings, name))
"""


def drive(gui, log):
    desk = gui.desktop
    gui.call(SETUP)
    main = gui.image_window()
    if not check(main is not None, "the image window is on screen"):
        return
    mx, my, mw, mh = desk.geometry(main)
    placement = mx + mw + 20
    time.sleep(1.0)
    shot = gui.screenshot("gui-dialog-canvas-before.png")
    canvas = skin_box(shot, (mx, my, mw, mh))
    if not check(canvas is not None, "the photo is visible on the canvas"):
        return
    bare = Skin(shot, canvas)
    bare_dark, _ = bare.dark()

    # 1. The on-canvas preview, then Cancel: nothing of it stays.
    count = len(log.lines())
    job = gui.call_async("result = run_interactive(photo, px_per_mm=15.0, density=40.0, seed=5)")
    wid, rect, view = open_dialog(gui, log, count, "SMP Hairline – consultation", placement)
    if rect is None:
        return
    # Over the image, as a large dialog opens on a single screen: switched on, the
    # canvas preview must not stay hidden behind it.
    desk.xdo("windowmove", "--sync", wid, str(canvas[0]), str(canvas[1]))
    time.sleep(0.8)
    full = desk.geometry(wid)
    check(overlap(full, canvas) > 0, "the dialog was moved over the photo", f"dialog {full}, photo {canvas}")
    canvas_count = len(log.canvas())
    desk.keys(wid, "alt+v")
    shown_line = log.wait_canvas(canvas_count)
    # GIMP's Undo History is empty while the undo stack is frozen: the preview's
    # layers must be written with it frozen only for the write, not while they show.
    check(shown_line is not None and shown_line[0] == "shown",
          "the canvas preview writes its layers", shown_line)
    check(shown_line is not None and "undo_enabled=1" in shown_line,
          "the image's undo stack is live (history shown) while the canvas preview is on", shown_line)
    time.sleep(3.0)
    compact = desk.geometry(wid)
    check(overlap(compact, canvas) == 0 and compact[2] < full[2] and compact[0] + compact[2] <= SCREEN[0],
          "with the canvas preview on, the dialog is compact and off the photo",
          f"dialog {full} → {compact}, photo {canvas}")
    shot = gui.screenshot("gui-canvas-preview.png")
    shown, _ = Skin(shot, canvas).dark(median=bare.median)
    check(shown > bare_dark + 300, "the canvas preview shows dots on the image",
          f"{bare_dark} → {shown} dark px")
    desk.keys(wid, "alt+v")
    time.sleep(1.5)
    back = desk.geometry(wid)
    check(back == full, "switched off, the dialog comes back as it was", f"{full} → {back}")
    desk.keys(wid, "Escape")
    check(gui.wait(job) == "cancel", "Escape cancels the dialog")
    check(log.canvas()[-1:] == [["removed", "undo_enabled=1"]],
          "Cancel removes the preview layers and leaves undo live", log.canvas()[-1:])
    check(gui.call("result = image_state(img) == state0"),
          "Cancel leaves the image exactly as it was (canvas preview layers removed)")
    wait_closed(gui, wid)
    time.sleep(1.0)
    shot = gui.screenshot("gui-canvas-cancelled.png")
    after, _ = Skin(shot, canvas).dark(median=bare.median)
    check(after < bare_dark + 100, "after Cancel the canvas shows the bare photo again",
          f"{after} dark px, {bare_dark} before")

    # 2. Create: dots over skin on the scalp side only; the preview follows the density.
    count = len(log.lines())
    job = gui.call_async("result = run_interactive(photo, px_per_mm=15.0, density=40.0, seed=5)")
    wid, rect, view = open_dialog(gui, log, count, "SMP Hairline – consultation", placement)
    if rect is None:
        return
    shot = gui.screenshot("gui-dialog-density-40.png")
    p1 = Skin(shot, rect)
    scalp1 = p1.dark(0, view.row(SCALP_MAX_Y))
    forehead1 = p1.dark(view.row(FOREHEAD_MIN_Y))
    scalp1, forehead1 = scalp1[0] / scalp1[1], forehead1[0] / forehead1[1]
    check(p1.looks_like_skin, "the preview shows the photo's skin", f"median luminance {p1.median:.0f}")
    check(scalp1 > 0.004, "the preview shows dark dots on the scalp side", f"{scalp1:.2%} dark")
    check(scalp1 > 8 * forehead1 + 0.002, "and none on the forehead side",
          f"scalp {scalp1:.2%}, forehead {forehead1:.2%}")

    # One look from the list (keyboard: its label's mnemonic, then the first row,
    # "Defined edge"), then a density of our own over it.
    desk.keys(wid, "alt+k", "Return")
    time.sleep(1.0)
    count = len(log.lines())
    type_density(gui, wid, 150)
    changed = log.wait_new(count)
    check(changed is not None, "the preview refreshes after the density is typed")
    shot = gui.screenshot("gui-dialog-density-150.png")
    scalp2 = Skin(shot, rect).dark(0, view.row(SCALP_MAX_Y))
    scalp2 = scalp2[0] / scalp2[1]
    check(scalp2 > 2.0 * scalp1, "the preview follows the density (40 → 150 dots/cm²)",
          f"{scalp1:.2%} → {scalp2:.2%} dark")
    save_crop(shot, desk.geometry(wid), os.path.join(gui.artefacts, "dialog.png"))
    if changed:
        print(f"INFO preview refresh {changed['width']}×{changed['height']} at scale "
              f"{float(changed['scale']):.3f}: {changed['total_ms']} ms "
              f"(render {changed['render_ms']} ms, {changed['dots']} dots)", flush=True)
    desk.keys(wid, "alt+e")
    check(gui.wait(job) == "success", "OK creates the proposal")
    first = gui.call("first = proposal_state(); result = first")
    check(first["groups"] == 1, "one proposal group", first["groups"])
    check(abs(first.get("density", 0) - 150.0) < 1e-6, "the density typed in is stored",
          first.get("density"))
    check(first.get("seed") == 5, "the seed is stored", first.get("seed"))
    check(first.get("preset") == "defined-edge" and first.get("fade") == 3.0,
          "the look chosen in the list was applied and recorded",
          f"preset {first.get('preset')!r}, fade width {first.get('fade')} mm")
    wait_closed(gui, wid)

    # 3. Re-edit the group: the dialog starts from the stored values (seed 5, not the
    #    77 passed in); the density is changed to 60; OK replaces the content.
    gui.call(FORGET_LAST_VALUES)
    count = len(log.lines())
    job = gui.call_async("result = run_interactive(designed_groups()[0], px_per_mm=15.0, "
                         "density=90.0, seed=77)")
    wid, rect, view = open_dialog(gui, log, count, "SMP Hairline – re-edit proposal", placement)
    if rect is None:
        return
    gui.screenshot("gui-reedit.png")
    count = len(log.lines())
    type_density(gui, wid, 60)
    log.wait_new(count)
    # With the canvas preview on at OK: the run is still one undo step (step 4).
    canvas_count = len(log.canvas())
    desk.keys(wid, "alt+v")
    check(log.wait_canvas(canvas_count) is not None, "the re-edit's canvas preview shows")
    desk.keys(wid, "alt+u")
    check(gui.wait(job) == "success", "OK on the re-edit dialog updates the proposal")
    second = gui.call("second = proposal_state(); result = second")
    check(second["groups"] == 1, "re-edit keeps one proposal group", second["groups"])
    check(abs(second.get("density", 0) - 60.0) < 1e-6, "the re-edited density is stored",
          second.get("density"))
    check(second.get("seed") == 5, "the re-edit dialog started from the stored values",
          f"seed {second.get('seed')}")
    check(second.get("sessions") != first.get("sessions"), "re-edit replaced the session layers")
    wait_closed(gui, wid)

    # 4. One Ctrl+Z in the image window restores the first proposal exactly.
    desk.keys(main, "ctrl+z")
    end = time.time() + 15
    while not gui.call("result = proposal_state() == first") and time.time() < end:
        time.sleep(0.5)
    third = gui.call("result = proposal_state()")
    check(third == first, "one Ctrl+Z restores the first proposal (values and pixels)",
          {k: v for k, v in third.items() if k != "sessions"})
    check(gui.call("result = pixel_hash(photo) == photo_hash"), "the photo is untouched")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--artefacts", required=True)
    args = ap.parse_args()
    skip_unless_available()

    os.makedirs(args.work, exist_ok=True)
    log = PreviewLog(os.path.join(os.path.abspath(args.work), f"preview-{os.getpid()}.log"))
    try:
        with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, size=SCREEN,
                     extra_env={"SMP_PREVIEW_LOG": log.path}, name="gui-dialog") as gui:
            try:
                drive(gui, log)
            except GuiError as e:
                check(False, "the GIMP side ran", str(e))
            except Exception as e:  # a step that cannot go on: report it, clean up
                check(False, "the test driver ran", repr(e))
            if failures:
                gui.screenshot("gui-dialog-failure.png")
    finally:
        if os.path.exists(log.path):
            os.replace(log.path, os.path.join(args.artefacts, "gui-dialog-preview.log"))

    if failures:
        print(f"FAIL {len(failures)} check(s) failed")
        return 1
    print("PASS all dialog checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
