#!/usr/bin/env python3
# test_consult.py: the consultation dialog's view in a real GIMP under Xvfb: the preview is large,
# grows with the dialog, opens framed on the hairline, its before/after control hides the dots, a
# 12×12 selection keeps it large, and a forehead-side selection is refused in the dialog (OK off).
"""Usage: test_consult.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Uses gui_harness.py and test_dialog.py's helpers. Measures what the preview logs
(SMP_PREVIEW_LOG: its rendered size, allocation and view in the photo; the dialog's
OK state and message) and screenshots (dark dot pixels with and without the proposal).
Screenshots stay in --artefacts: gui-consult-*.png. Prints PASS/FAIL lines; exit 0, 1, or 77."""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, GuiError, skip_unless_available  # noqa: E402
import test_dialog as td  # noqa: E402  (check, PreviewLog, Skin, open_dialog)

check = td.check
SCREEN = td.SCREEN
TITLE = "SMP Hairline – consultation"
# The big photo: its hairline's bounding box (image px) and the frame's margin.
BIG = (2000, 1600)
BIG_LINE = "M 700 600 C 850 580 1150 620 1300 600"
BIG_BOX = (700, 585, 1300, 610)  # x0, y0, x1, y1 of the curve, a little generous
MARGIN = 100                     # px the framed view must show around it (12 mm at 10 px/mm is 120)

SETUP = """
def run_interactive(image, drawable, **args):
    proc = Gimp.get_pdb().lookup_procedure(PROC)
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    cfg.set_property("image", image)
    cfg.set_core_object_array("drawables", [drawable])
    for key, value in args.items():
        cfg.set_property(key.replace("_", "-"), value)
    return proc.run(cfg).index(0).value_nick

def new_case(w, h, line, sel=None):
    image, layer = new_image(w, h)
    add_path(image, line, name="Hairline")
    if sel:
        image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel)
    display = Gimp.Display.new(image)
    Gimp.displays_flush()
    return image, layer, display
"""


def dialog_lines(log):
    if not os.path.exists(log.path):
        return []
    out = []
    with open(log.path) as f:
        for line in f:
            if line.startswith("dialog "):
                ok, _, problem = line[len("dialog "):].rstrip("\n").partition(" problem=")
                out.append({"ok": ok == "ok=1", "problem": problem})
    return out


def close_dialog(gui, wid, job):
    gui.desktop.keys(wid, "Escape")
    status = gui.wait(job)
    td.wait_closed(gui, wid)
    return status


