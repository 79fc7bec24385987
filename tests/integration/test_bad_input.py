# test_bad_input.py: every bad input gets an error status with a clear message
# and leaves the image exactly as it was (layers, pixels, paths, parasites,
# selection); positive controls show the same set-ups succeed once fixed.
from smp_testlib import *

W, H, LINE_Y = 300, 240, 160


def expect_error(label, img, drawable, words, **args):
    """Runs, expects failure naming `words`, and an unchanged image."""
    before = image_state(img)
    status, message = run_hairline(img, drawable, **args)
    check(status != SUCCESS, f"{label}: error status", status.value_nick)
    lower = (message or "").lower()
    check(message and all(w.lower() in lower for w in words),
          f"{label}: message names the problem", message)
    check(image_state(img) == before, f"{label}: image unchanged")


def fresh(path_d=f"M 0 {LINE_Y} L {W} {LINE_Y}", **kw):
    img, photo = new_image(W, H, **kw)
    if path_d:
        add_path(img, path_d)
    return img, photo


# No path at all.
img, photo = fresh(path_d=None)
expect_error("no path", img, photo, ["no path"], px_per_mm=10.0)

# Several paths and no single one selected. (GIMP 3.0.4's API cannot deselect
# every path, so the ambiguous case is two selected; the plug-in handles "none
# selected" by the same rule.)
img, photo = fresh()
add_path(img, "M 0 50 L 300 60", name="Other")
img.set_selected_paths([img.get_path_by_name("Other"), img.get_path_by_name("Hairline")])
expect_error("two paths, both selected", img, photo, ["2 paths are selected"], px_per_mm=10.0)
img.set_selected_paths([img.get_path_by_name("Hairline")])
status, message = run_hairline(img, photo, px_per_mm=10.0)
check(status == SUCCESS, "two paths, one selected: succeeds", message)
groups = proposal_groups(img)
if groups:
    kf = key_file(record_text(groups[0]))
    check(kf.get_string("SMP Proposal", "path") == "Hairline", "the selected path was used")

# A path of zero length.
img, photo = fresh(path_d="M 100 100 L 100 100")
expect_error("zero-length path", img, photo, ["no length"], px_per_mm=10.0)

# A path wholly outside the canvas.
img, photo = fresh(path_d="M -500 -300 L -100 -320")
expect_error("path off canvas", img, photo, ["outside"], px_per_mm=10.0)

# An indexed image.
img, photo = fresh()
img.convert_indexed(Gimp.ConvertDitherType.NONE, Gimp.ConvertPaletteType.GENERATE, 16,
                    False, False, "")
expect_error("indexed image", img, photo, ["indexed", "Image → Mode → RGB"], px_per_mm=10.0)

# Out-of-range parameters the PDB's own ranges let through; the engine says which.
img, photo = fresh()
expect_error("scale below range", img, photo, ["px-per-mm", "0.2"], px_per_mm=0.2)
expect_error("session split with no dots", img, photo, ["session"], px_per_mm=10.0,
             session_split="0/0/0")
expect_error("session split unreadable", img, photo, ["session-split"], px_per_mm=10.0,
             session_split="half and half")
expect_error("session split too short", img, photo, ["2 shares", "3 sessions"], px_per_mm=10.0,
             session_split="60/40")
expect_error("unknown preset", img, photo, ["preset", "no-such-look"], px_per_mm=10.0,
             preset="no-such-look")

# Out of the PDB ranges: Script-Fu (and the core) refuse before the plug-in runs.
sf = Gimp.get_pdb().lookup_procedure("plug-in-script-fu-eval")
path = img.get_path_by_name("Hairline")
for arg, value, shown in (("density", "1000.0", "1000"), ("sessions", "9", "9"),
                          ("opacity", "150.0", "150")):
    before = image_state(img)
    code = (f"(plug-in-smp-hairline #:run-mode RUN-NONINTERACTIVE #:image {img.get_id()} "
            f"#:drawables (vector {photo.get_id()}) #:path {path.get_id()} "
            f"#:px-per-mm 10.0 #:{arg} {value})")
    cfg = sf.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("script", code)
    result = sf.run(cfg)
    message = result.index(1) if result.length() > 1 else ""
    check(result.index(0) != SUCCESS and "out of range" in (message or "") and shown in message,
          f"{arg} = {value} refused with a message", message)
    check(image_state(img) == before, f"{arg} = {value}: image unchanged")
