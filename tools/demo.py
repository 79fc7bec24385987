# demo.py: the demo's steps inside headless GIMP 3 (python-fu-eval), run by
# tools/demo.sh: photo + SVG hairline -> XCF, mock-up PNG, design sheet PDF.
#
# Environment: SMP_DEMO_PHOTO, SMP_DEMO_SVG (paths "hairline" and, optionally,
# a closed "scalp" outline confining the dots), SMP_DEMO_KEY (optional key file
# [SMP Sample]: px_per_mm, ipd_mm, pupils, glabella, outer eye corners),
# SMP_DEMO_OUT (folder), SMP_DEMO_NAME (file stem). Prints "DEMO-FILE <path>"
# per output and "DEMO-OK"; any failure raises (GIMP exits with status 64).

import os
import sys
import time

import gi
gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, Gio, GLib  # noqa: E402

NONINTERACTIVE = Gimp.RunMode.NONINTERACTIVE
SUCCESS = Gimp.PDBStatusType.SUCCESS


def say(text):
    print(f"[demo] {text}", flush=True)


def run_proc(name, image=None, drawables=None, **args):
    proc = Gimp.get_pdb().lookup_procedure(name)
    if proc is None:
        return None
    cfg = proc.create_config()
    cfg.set_property("run-mode", NONINTERACTIVE)
    if image is not None:
        cfg.set_property("image", image)
    if drawables is not None:
        cfg.set_core_object_array("drawables", drawables)
    for key, value in args.items():
        cfg.set_property(key.replace("_", "-"), value)
    result = proc.run(cfg)
    status = result.index(0)
    if status != SUCCESS:
        message = result.index(1) if result.length() > 1 else ""
        raise RuntimeError(f"{name} failed: {message}")
    return result


def import_svg(img, text):
    res = img.import_paths_from_string(text, len(text.encode()), False, False)
    ok, paths = res[0], res[-1]
    if not ok or not paths:
        raise RuntimeError("no path could be read from the SVG")
    return list(paths)


def svg_line(img, x0, y0, x1, y1):
    w, h = img.get_width(), img.get_height()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}"><path id="Pupils" d="M {x0} {y0} L {x1} {y1}"/></svg>')


def key_text(group, values):
    return f"[{group}]\n" + "".join(f"{k}={v}\n" for k, v in values.items())


def attach(img, name, text):
    # flag 1: GIMP_PARASITE_PERSISTENT, so the XCF keeps it
    img.attach_parasite(Gimp.Parasite.new(name, 1, list(text.encode())))


