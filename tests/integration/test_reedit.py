# test_reedit.py: running on a proposal (the group or a layer in it) replaces that
# proposal in place; the scale comes from the image's calibration when asked;
# presets fold their values in.
from smp_testlib import *

W, H = 500, 400
img, photo = new_image(W, H)
add_path(img, "M 0 280 C 150 260 350 300 500 280")
photo_hash = pixel_hash(photo)

status, message = run_hairline(img, photo, px_per_mm=10.0, density=70.0, sessions=3)
check(status == SUCCESS, "first run", message)
group = proposal_groups(img)[0]
group_id = group.get_id()
first_hashes = [pixel_hash(l) for l in session_layers(group)]

# A guides layer of the design-aids module lives in the group too: kept, on top.
guides = Gimp.Layer.new(img, "SMP guides", W, H, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
img.insert_layer(guides, group, 0)
guides.set_visible(False)
guides_hash = pixel_hash(guides)

# Re-edit through the group: denser, two sessions.
status, message = run_hairline(img, group, px_per_mm=10.0, density=120.0, sessions=2)
check(status == SUCCESS, "re-edit through the group", message)
groups = proposal_groups(img)
check(len(groups) == 1 and groups[0].get_id() == group_id, "still one proposal, the same group",
      [g.get_name() for g in groups])
kids = [l.get_name() for l in group.get_children()]
check(kids == ["SMP guides", "Session 2", "Session 1"], "sessions replaced, guides kept on top", kids)
check(pixel_hash(guides) == guides_hash and not guides.get_visible(), "guides layer untouched")
kf = key_file(record_text(group))
check(kf.get_double("SMP Design", "density_per_cm2") == 120.0 and
      kf.get_integer("SMP Design", "sessions") == 2, "stored design updated")
check(len(kf.get_integer_list("SMP Proposal", "dots_per_session")) == 2, "stored counts updated")
check([pixel_hash(l) for l in session_layers(group)] != first_hashes[:2], "new dots written")
check([l.get_name() for l in img.get_layers()] == ["SMP proposal", "Client photo"], "no second group")
check(pixel_hash(photo) == photo_hash, "photo unchanged")

# Re-edit through a session layer, with another path selected: the proposal's
# own path is used (stored by name).
add_path(img, "M 0 50 L 500 50", name="Sketch")
img.set_selected_paths([img.get_path_by_name("Sketch")])
session = session_layers(group)[0]
status, message = run_hairline(img, session, px_per_mm=10.0, density=90.0, sessions=3, seed=77)
check(status == SUCCESS, "re-edit through a session layer", message)
kf = key_file(record_text(group))
check(kf.get_string("SMP Proposal", "path") == "Hairline", "the proposal's own path is used",
      kf.get_string("SMP Proposal", "path"))
check([l.get_name() for l in session_layers(group)] == ["Session 1", "Session 2", "Session 3"],
      "three sessions again, plain names")
box = layer_bounds_alpha(session_layers(group))
check(box and box[3] <= 320, "dots follow the hairline, not the sketch", box)

# A second proposal (GIMP names it "SMP proposal #1"): re-editing it leaves the
# first alone and keeps its own session count.
status, message = run_hairline(img, photo, px_per_mm=10.0, sessions=2, seed=5)
check(status == SUCCESS, "second proposal", message)
groups = proposal_groups(img)
check(len(groups) == 2, "two proposals", [g.get_name() for g in groups])
first_state = [pixel_hash(l) for l in session_layers(group)]
second = [g for g in groups if g.get_id() != group_id][0]
status, message = run_hairline(img, second, px_per_mm=10.0, sessions=4, seed=6)
check(status == SUCCESS, "re-edit of the second proposal", message)
check(len(session_layers(second)) == 4 and len(proposal_groups(img)) == 2,
      "second proposal has 4 sessions, still two proposals",
      [l.get_name() for l in second.get_children()])
check([pixel_hash(l) for l in session_layers(group)] == first_state, "first proposal untouched")

# Scale from the image's calibration (px-per-mm 0), else 10 px/mm.
img2, photo2 = new_image(W, H)
add_path(img2, "M 0 280 L 500 280")
status, message = run_hairline(img2, photo2, px_per_mm=0.0)
kf = key_file(record_text(proposal_groups(img2)[0]))
check(status == SUCCESS and kf.get_double("SMP Design", "px_per_mm") == 10.0
      and kf.get_string("SMP Proposal", "px_per_mm_source") == "default",
      "no calibration: 10 px/mm, marked default")
text = "[SMP Calibration]\npx_per_mm=16.5\ndistance_mm=63\nmethod=ipd\n"
img2.attach_parasite(Gimp.Parasite.new("smp-calibration", 1, list(text.encode())))
status, message = run_hairline(img2, photo2, px_per_mm=0.0)
kf = key_file(record_text(proposal_groups(img2)[-1]))
check(status == SUCCESS and kf.get_double("SMP Design", "px_per_mm") == 16.5
      and kf.get_string("SMP Proposal", "px_per_mm_source") == "calibration",
      "calibrated: the stored scale is used", kf.get_double("SMP Design", "px_per_mm"))
status, message = run_hairline(img2, photo2, px_per_mm=12.0)
kf = key_file(record_text(proposal_groups(img2)[-1]))
check(kf.get_double("SMP Design", "px_per_mm") == 12.0, "an explicit scale wins over calibration")

def has_key(kf, group, key):
    try:
        kf.get_value(group, key)
        return True
    except GLib.Error:
        return False


# Presets: their keys override the arguments (scripted runs), the rest stays.
preset_dir = os.path.join(os.environ["SMP_TEST_SCRATCH"], "profile", "plug-ins", "smp-hairline",
                          "patterns", "presets")
presets = sorted(f[:-len(".smp-preset")] for f in os.listdir(preset_dir)
                 if f.endswith(".smp-preset")) if os.path.isdir(preset_dir) else []
if not presets:
    print("SKIP no presets shipped yet")
for preset in presets:
    pk = GLib.KeyFile.new()
    pk.load_from_file(os.path.join(preset_dir, preset + ".smp-preset"), GLib.KeyFileFlags.NONE)
    img3, photo3 = new_image(W, H)
    add_path(img3, "M 0 280 L 500 280")
    # A mask-only look (e.g. under hair) needs the area selected.
    img3.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, W, 300)
    status, message = run_hairline(img3, photo3, px_per_mm=10.0, density=33.0, seed=4, preset=preset)
    if not check(status == SUCCESS, f"preset {preset}: run", message):
        continue
    kf = key_file(record_text(proposal_groups(img3)[0]))
    mismatched = []
    for key in pk.get_keys("SMP Design")[0]:
        if key in ("shade", "session_split", "scalp_side", "stage"):
            continue
        want = pk.get_double("SMP Design", key)
        got = kf.get_double("SMP Design", key)
        if abs(want - got) > 1e-9:
            mismatched.append((key, want, got))
    check(not mismatched, f"preset {preset}: its values are used", mismatched)
    if not has_key(pk, "SMP Design", "density_per_cm2"):
        check(kf.get_double("SMP Design", "density_per_cm2") == 33.0,
              f"preset {preset}: arguments it does not set stay")
    check(kf.get_double("SMP Design", "px_per_mm") == 10.0 and kf.get_integer("SMP Design", "seed") == 4,
          f"preset {preset}: scale and seed stay the caller's")
    check(kf.get_string("SMP Proposal", "preset") == preset, f"preset {preset}: recorded")
    if has_key(pk, "SMP Design", "shade"):
        check(kf.get_string("SMP Proposal", "shade_srgb") == pk.get_string("SMP Design", "shade"),
              f"preset {preset}: shade kept as sRGB", kf.get_string("SMP Proposal", "shade_srgb"))