# The same call in range succeeds: the refusal above is about the value.
cfg = sf.create_config()
cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
cfg.set_property("script", f"(plug-in-smp-hairline #:run-mode RUN-NONINTERACTIVE #:image {img.get_id()} "
                           f"#:drawables (vector {photo.get_id()}) #:path {path.get_id()} "
                           f"#:px-per-mm 10.0 #:density 100.0)")
result = sf.run(cfg)
check(result.index(0) == SUCCESS and len(proposal_groups(img)) == 1,
      "in-range Script-Fu call succeeds", result.index(0).value_nick)

# A selection wholly on the forehead side (beyond the sentinel zone).
img, photo = fresh()
# The path runs left to right, so the scalp (above it) is on its left. (With
# scalp-side "auto" the selection itself decides which side is scalp.)
img.select_rectangle(Gimp.ChannelOps.REPLACE, 0, LINE_Y + 50, W, H - LINE_Y - 50)
expect_error("selection on the forehead side", img, photo, ["selection", "forehead"], px_per_mm=10.0,
             scalp_side="left")
img.select_rectangle(Gimp.ChannelOps.REPLACE, 0, LINE_Y - 60, W, 120)
status, message = run_hairline(img, photo, px_per_mm=10.0, scalp_side="left")
check(status == SUCCESS, "selection across the line: succeeds", message)

# A tiny selection well on the scalp side: too small for a dot, not "forehead".
img, photo = new_image(300, 600)
add_path(img, "M 0 500 L 300 500")
img.select_rectangle(Gimp.ChannelOps.REPLACE, 140, 230, 12, 12)
expect_error("12×12 selection 270 px above the line", img, photo, ["selection", "too small"],
             px_per_mm=60.0, scalp_side="left")
status, message = run_hairline(img, photo, px_per_mm=60.0, scalp_side="left")
check("forehead" not in (message or ""), "tiny scalp selection: not called the forehead side", message)

# A selection that misses the layer (the layer is smaller than the image).
img, photo = fresh(layer_rect=(0, 0, 150, 240))
img.select_rectangle(Gimp.ChannelOps.REPLACE, 200, 20, 80, 80)
expect_error("selection beside the layer", img, photo, ["selection", "layer"], px_per_mm=10.0)

# The scalp side forced away from the photo: no dot can land.
img, photo = fresh(path_d=f"M 0 {H - 5} L {W} {H - 5}")
expect_error("scalp side off the photo", img, photo, ["no dot"], px_per_mm=10.0,
             scalp_side="right", sentinel=0.0)

# A 1×1 image.
img, photo = new_image(1, 1)
add_path(img, "M 0 0 L 1 1")
expect_error("1×1 image", img, photo, ["1×1"], px_per_mm=10.0)

# A channel instead of a layer, and two layers at once.
img, photo = fresh()
channel = Gimp.Channel.new(img, "Mask", W, H, 50.0, Gegl.Color.new("red"))
img.insert_channel(channel, None, 0)
expect_error("channel as drawable", img, channel, ["layer"], px_per_mm=10.0)
second = Gimp.Layer.new(img, "Second", W, H, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(second, None, 0)
before = image_state(img)
proc = Gimp.get_pdb().lookup_procedure(PROC)
cfg = proc.create_config()
cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
cfg.set_property("image", img)
cfg.set_core_object_array("drawables", [photo, second])
cfg.set_property("px-per-mm", 10.0)
result = proc.run(cfg)
check(result.index(0) == Gimp.PDBStatusType.CALLING_ERROR and "one layer" in (result.index(1) or ""),
      "two drawables: calling error", result.index(1) if result.length() > 1 else "")
check(image_state(img) == before, "two drawables: image unchanged")

finish()
