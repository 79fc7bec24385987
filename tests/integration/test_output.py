# test_output.py: the proposal's structure: one "SMP proposal" group directly
# above the photo, "Session 1".."Session N" bottom to top, blend modes, the stored
# design, and every pre-existing layer's pixels untouched.
from smp_testlib import *

# A photo between a background and a layer above it: the group must land right
# above the photo, below the top layer.
img, photo = new_image(600, 500)
background = Gimp.Layer.new(img, "Background", 600, 500, Gimp.ImageType.RGB_IMAGE, 100,
                            Gimp.LayerMode.NORMAL)
img.insert_layer(background, None, 1)
background.fill(Gimp.FillType.WHITE)
top = Gimp.Layer.new(img, "Notes", 600, 500, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(top, None, 0)
top.fill(Gimp.FillType.TRANSPARENT)
path = add_path(img, "M 20 350 C 200 330 400 370 580 350")
before = {l.get_name(): pixel_hash(l) for _, l in walk(img)}

status, message = run_hairline(img, photo, px_per_mm=10.0, density=80.0, seed=7)
check(status == SUCCESS, "run succeeds", message)

names = [l.get_name() for l in img.get_layers()]
check(names == ["Notes", GROUP_NAME, "Client photo", "Background"],
      "group inserted directly above the photo", names)
groups = proposal_groups(img)
check(len(groups) == 1, "exactly one proposal group", len(groups))
group = groups[0]
check(group.get_mode() == Gimp.LayerMode.PASS_THROUGH, "group is pass-through", group.get_mode())

sessions = session_layers(group)
check([l.get_name() for l in sessions] == ["Session 1", "Session 2", "Session 3"],
      "sessions named bottom to top", [l.get_name() for l in reversed(group.get_children())])
check(len(group.get_children()) == 3, "nothing else in the group", len(group.get_children()))
for layer in sessions:
    name = layer.get_name()
    check(layer.get_mode() == Gimp.LayerMode.MULTIPLY, f"{name} multiplies", layer.get_mode())
    check(layer.has_alpha() and not layer.is_gray(), f"{name} is RGBA", layer.type())
    a = alpha_floats(layer)
    covered = sum(1 for v in a if v > 0)
    cores = sum(1 for v in a if v > DOT_ALPHA)
    check(covered > 0, f"{name} holds dots", f"{covered} px with alpha")
    # Between the cores lies only the faint shadow of pigment under the skin.
    check(cores < 0.3 * len(a), f"{name} is faint between dots", f"{cores}/{len(a)} px of cores")
    # Per-channel transmittance: the layer colour is 0 in the channel darkened
    # most and higher in the others; pigment under skin takes red most, blue
    # least (docs/optics.md), so the dots read neutral to cool, never brown.
    mean = layer_mean(layer, "R'G'B'A float", 3, min_alpha=0.3)
    check(mean is not None and mean[0] <= mean[1] + 1e-6 <= mean[2] + 2e-6,
          f"{name} dots read neutral to cool", mean)

# Later sessions are darker (more opaque) on average.
peaks = []
for layer in sessions:
    a = [v for v in alpha_floats(layer) if v > 0.05]
    peaks.append(max(a) if a else 0)
check(peaks[0] < peaks[-1], "later sessions are more opaque", [round(p, 3) for p in peaks])

# The layers cover the scalp side only: nothing below the line's sentinel zone.
box = layer_bounds_alpha(sessions)
check(box is not None and box[3] <= 375, "dots stop near the line", box)

text = record_text(group)
check(text is not None, "group carries the smp-design parasite")
if text:
    kf = key_file(text)
    check(abs(kf.get_double("SMP Design", "density_per_cm2") - 80.0) < 1e-9, "stored density",
          kf.get_double("SMP Design", "density_per_cm2"))
    check(abs(kf.get_double("SMP Design", "px_per_mm") - 10.0) < 1e-9, "stored scale")
    check(kf.get_integer("SMP Design", "sessions") == 3, "stored sessions")
    check(kf.get_integer("SMP Design", "seed") == 7, "stored seed")
    check(kf.get_string("SMP Proposal", "path") == "Hairline", "stored path name")
    check(kf.get_string("SMP Proposal", "px_per_mm_source") == "argument", "stored scale source")
    counts = kf.get_integer_list("SMP Proposal", "dots_per_session")
    total = kf.get_int64("SMP Proposal", "total_dots")
    check(len(counts) == 3 and sum(counts) == total and total > 0, "stored dot counts", (counts, total))
    area = kf.get_double("SMP Proposal", "treated_area_cm2")
    # Scalp side: about 560 × 350 px at 10 px/mm = 19.6 cm² (the canvas is 600 × 500).
    check(15.0 < area < 25.0, "treated area plausible", area)

after = {l.get_name(): pixel_hash(l) for _, l in walk(img) if l.get_name() in before}
check(after == before, "existing layers' pixels unchanged")

# A photo inside a user's group: the proposal goes into that group, above it.
img2, photo2 = new_image(400, 300)
folder = Gimp.GroupLayer.new(img2, "Client")
img2.insert_layer(folder, None, 0)
img2.reorder_item(photo2, folder, 0)
add_path(img2, "M 10 200 L 390 210")
status, message = run_hairline(img2, photo2, px_per_mm=8.0, sessions=2)
check(status == SUCCESS, "run inside a group succeeds", message)
kids = [l.get_name() for l in folder.get_children()]
check(kids == [GROUP_NAME, "Client photo"], "proposal placed inside the photo's group", kids)
inner = proposal_groups(img2)
check(len(inner) == 1 and [l.get_name() for l in session_layers(inner[0])] == ["Session 1", "Session 2"],
      "two sessions asked, two layers")

finish()