# ---- the treated area stays with the proposal --------------------------------------
# A routine Select → None before "Update proposal" must not spread dots over the
# whole photo: the proposal keeps its treated area.

area_img, area_photo = new_image(W, H)
add_path(area_img, "M 0 280 C 150 260 350 300 500 280")
area_img.select_rectangle(Gimp.ChannelOps.REPLACE, 150, 120, 200, 200)
status, message = run_hairline(area_img, area_photo, px_per_mm=10.0, density=70.0)
check(status == SUCCESS, "run with a 200×200 selection", message)
area_group = proposal_groups(area_img)[0]
kf = key_file(record_text(area_group))
area_before = kf.get_double("SMP Proposal", "treated_area_cm2")
channel_name = kf.get_string("SMP Proposal", "area_channel")
check(area_img.get_channel_by_name(channel_name) is not None, "the treated area is kept as a channel",
      channel_name)
Gimp.Selection.none(area_img)
status, message = run_hairline(area_img, area_group, px_per_mm=10.0, density=90.0)
check(status == SUCCESS, "re-edit after Select → None", message)
kf = key_file(record_text(area_group))
area_after = kf.get_double("SMP Proposal", "treated_area_cm2")
check(abs(area_after - area_before) < 0.01, "treated area unchanged by Select → None",
      f"{area_before} → {area_after} cm²")