def main():
    t0 = time.monotonic()
    photo = os.environ["SMP_DEMO_PHOTO"]
    svg_path = os.environ["SMP_DEMO_SVG"]
    key_path = os.environ.get("SMP_DEMO_KEY", "")
    out = os.environ["SMP_DEMO_OUT"]
    stem = os.environ.get("SMP_DEMO_NAME", "smp-demo")

    img = Gimp.file_load(NONINTERACTIVE, Gio.File.new_for_path(photo))
    layer = img.get_layers()[0]
    layer.set_name("Client photo")
    if img.get_base_type() == Gimp.ImageBaseType.INDEXED:
        img.convert_rgb()
    say(f"photo {os.path.basename(photo)}: {img.get_width()} x {img.get_height()} px")

    with open(svg_path, encoding="utf-8") as f:
        paths = import_svg(img, f.read())
    by_name = {p.get_name(): p for p in paths}
    hairline = by_name.get("hairline")
    scalp = by_name.get("scalp")
    if hairline is None:
        # a user's SVG: the longest open path is the hairline
        hairline = max((p for p in paths if p is not scalp),
                       key=lambda p: sum(p.stroke_get_length(s, 0.5) for s in p.get_strokes()))
    hairline.set_name("Hairline")
    if scalp is not None:
        scalp.set_name("Scalp outline")

    # Scale: the pupils (plug-in-smp-calibrate) when the key file gives them.
    calibrated = False
    if key_path and os.path.exists(key_path):
        kf = GLib.KeyFile.new()
        kf.load_from_file(key_path, GLib.KeyFileFlags.NONE)
        g = "SMP Sample"
        lx, ly = kf.get_double(g, "pupil_left_x"), kf.get_double(g, "pupil_left_y")
        rx, ry = kf.get_double(g, "pupil_right_x"), kf.get_double(g, "pupil_right_y")
        ipd = kf.get_double(g, "ipd_mm")
        pupils = import_svg(img, svg_line(img, lx, ly, rx, ry))[0]
        pupils.set_name("Pupils")
        if run_proc("plug-in-smp-calibrate", img, [layer], path=pupils, distance_mm=ipd) is None:
            # the calibration procedure is not installed: store the same scale
            px = ((rx - lx) ** 2 + (ry - ly) ** 2) ** 0.5 / ipd
            attach(img, "smp-calibration", key_text("SMP Calibration",
                                                    {"px_per_mm": px, "distance_mm": ipd, "method": "ipd"}))
        img.remove_path(pupils)
        calibrated = True
        # the face frame, for the design checks (height above the glabella, symmetry)
        attach(img, "smp-face-frame", key_text("SMP Face Frame", {
            "glabella_x": kf.get_double(g, "glabella_x"), "glabella_y": kf.get_double(g, "glabella_y"),
            "eye_left_x": kf.get_double(g, "outer_canthus_left_x"),
            "eye_left_y": kf.get_double(g, "outer_canthus_left_y"),
            "eye_right_x": kf.get_double(g, "outer_canthus_right_x"),
            "eye_right_y": kf.get_double(g, "outer_canthus_right_y")}))
        say(f"calibrated from the pupils, {ipd:g} mm apart")
    else:
        say("WARNING: no calibration for this photo: the default scale is used and the "
            "sheet says \"scale not calibrated\" (calibrate with Scalp Micropigmentation "
            "> Calibrate Scale for true sizes)")

    # The treatable scalp, if outlined, confines the dots.
    if scalp is not None:
        img.select_item(Gimp.ChannelOps.REPLACE, scalp)

    t1 = time.monotonic()
    run_proc("plug-in-smp-hairline", img, [layer], path=hairline, seed=2025)
    Gimp.Selection.none(img)
    group = next(l for l in img.get_layers() if l.get_name() == "SMP proposal")
    img.set_selected_layers([group])
    say(f"hairline rendered in {time.monotonic() - t1:.1f} s: "
        + ", ".join(c.get_name() for c in group.get_children()))

    xcf = os.path.join(out, stem + ".xcf")
    mockup = os.path.join(out, stem + "-mockup.png")
    sheet = os.path.join(out, stem + "-design-sheet.pdf")

    t1 = time.monotonic()
    Gimp.file_save(NONINTERACTIVE, img, Gio.File.new_for_path(xcf), None)
    flat = img.duplicate()
    flat.flatten()
    # GIMP's default PNG compression (9) takes seconds on a noisy photo; 6 is
    # nearly as small and several times faster
    if run_proc("file-png-export", flat, None, file=Gio.File.new_for_path(mockup), compression=6) is None:
        Gimp.file_save(NONINTERACTIVE, flat, Gio.File.new_for_path(mockup), None)
    flat.delete()
    say(f"XCF and mock-up saved in {time.monotonic() - t1:.1f} s")
    t1 = time.monotonic()

    run_proc("plug-in-smp-design-sheet", img, [group],
             file=Gio.File.new_for_path(sheet),
             client_name=os.environ.get("SMP_DEMO_CLIENT",
                                        "Sample client (generated photo)" if key_path else "Client"),
             artist=os.environ.get("SMP_DEMO_ARTIST", "SMP Hairline demo"),
             notes=os.environ.get("SMP_DEMO_NOTES",
                                  "Demo proposal on the project's generated sample photo: natural "
                                  "shaved look, 3 sessions. Review the temple points with the client "
                                  "before session 1." if calibrated else
                                  "Demo proposal on a user photo without calibration: sizes are estimates."))
    say(f"design sheet written in {time.monotonic() - t1:.1f} s")
    for path in (xcf, mockup, sheet):
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise RuntimeError("missing output " + path)
        print(f"DEMO-FILE {path}", flush=True)
    img.delete()
    say(f"GIMP steps took {time.monotonic() - t0:.1f} s")
    print("DEMO-OK", flush=True)


main()
