# test_hostile_xcf.py: issue 12, untrusted files. A corpus of hostile XCF files
# is made here (crafted parasites, paths and channels on a real proposal),
# saved and loaded back through GIMP's XCF code, then run through scripted
# re-edit and sheet export. Each case is refused with a message or succeeds,
# within a time and memory bound; the photo's pixels never change; and the
# plug-in opens no data file outside patterns/ and the artist's looks folder
# (the kernel's fanotify reports
# every file it opens; bait files sit where the crafted names point).
import re

from smp_testlib import *
from gi.repository import Gio
from fanotify_opens import OpenWatch

SHEET = "plug-in-smp-design-sheet"
W, H = 800, 600
SECONDS = 60.0
LIMIT_MB = 300 * MEMORY_ALLOWANCE
scratch = os.environ.get("SMP_TEST_SCRATCH", "/tmp")
corpus = os.path.join(scratch, "hostile")
os.makedirs(corpus, exist_ok=True)
real_plugin = os.path.join(scratch, "plug-in", "smp-hairline")

# Bait: looks where a crafted preset id would lead if it were followed.
bait_dirs = [os.path.join(scratch, "bait"), "/tmp"]
for d in bait_dirs:
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "smp-evil-bait.smp-preset"), "w") as f:
        f.write("[SMP Preset]\nname=EVIL BAIT\ndensity=5\n")
rel_bait = os.path.relpath(os.path.join(scratch, "bait", "smp-evil-bait"),
                           os.path.join(scratch, "plug-in", "patterns", "presets"))


def sheet(img, drawables, path):
    proc = Gimp.get_pdb().lookup_procedure(SHEET)
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", drawables)
    cfg.set_property("file", Gio.File.new_for_path(path))
    result = proc.run(cfg)
    status = result.index(0)
    return status, (result.index(1) if status != SUCCESS and result.length() > 1 else "") or ""


def base():
    img, photo = new_image(W, H)
    add_path(img, "M 0 420 C 250 400 550 440 800 420")
    status, message = run_hairline(img, photo, px_per_mm=8.0, density=60.0)
    check(status == SUCCESS, "the base proposal", message)
    return img, photo, proposal_groups(img)[0]


def signed(data):
    """Gimp.Parasite.new takes the bytes as gint8."""
    return [b - 256 if b > 127 else b for b in data]


def set_record(group, edit):
    text = record_text(group)
    group.get_image().attach_parasite(Gimp.Parasite.new(record_name(group), 3, signed(edit(text))))


def key(name, value):
    """An edit replacing (or adding under [SMP Proposal]) one key of the record."""
    def edit(text):
        line = f"{name}={value}"
        if re.search(rf"^{name}=", text, re.M):
            text = re.sub(rf"^{name}=.*$", lambda m: line, text, flags=re.M)
        else:
            text = text.replace("[SMP Proposal]\n", "[SMP Proposal]\n" + line + "\n")
        return text.encode("utf-8", "surrogateescape")
    return edit


def raw(data):
    return lambda text: data


def image_parasite(name, data):
    return lambda img, photo, group: img.attach_parasite(Gimp.Parasite.new(name, 1, signed(data)))


def record(edit):
    return lambda img, photo, group: set_record(group, edit)


def channel_named(name, w, h):
    def make(img, photo, group):
        ch = Gimp.Channel.new(img, name, w, h, 50.0, Gegl.Color.new("black"))
        img.insert_channel(ch, None, 0)
    return make


def long_path(n):
    def make(img, photo, group):
        pts = " ".join(f"L {i * W / n:.3f} {420 + 30 * math.sin(i * 0.7):.3f}" for i in range(1, n))
        vec = add_path(img, f"M 0 420 {pts}", name="Long hairline")
        set_record(group, key("path", "Long hairline"))
    return make


CASES = [
    ("preset climbing out of patterns/", record(key("preset", rel_bait))),
    ("preset as an absolute path", record(key("preset", "/tmp/smp-evil-bait"))),
    ("preset with a NUL and bad UTF-8", record(lambda t: t.replace("preset=", "preset=a\\0b\udcff").encode(
        "utf-8", "surrogateescape"))),
    ("record of 300 KiB", record(raw(b"[SMP Proposal]\nversion=2\n" + b"x" * (300 << 10)))),
    ("record of binary noise", record(raw(bytes(range(256)) * 64))),
    ("extent at INT_MAX", record(key("extent", "2147483647;2147483647;2147483647;2147483647"))),
    ("area_bounds at INT_MIN", record(key("area_bounds", "-2147483648;-2147483648;16777216;16777216"))),
    ("area_channel naming the photo", record(key("area_channel", "Client photo"))),
    ("area_channel of the wrong size", lambda i, p, g: (channel_named("Tiny area", 3, 2)(i, p, g),
                                                        set_record(g, key("area_channel", "Tiny area")))),
    ("treated area 1e308", record(key("treated_area_cm2", "1e308"))),
    ("10 MB check message", record(lambda t: (t + "\n[SMP Checks]\nchecked=height\nfindings=1\nheight="
                                              + "W" * (10 << 20) + "\n").encode())),
    ("version from the future", record(key("version", "99"))),
    ("record naming a path that is not there", record(key("path", "No such path"))),
    ("hairline of 20,000 anchors", long_path(20000)),
    ("face frame of noise", image_parasite("smp-face-frame", bytes(range(256)) * 512)),
    ("face frame with NaN", image_parasite("smp-face-frame", b"[SMP Face Frame]\nglabella=nan;nan\n")),
    ("calibration of 1e308 px/mm", image_parasite("smp-calibration",
                                                  b"[SMP Calibration]\npx_per_mm=1e308\ndistance_mm=10\n")),
    ("calibration of -0", image_parasite("smp-calibration", b"[SMP Calibration]\npx_per_mm=-0\n")),
]