box = layer_bounds_alpha(session_layers(area_group))
check(box is not None and box[0] >= 150 and box[1] >= 120 and box[2] <= 350 and box[3] <= 320,
      "no dot outside the stored area", box)
check(len([c for c in area_img.get_channels() if c.get_name().startswith("SMP treated area")]) == 1,
      "one treated-area channel", [c.get_name() for c in area_img.get_channels()])
# A new selection replaces the stored area.
area_img.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, W, H)
status, message = run_hairline(area_img, area_group, px_per_mm=10.0, density=90.0)
check(status == SUCCESS, "re-edit with a new selection", message)
kf = key_file(record_text(area_group))
check(kf.get_double("SMP Proposal", "treated_area_cm2") > area_before + 1, "a new selection replaces the area",
      kf.get_double("SMP Proposal", "treated_area_cm2"))
check(len([c for c in area_img.get_channels() if c.get_name().startswith("SMP treated area")]) == 1,
      "still one treated-area channel", [c.get_name() for c in area_img.get_channels()])

# ---- an incomplete proposal (a run killed half-way) ------------------------------------
# The run marks its record incomplete before writing pixels. A group left so is
# recognised: the sheet refuses it, and the next run replaces it in place.

from gi.repository import Gio  # noqa: E402

inc_img, inc_photo = new_image(W, H)
add_path(inc_img, "M 0 280 C 150 260 350 300 500 280")
status, message = run_hairline(inc_img, inc_photo, px_per_mm=10.0)
check(status == SUCCESS, "run to be spoilt", message)
inc_group = proposal_groups(inc_img)[0]
text = record_text(inc_group)
check("complete=true" in text, "a finished run's record says complete")
inc_img.remove_layer(session_layers(inc_group)[-1])   # as if killed while writing the last session
set_record_text(inc_group, text.replace("complete=true", "complete=false"))
sheet = Gimp.get_pdb().lookup_procedure("plug-in-smp-design-sheet")
cfg = sheet.create_config()
cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
cfg.set_property("image", inc_img)
cfg.set_core_object_array("drawables", [inc_group])
sheet_pdf = os.path.join(os.environ.get("SMP_TEST_SCRATCH", "/tmp"), "incomplete.pdf")
cfg.set_property("file", Gio.File.new_for_path(sheet_pdf))
result = sheet.run(cfg)
check(result.index(0) != SUCCESS and "incomplete" in (result.index(1) or ""), "the sheet refuses an incomplete proposal",
      result.index(1) if result.length() > 1 else "")
check(not os.path.exists(sheet_pdf), "no sheet written for it")
status, message = run_hairline(inc_img, inc_photo, px_per_mm=10.0)
check(status == SUCCESS, "a run on the photo below it", message)
groups = proposal_groups(inc_img)
check(len(groups) == 1 and groups[0].get_id() == inc_group.get_id(),
      "the incomplete proposal is recognised and replaced, not stacked", [g.get_name() for g in groups])
check("complete=true" in record_text(inc_group) and len(session_layers(inc_group)) == 3,
      "replaced by a complete one with all sessions", len(session_layers(inc_group)))

# A file of 0.1.0 kept the record on the group itself ("smp-design"): still a
# proposal, re-edited in place, and the re-edit's record goes to the image.
old_img, old_photo = new_image(500, 400)
add_path(old_img, "M 0 280 C 150 260 350 300 500 280")
status, message = run_hairline(old_img, old_photo, px_per_mm=10.0, density=90.0)
old_group = proposal_groups(old_img)[0]
text = record_text(old_group)
old_img.detach_parasite(record_name(old_group))
old_group.attach_parasite(Gimp.Parasite.new("smp-design", 3, list(text.encode())))
check(proposal_groups(old_img) == [old_group] and record_text(old_group) == text,
      "a record on the group (0.1.0) is still found")
status, message = run_hairline(old_img, old_group, px_per_mm=10.0, density=50.0)
groups = proposal_groups(old_img)
check(status == SUCCESS and groups == [old_group], "re-editing it updates that group", message)
stored = old_img.get_parasite(record_name(old_group))
check(stored is not None and
      key_file(record_text(old_group)).get_double("SMP Design", "density_per_cm2") == 50.0,
      "the re-edit's record is on the image, named after the group's tattoo", record_name(old_group))

finish()