def big_photo(gui, log, placement):
    desk = gui.desktop
    gui.call("img, photo, disp = new_case(%d, %d, %r)" % (BIG + (BIG_LINE,)))
    count = len(log.lines())
    job = gui.call_async("result = run_interactive(img, photo, px_per_mm=10.0, density=60.0, seed=3)")
    wid, rect, view = td.open_dialog(gui, log, count, TITLE, placement)
    if rect is None:
        return
    first = log.lines()[-1]
    _, _, dw, dh = desk.geometry(wid)
    aw, ah = int(first["area_w"]), int(first["area_h"])
    check(aw * ah >= 0.5 * dw * dh, "the preview takes at least half the dialog by default",
          f"view {aw}×{ah} in a {dw}×{dh} dialog: {aw * ah / (dw * dh):.0%}")

    # Framed on the hairline: the box and a margin inside the view, the view smaller
    # than the photo, the line near its middle (not the forehead's).
    vx, vy, vw, vh = (int(first[k]) for k in ("view_x", "view_y", "view_w", "view_h"))
    x0, y0, x1, y1 = BIG_BOX
    inside = vx <= x0 - MARGIN and vy <= y0 - MARGIN and vx + vw >= x1 + MARGIN and vy + vh >= y1 + MARGIN
    check(inside, "the preview opens with the hairline and a margin in view",
          f"view {vx},{vy} {vw}×{vh}; hairline {x0},{y0}–{x1},{y1}")
    check(vw * vh < 0.6 * BIG[0] * BIG[1], "it opens on the hairline, not on the whole photo",
          f"{vw * vh / (BIG[0] * BIG[1]):.0%} of the photo")
    mid = vy + vh / 2
    check(abs(mid - (y0 + y1) / 2) < vh / 6, "the hairline sits in the middle of the view",
          f"view centre y {mid:.0f}, hairline y {(y0 + y1) / 2:.0f}")

    # Before/after: the toggle (Alt+P) shows the photo alone, then the dots again.
    # Each view's dark pixels are counted against its own skin: the proposal's
    # faint shadow darkens the whole scalp, so the "after" median would count the
    # photo's own texture as dots.
    shot = gui.screenshot("gui-consult-after.png")
    after = td.Skin(shot, rect)
    after_dark, _ = after.dark()
    count = len(log.lines())
    desk.keys(wid, "alt+p")
    line = log.wait_new(count)
    check(line is not None and line.get("before") == "1", "the before control re-renders the photo alone",
          line and f"before={line.get('before')}, dots {line.get('dots')}")
    shot = gui.screenshot("gui-consult-before.png")
    before_dark, _ = td.Skin(shot, rect).dark()
    # The photo's own texture gives some dark pixels (about 2,000 here) in both.
    check(after_dark > 500 and before_dark < after_dark / 4,
          "before shows no dots, after shows them (dark pixels in the preview)",
          f"after {after_dark}, before {before_dark}")
    count = len(log.lines())
    desk.keys(wid, "alt+p")
    line = log.wait_new(count)
    shot = gui.screenshot("gui-consult-after-again.png")
    again, _ = td.Skin(shot, rect).dark(median=after.median)
    check(line is not None and line.get("before") == "0" and again > after_dark / 2,
          "toggled back, the dots return", f"{again} dark px")

    # The dialog resized: the view and the rendered preview grow.
    count = len(log.lines())
    desk.xdo("windowsize", "--sync", wid, str(dw + 500), str(min(dh + 80, SCREEN[1] - 20)))
    line = log.wait_new(count)
    gui.screenshot("gui-consult-resized.png")
    check(line is not None and int(line["area_w"]) > aw + 300 and int(line["width"]) > int(first["width"]) + 300,
          "resizing the dialog grows the preview",
          line and f"view {aw}×{ah} → {line['area_w']}×{line['area_h']}, rendered "
                   f"{first['width']}×{first['height']} → {line['width']}×{line['height']}")
    check(close_dialog(gui, wid, job) == "cancel", "Escape closes the dialog")


