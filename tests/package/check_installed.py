# check_installed.py: runs inside headless GIMP in a root where only the Debian
# package installed the plug-in (test_deb.sh). The procedure is found, runs on
# a generated image, and every look shipped in the package's patterns/presets
# is listed there and applied by name (its density is the one stored).
import os
from smp_testlib import *  # noqa: F401,F403

plugin = os.environ["SMP_INSTALLED_PLUGIN"]
presets = os.path.join(os.path.dirname(plugin), "patterns", "presets")

pdb = Gimp.get_pdb()
for name in ("plug-in-smp-hairline", "plug-in-smp-calibrate", "plug-in-smp-design-sheet"):
    check(pdb.lookup_procedure(name) is not None, f"GIMP finds {name}")

img, photo = new_image(500, 400)
path = add_path(img, "M 20 260 C 180 230 320 280 480 250")
status, message = run_hairline(img, photo, px_per_mm=10.0, density=80.0, seed=5)
check(status == SUCCESS, "plug-in-smp-hairline runs on a generated image", message)
groups = proposal_groups(img)
check(len(groups) == 1, "it made one proposal group", len(groups))
if groups:
    layers = session_layers(groups[0])
    dots = sum(sum(1 for a in alpha_floats(l) if a > 0) for l in layers)
    check(len(layers) == 3 and dots > 500, "three session layers holding dots",
          f"{len(layers)} layers, {dots} px with alpha")

looks = sorted(f[:-len(".smp-preset")] for f in os.listdir(presets) if f.endswith(".smp-preset")) \
    if os.path.isdir(presets) else []
check("shaved-natural" in looks and len(looks) >= 5, "the shipped looks are listed in the package",
      ", ".join(looks))
for look in looks:
    kf = GLib.KeyFile.new()
    kf.load_from_file(os.path.join(presets, look + ".smp-preset"), GLib.KeyFileFlags.NONE)
    try:
        want = kf.get_double("SMP Design", "density_per_cm2")
    except GLib.Error:
        want = None  # a look that keeps the density asked for
    im, ph = new_image(300, 240)
    add_path(im, "M 10 160 C 100 140 200 170 290 150")
    status, message = run_hairline(im, ph, px_per_mm=10.0, density=150.0, seed=2, preset=look)
    stored = key_file(record_text(proposal_groups(im)[0])) if status == SUCCESS else None
    got_look = stored.get_string("SMP Proposal", "preset") if stored else None
    got = stored.get_double("SMP Design", "density_per_cm2") if stored else None
    check(status == SUCCESS and got_look == look and (want is None or abs(got - want) < 1e-9),
          f"the look {look} applies by name", f"{message or ''} density {got} (look: {want})")
    im.delete()

status, message = run_hairline(img, photo, px_per_mm=10.0, preset="no-such-look")
check(status != SUCCESS and "no-such-look" in message, "an unknown look is refused by name", message)
finish()
