# head-figure.py: inside headless GIMP (python-fu-eval), run by tools/head-figure.sh:
# the sample photo's head outline traced from its pixels, Fit Head Model, and the
# default proposal flat and on the fitted head (its guides shown), one PNG each.
import os

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gimp, Gegl, Gio, GLib  # noqa: E402

NONINTERACTIVE = Gimp.RunMode.NONINTERACTIVE
SUCCESS = Gimp.PDBStatusType.SUCCESS
src = os.environ["SMP_HEAD_SAMPLE"]
out = os.environ["SMP_HEAD_OUT"]
pdb = Gimp.get_pdb()


def run(name, img, **args):
    proc = pdb.lookup_procedure(name)
    cfg = proc.create_config()
    cfg.set_property("run-mode", NONINTERACTIVE)
    cfg.set_property("image", img)
    for key, value in args.items():
        if key == "drawables":
            cfg.set_core_object_array("drawables", value)
        else:
            cfg.set_property(key.replace("_", "-"), value)
    result = proc.run(cfg)
    if result.index(0) != SUCCESS:
        raise RuntimeError(f"{name} failed: {result.index(1)}")
    return [result.index(i) for i in range(1, result.length())]


def path(img, name, points):
    p = Gimp.Path.new(img, name)
    cps = []
    for x, y in points:
        cps += [x, y, x, y, x, y]
    p.stroke_new_from_points(Gimp.PathStrokeType.BEZIER, cps, False)
    img.insert_path(p, None, 0)
    return p


def silhouette(photo, rows):
    """Where each row first and last turns from the neutral grey backdrop (R ≈ B) to skin: the
    outline an artist would click along (ears excluded: rows above them)."""
    buf = photo.get_buffer()
    w = photo.get_width()
    pts = []
    for y in rows:
        data = bytes(buf.get(Gegl.Rectangle.new(0, y, w, 1), 1.0, "R'G'B' u8", Gegl.AbyssPolicy.NONE))
        skin = [x for x in range(w) if data[3 * x] - data[3 * x + 2] > 15]
        if len(skin) > 10:
            pts.append((skin[0] + 0.5, y + 0.5))
            pts.append((skin[-1] + 0.5, y + 0.5))
    # The vertex: the topmost skin pixel of a few columns about the middle.
    for x in range(1200, 1801, 150):
        data = bytes(buf.get(Gegl.Rectangle.new(x, 0, 1, photo.get_height()), 1.0, "R'G'B' u8",
                             Gegl.AbyssPolicy.NONE))
        for y in range(photo.get_height()):
            if data[3 * y] - data[3 * y + 2] > 15:
                pts.append((x + 0.5, y + 0.5))
                break
    return pts


key = GLib.KeyFile.new()
key.load_from_file(os.path.join(src, "sample-head.ini"), GLib.KeyFileFlags.NONE)
k = lambda n: key.get_double("SMP Sample", n)  # noqa: E731

for variant in ("flat", "fitted"):
    img = Gimp.file_load(NONINTERACTIVE, Gio.File.new_for_path(os.path.join(src, "sample-head.png")))
    photo = img.get_layers()[0]
    svg = open(os.path.join(src, "sample-hairline.svg")).read()
    paths = {p.get_name(): p for p in img.import_paths_from_string(svg, len(svg.encode()), False, False)[-1]}
    frame = path(img, "Face frame", [(k("glabella_x"), k("glabella_y")),
                                     (k("outer_canthus_left_x"), k("outer_canthus_left_y")),
                                     (k("outer_canthus_right_x"), k("outer_canthus_right_y"))])
    outline_pts = silhouette(photo, range(200, 1201, 100))
    outline = path(img, "Head outline", sorted(outline_pts, key=lambda p: p[0]))
    fit = run("plug-in-smp-fit-head", img, path=outline, face_frame=frame)
    print(f"HEAD fit from {len(outline_pts)} outline points: radii {fit[0] / 12:.1f} x {fit[1] / 12:.1f} mm, "
          f"rms {fit[2]:.2f} px", flush=True)
    img.select_item(Gimp.ChannelOps.REPLACE, paths["scalp"])
    run("plug-in-smp-hairline", img, drawables=[photo], path=paths["hairline"], px_per_mm=12.0, seed=2025,
        head_model=variant, guides=(variant == "fitted"))
    group = [l for l in img.get_layers() if l.is_group()][0]
    kf = GLib.KeyFile.new()
    text = bytes(group.get_parasite("smp-design").get_data()).decode()
    kf.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    print(f"HEAD {variant}: {kf.get_int64('SMP Proposal', 'total_dots')} dots, treated area "
          f"{kf.get_double('SMP Proposal', 'treated_area_cm2'):.1f} cm²", flush=True)
    Gimp.Selection.none(img)
    img.flatten()
    Gimp.file_save(NONINTERACTIVE, img, Gio.File.new_for_path(os.path.join(out, f"head-{variant}.png")), None)
    if variant == "fitted":
        # The same with the guides layer shown: the fitted outline and equal-foreshortening lines.
        img.delete()
        img = Gimp.file_load(NONINTERACTIVE, Gio.File.new_for_path(os.path.join(src, "sample-head.png")))
        photo = img.get_layers()[0]
        paths = {p.get_name(): p for p in img.import_paths_from_string(svg, len(svg.encode()), False, False)[-1]}
        frame = path(img, "Face frame", [(k("glabella_x"), k("glabella_y")),
                                         (k("outer_canthus_left_x"), k("outer_canthus_left_y")),
                                         (k("outer_canthus_right_x"), k("outer_canthus_right_y"))])
        outline = path(img, "Head outline", sorted(outline_pts, key=lambda p: p[0]))
        run("plug-in-smp-fit-head", img, path=outline, face_frame=frame)
        img.select_item(Gimp.ChannelOps.REPLACE, paths["scalp"])
        run("plug-in-smp-hairline", img, drawables=[photo], path=paths["hairline"], px_per_mm=12.0, seed=2025,
            head_model="fitted", guides=True)
        group = [l for l in img.get_layers() if l.is_group()][0]
        for child in group.get_children():
            if child.get_name() == "SMP guides":
                child.set_visible(True)
        Gimp.Selection.none(img)
        img.flatten()
        Gimp.file_save(NONINTERACTIVE, img, Gio.File.new_for_path(os.path.join(out, "head-guides.png")), None)
    img.delete()
print("HEAD-OK", flush=True)