def small_selection(gui, log, placement):
    # Bug 4: a 12×12 selection on the scalp side must not make a 12×12 preview.
    gui.call("img2, photo2, disp2 = new_case(900, 700, 'M 40 420 C 250 380 650 440 860 410', "
             "sel=(400, 150, 12, 12))")
    count = len(log.lines())
    job = gui.call_async("result = run_interactive(img2, photo2, px_per_mm=15.0, density=40.0, seed=5)")
    wid, rect, view = td.open_dialog(gui, log, count, TITLE, placement)
    if rect is None:
        return
    line = log.lines()[-1]
    # The pointer rests over the view, as it does after the artist selected on the
    # canvas: nothing may pop up over the photo there (a tooltip on the view once
    # did, an unpainted black box under Xvfb). No dots in this case (the selection
    # is too small), so the view holds skin only: not one black pixel.
    px, py, pw, ph = rect
    gui.desktop.xdo("mousemove", "--sync", str(px + pw // 2), str(py + ph // 2))
    time.sleep(2.0)  # past GTK's tooltip delay
    shot = gui.screenshot("gui-consult-small-selection.png")
    black = black_box(shot, rect)
    check(black is None, "nothing covers the preview under a resting pointer (no black pixels)",
          black and f"{black[0]} black px in {black[1]}")
    # (A screen-sized window is the desktop's, under everything.)
    popups = [w for w in gui.desktop.xdo("search", "--onlyvisible", "--name", ".*").split()
              if w != wid and gui.desktop.geometry(w)[2:] != tuple(SCREEN)
              and overlaps(gui.desktop.geometry(w), rect)]
    check(not popups, "no other window lies over the preview",
          [(gui.desktop.title(w), gui.desktop.geometry(w)) for w in popups])
    check(int(line["width"]) >= 300 and int(line["height"]) >= 200,
          "a 12×12 selection keeps the preview large", f"{line['width']}×{line['height']} px")
    close_dialog(gui, wid, job)


def black_box(png, rect):
    """(count, bounding box) of near-black pixels in `rect` of a screenshot; None if none."""
    rgb = td.crop_rgb(png, rect)
    w, h = rect[2], rect[3]
    xs, ys = [], []
    for i in range(0, min(len(rgb), 3 * w * h), 3):
        if rgb[i] < 20 and rgb[i + 1] < 20 and rgb[i + 2] < 20:
            xs.append((i // 3) % w)
            ys.append((i // 3) // w)
    if not xs:
        return None
    return len(xs), (rect[0] + min(xs), rect[1] + min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def overlaps(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return aw > 1 and ah > 1 and ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def forehead_selection(gui, log, placement):
    # Wholly on the forehead side (the line is at y ≈ 420, the scalp above it): the
    # dialog says so and OK is off; Enter and the OK mnemonic do nothing.
    gui.call("img3, photo3, disp3 = new_case(900, 700, 'M 40 420 C 250 380 650 440 860 410', "
             "sel=(300, 600, 200, 80))")
    count = len(log.lines())
    job = gui.call_async("result = run_interactive(img3, photo3, px_per_mm=15.0, density=40.0, seed=5)")
    wid, rect, view = td.open_dialog(gui, log, count, TITLE, placement)
    if rect is None:
        return
    time.sleep(1.0)
    states = dialog_lines(log)
    last = states[-1] if states else {"ok": True, "problem": ""}
    check(not last["ok"] and "forehead side" in last["problem"],
          "a forehead-side selection is refused in the dialog, OK off", last)
    gui.screenshot("gui-consult-forehead.png")
    gui.desktop.keys(wid, "alt+e", "Return")
    time.sleep(2.0)
    still_open = not gui.done(job) and wid in gui.desktop.xdo("search", "--onlyvisible", "--name",
                                                              "SMP Hairline").split()
    check(still_open, "OK and Enter do not run: the dialog stays open")
    status = close_dialog(gui, wid, job)
    groups = gui.call("result = len(proposal_groups(img3))")
    check(status == "cancel" and groups == 0, "no proposal was made", f"{status}, {groups} groups")


def drive(gui, log):
    gui.call(SETUP)
    gui.call("img0, photo0 = new_image(200, 150); disp0 = Gimp.Display.new(img0); Gimp.displays_flush()")
    main = gui.image_window()
    if not check(main is not None, "the image window is on screen"):
        return
    mx, my, mw, mh = gui.desktop.geometry(main)
    placement = min(mx + mw + 20, 900)
    big_photo(gui, log, placement)
    small_selection(gui, log, placement)
    forehead_selection(gui, log, placement)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--artefacts", required=True)
    args = ap.parse_args()
    skip_unless_available()

    os.makedirs(args.work, exist_ok=True)
    log = td.PreviewLog(os.path.join(os.path.abspath(args.work), f"consult-{os.getpid()}.log"))
    try:
        with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, size=SCREEN,
                     extra_env={"SMP_PREVIEW_LOG": log.path}, name="gui-consult") as gui:
            try:
                drive(gui, log)
            except GuiError as e:
                check(False, "the GIMP side ran", str(e))
            except Exception as e:  # a step that cannot go on: report it, clean up
                check(False, "the test driver ran", repr(e))
            if td.failures:
                gui.screenshot("gui-consult-failure.png")
    finally:
        if os.path.exists(log.path):
            os.replace(log.path, os.path.join(args.artefacts, "gui-consult-preview.log"))

    if td.failures:
        print(f"FAIL {len(td.failures)} check(s) failed")
        return 1
    print("PASS all consultation-view checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
