#!/usr/bin/env python3
# test_preview_colour.py: the dialog's preview converts with babl in the image's colour
# space: the same photo as 8-bit sRGB, as 32-bit float linear light and converted to
# Adobe RGB shows the same colours in the preview, before and after the dots.
"""Usage: test_preview_colour.py --plugin EXE --patterns DIR --work DIR --artefacts DIR

Uses gui_harness.py and test_dialog.py's helpers (GIMP 3 on Xvfb, SMP_PREVIEW_LOG
for where the preview is on screen). Screenshots stay in --artefacts:
gui-colour-<case>-before.png / -after.png. Prints PASS/FAIL lines; exit 0, 1, or 77."""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gui_harness import GimpGui, GuiError, skip_unless_available  # noqa: E402
import test_dialog as td  # noqa: E402  (check, PreviewLog, Skin, open_dialog, crop_rgb)
import test_consult as tc  # noqa: E402  (SETUP, close_dialog)

check = td.check
TITLE = "SMP Hairline – consultation"
W, H = 700, 500
LINE = "M 20 380 C 220 350 480 400 680 370"
CASES = ("srgb", "adobe", "linear")

SETUP = tc.SETUP + """
def colour_case(kind):
    precision = Gimp.Precision.FLOAT_LINEAR if kind == "linear" else None
    image, layer = new_image(%d, %d, precision=precision)
    if kind == "adobe":
        # the same appearance, other numbers: GIMP converts the pixels
        image.convert_color_profile(Gimp.ColorProfile.new_rgb_adobe(),
                                    Gimp.ColorRenderingIntent.RELATIVE_COLORIMETRIC, False)
    add_path(image, %r, name="Hairline")
    display = Gimp.Display.new(image)
    Gimp.displays_flush()
    return image, layer, display
""" % (W, H, LINE)


def mean_rgb(png, rect):
    rgb = td.crop_rgb(png, rect)
    n = len(rgb) // 3
    return tuple(sum(rgb[c::3]) / max(1, n) for c in range(3))


def one_case(gui, log, placement, kind):
    desk = gui.desktop
    gui.call(f"img_{kind}, photo_{kind}, disp_{kind} = colour_case({kind!r})")
    count = len(log.lines())
    job = gui.call_async(f"result = run_interactive(img_{kind}, photo_{kind}, px_per_mm=8.0, density=70.0, seed=5)")
    wid, rect, view = td.open_dialog(gui, log, count, TITLE, placement)
    if rect is None:
        return None
    after_png = gui.screenshot(f"gui-colour-{kind}-after.png")
    count = len(log.lines())
    desk.keys(wid, "alt+p")
    line = log.wait_new(count)
    check(line is not None and line.get("before") == "1", f"{kind}: the before view renders")
    before_png = gui.screenshot(f"gui-colour-{kind}-before.png")
    for name, png in (("before", before_png), ("after", after_png)):
        td.save_crop(png, rect, os.path.join(gui.artefacts, f"gui-colour-{kind}-{name}-preview.png"))
    before, after = td.Skin(before_png, rect), td.Skin(after_png, rect)
    result = {"rect": rect, "before": before, "after": after,
              "before_rgb": mean_rgb(before_png, rect), "after_rgb": mean_rgb(after_png, rect),
              "dark": after.dark(median=before.median)[0]}
    check(tc.close_dialog(gui, wid, job) == "cancel", f"{kind}: Escape closes the dialog")
    return result


def drive(gui, log):
    gui.call(SETUP)
    gui.call("img0, photo0 = new_image(200, 150); disp0 = Gimp.Display.new(img0); Gimp.displays_flush()")
    main = gui.image_window()
    if not check(main is not None, "the image window is on screen"):
        return
    mx, my, mw, mh = gui.desktop.geometry(main)
    placement = min(mx + mw + 20, 900)
    got = {kind: one_case(gui, log, placement, kind) for kind in CASES}
    ref = got["srgb"]
    if not check(ref is not None and ref["before"].looks_like_skin, "the sRGB photo shows as skin in the preview",
                 ref and f"median {ref['before'].median:.1f}"):
        return
    check(ref["dark"] > 300, "the sRGB preview shows dots", f"{ref['dark']} dark px")
    for kind in CASES[1:]:
        r = got[kind]
        if not check(r is not None, f"{kind}: the preview renders"):
            continue
        # The photo alone: the same colours whatever the encoding (babl, not sRGB tables).
        diff = max(abs(a - b) for a, b in zip(r["before_rgb"], ref["before_rgb"]))
        check(diff <= 3.0, f"{kind}: the photo shows the same colours as the sRGB one",
              f"mean RGB {tuple(round(v, 1) for v in r['before_rgb'])} vs "
              f"{tuple(round(v, 1) for v in ref['before_rgb'])}")
        # With the dots: the same darkening (multiplied in linear light either way).
        # The canvas itself gives the same pixels for both encodings; the preview's
        # 8-bit dot layers in another encoding stay within a few levels of it.
        for c, name in enumerate("RGB"):
            want = ref["before_rgb"][c] - ref["after_rgb"][c]
            got_ = r["before_rgb"][c] - r["after_rgb"][c]
            check(want > 3 and abs(got_ - want) <= 0.15 * want,
                  f"{kind}: the proposal darkens {name} as on the sRGB photo",
                  f"by {got_:.1f} vs {want:.1f} levels")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--artefacts", required=True)
    args = ap.parse_args()
    skip_unless_available()

    os.makedirs(args.work, exist_ok=True)
    log = td.PreviewLog(os.path.join(os.path.abspath(args.work), f"colour-{os.getpid()}.log"))
    try:
        with GimpGui(args.plugin, args.patterns, args.work, args.artefacts, size=td.SCREEN,
                     extra_env={"SMP_PREVIEW_LOG": log.path}, name="gui-colour") as gui:
            try:
                drive(gui, log)
            except GuiError as e:
                check(False, "the GIMP side ran", str(e))
            except Exception as e:  # a step that cannot go on: report it, clean up
                check(False, "the test driver ran", repr(e))
            if td.failures:
                gui.screenshot("gui-colour-failure.png")
    finally:
        if os.path.exists(log.path):
            os.replace(log.path, os.path.join(args.artefacts, "gui-colour-preview.log"))

    if td.failures:
        print(f"FAIL {len(td.failures)} check(s) failed")
        return 1
    print("PASS all preview colour checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