# "/" and every other mount the plug-in can reach (a build root's "/" is not
# always listed in /proc/self/mounts).
mounts = {"/"} | {m.split()[1] for m in open("/proc/self/mounts")
                  if m.split()[2] not in ("proc", "sysfs", "devpts", "mqueue", "cgroup2")
                  and os.path.isdir(m.split()[1])}
watch = OpenWatch(real_plugin, mounts=sorted(mounts))
watching = watch.start()
if not watching:
    info(f"no fanotify here ({watch.error}): the file-open check is skipped")

for n, (name, craft) in enumerate(CASES):
    img, photo, group = base()
    craft(img, photo, group)
    xcf = os.path.join(corpus, f"case-{n:02d}.xcf")
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, img, Gio.File.new_for_path(xcf), None)
    loaded = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(xcf))
    check(loaded is not None, f"{name}: the XCF loads back")
    if loaded is None:
        continue
    groups = proposal_groups(loaded)
    photo2 = next(l for _, l in walk(loaded) if l.get_name() == "Client photo")
    before = pixel_hash(photo2)
    for what, call in (("sheet", lambda: sheet(loaded, groups[:1], os.path.join(corpus, f"case-{n:02d}.pdf"))),
                       ("re-edit", lambda: run_hairline(loaded, groups[0]))):
        reset_memory_report()
        t0 = time.perf_counter()
        status, message = call()
        seconds = time.perf_counter() - t0
        peaks = wait_for_peaks()
        peak = peaks[-1] if peaks else float("nan")
        outcome = "ok" if status == SUCCESS else f"refused: {message[:160]}"
        check(status == SUCCESS or len(message) > 10, f"{name}: {what} succeeds or says why", outcome)
        check(seconds < SECONDS and peak < LIMIT_MB, f"{name}: {what} bounded",
              f"{seconds:.1f} s < {SECONDS:.0f} s, {peak:.0f} MB < {LIMIT_MB:.0f} MB")
        check("EVIL BAIT" not in message, f"{name}: {what} never read the bait")
    check(pixel_hash(photo2) == before, f"{name}: the photo's pixels unchanged")
    loaded.delete()
    img.delete()

if watching:
    opened = watch.stop()
    # patterns/ beside the plug-in, and the artist's looks folder
    # (<gimp_directory>/smp-hairline/looks, or SMP_USER_LOOKS_DIR) where a build has one.
    patterns = [os.path.realpath(os.path.join(scratch, d, "patterns")) + os.sep
                for d in ("plug-in", os.path.join("profile", "plug-ins", "smp-hairline"))]
    patterns.append(os.path.realpath(os.environ.get("SMP_USER_LOOKS_DIR") or
                                     os.path.join(scratch, "profile", "smp-hairline", "looks")) + os.sep)
    data = [p for p in opened if p.endswith((".smp-preset", ".smp-template", ".xml", ".html"))
            or "bait" in p or p.startswith(os.path.realpath(scratch))]
    outside = [p for p in data if not any(p.startswith(d) for d in patterns)
               and not p.startswith(os.path.realpath(corpus) + os.sep)
               and not p.startswith(os.path.realpath(os.path.join(scratch, "plug-in")) + os.sep)]
    info(f"the plug-in opened {len(opened)} files, {len(data)} of them data or in the test's folder: "
         + ", ".join(sorted({os.path.relpath(p, os.path.realpath(scratch)) for p in data})[:12]))
    # The monitor works: it saw the plug-in load its libraries and the sheets' files.
    check(any(p.startswith("/usr/") for p in opened) and any(".pdf." in p for p in opened),
          "the open monitor saw the plug-in's opens", len(opened))
    check(not any("bait" in p for p in opened), "no bait file opened", [p for p in opened if "bait" in p])
    check(not outside, "no data file opened outside patterns/ (and the sheets written)", outside[:10])
finish()
