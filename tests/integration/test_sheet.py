# test_sheet.py: plug-in-smp-design-sheet end to end: the PDF's page, text, true
# 1:1 scale and pictures (measured with poppler's tools), the PNG's size, and bad
# input (no proposal, unwritable path, unknown extension): an error, no file.
import re
import subprocess

from smp_testlib import *
from gi.repository import Gio

SHEET = "plug-in-smp-design-sheet"
PT_PER_MM = 72 / 25.4
W, H = 900, 700
PX_PER_MM = 6.0

scratch = os.environ.get("SMP_TEST_SCRATCH", "/tmp")
out = os.path.join(scratch, "sheets")
crops = os.path.join(scratch, "crops")
os.makedirs(out, exist_ok=True)
os.makedirs(crops, exist_ok=True)


def run_sheet(img, drawables, path, **args):
    proc = Gimp.get_pdb().lookup_procedure(SHEET)
    if proc is None:
        raise RuntimeError(SHEET + " is not installed")
    cfg = proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", drawables)
    cfg.set_property("file", Gio.File.new_for_path(path))
    for key, value in args.items():
        cfg.set_property(key.replace("_", "-"), value)
    result = proc.run(cfg)
    status = result.index(0)
    message = result.index(1) if status != SUCCESS and result.length() > 1 else ""
    return status, message or ""


def tool(*cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def words(pdf):
    """(text, xMin, yMin, xMax, yMax) per word, in pt, top-left origin."""
    res = tool("pdftotext", "-bbox", pdf, "-")
    pat = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    return [(m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
            for m in pat.finditer(res.stdout.decode("utf-8", "replace"))]


def render_gray(pdf, dpi, x_pt, y_pt, w_pt, h_pt):
    """The page region (pt) rendered at `dpi` as rows of 0..255 grey values."""
    s = dpi / 72.0
    stem = os.path.join(crops, "crop")
    res = tool("pdftoppm", "-gray", "-r", str(dpi), "-x", str(int(x_pt * s)), "-y", str(int(y_pt * s)),
               "-W", str(int(w_pt * s)), "-H", str(int(h_pt * s)), "-singlefile", pdf, stem)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode())
    data = open(stem + ".pgm", "rb").read()
    # P5 header: magic, width, height, maxval, one whitespace byte, pixels
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    pix = data[m.end():]
    return [pix[y * w:(y + 1) * w] for y in range(h)]


def longest_dark_run(rows, threshold=128):
    best = 0
    for row in rows:
        run = 0
        for v in row:
            run = run + 1 if v < threshold else 0
            best = max(best, run)
    return best


def dir_entries():
    return sorted(os.listdir(out))


# ---- a proposal on a calibrated image --------------------------------------------

img, photo = new_image(W, H)
path = add_path(img, "M 20 420 C 200 380 300 440 450 400 C 600 370 700 430 880 410")
img.attach_parasite(Gimp.Parasite.new("smp-calibration", 1, list(
    f"[SMP Calibration]\npx_per_mm={PX_PER_MM}\ndistance_mm=63\nmethod=ipd\n".encode())))
status, message = run_hairline(img, photo, path=path, seed=11)
check(status == SUCCESS, "hairline run", message)
group = proposal_groups(img)[0]
kf = key_file(record_text(group))
area = kf.get_double("SMP Proposal", "treated_area_cm2")
density = kf.get_double("SMP Design", "density_per_cm2")
split = kf.get_double_list("SMP Design", "session_split")
shares = [s / sum(split) for s in split]
state = image_state(img)

pdf = os.path.join(out, "sheet.pdf")
status, message = run_sheet(img, [group], pdf, client_name="Jane Q. Client", artist="Studio Test",
                            date="2031-02-03", notes="Prefers a soft line. Note XYZ.", paper="a4")
check(status == SUCCESS, "sheet written", message)
check(image_state(img) == state, "the image is unchanged by the export")
check(dir_entries() == ["sheet.pdf"], "only the sheet in the folder (no temporary file)", dir_entries())

info = tool("pdfinfo", pdf)
text = info.stdout.decode()
check(info.returncode == 0, "pdfinfo reads the PDF", info.stderr.decode()[:200])
m = re.search(r"Pages:\s+(\d+)", text)
check(m and int(m.group(1)) == 1, "one page", m and m.group(1))
m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", text)
check(m and abs(float(m.group(1)) - 595.28) < 0.5 and abs(float(m.group(2)) - 841.89) < 0.5,
      "A4 page size", m and m.group(0))

raw = tool("pdftotext", "-layout", pdf, "-").stdout.decode("utf-8", "replace")
flat = re.sub(r"[\s\u2009\u202f]+", " ", raw)
for needle in ("Jane Q. Client", "Studio Test", "2031-02-03", "Note XYZ",
               "This is a simulation, not a guarantee of the healed result."):
    check(needle in flat, "text on the sheet: " + needle)
check(f"{PX_PER_MM:.2f} px/mm (calibrated)" in flat, "the scale, calibrated")
check(f"{density:.0f} dots/cm²" in flat, "the density parameter", density)
check(f"{kf.get_double('SMP Design', 'dot_diameter_mm'):.2f} mm" in flat, "the dot diameter")
check(f"{kf.get_double('SMP Design', 'fade_width_mm'):.1f} mm" in flat, "the fade width")
check(f"Treated area {area:.1f} cm²" in flat, "the treated area", area)
cumulative = 0.0
for k, share in enumerate(shares):
    added = density * share
    cumulative += added
    impressions = f"{round(area * added):,}".replace(",", " ")
    row = (rf"^\s*{k + 1}\s+{round(100 * share)}%\s+{added:.1f}\s+{cumulative:.1f}\s+"
           rf"[\d.]+ mm\s+#[0-9A-F]{{6}}\s+\d+%\s+{re.escape(impressions)}\s*$")
    lines = [re.sub(r"[\u2009\u202f]", " ", l) for l in raw.splitlines()]
    check(any(re.match(row, l) for l in lines), f"session {k + 1} row", row)

# The 10 mm scale bar: rendered at 720 dpi (10 px per pt) above its label.
ws = words(pdf)
label = [(ws[i], ws[i + 1]) for i in range(len(ws) - 1) if ws[i][0] == "10" and ws[i + 1][0] == "mm"]
check(len(label) == 1, "one 10 mm scale bar label", len(label))
if label:
    _, x0, y0, _, _ = label[0][0]
    rows = render_gray(pdf, 720, x0 - 6, y0 - 8, 44, 8)
    bar_pt = longest_dark_run(rows) / 10.0
    check(abs(bar_pt - 10 * PT_PER_MM) <= 0.5, "scale bar is 10 mm (28.35 pt) within 0.5 pt",
          f"{bar_pt:.2f} pt")

# The actual-size detail: a 10 mm patch (60 px at 6 px/mm) placed at 6 × 25.4 ppi.
lst = tool("pdfimages", "-list", pdf).stdout.decode()
sizes = []
for line in lst.splitlines()[2:]:
    f = line.split()
    if len(f) >= 14 and f[3] == str(int(10 * PX_PER_MM)) and f[4] == str(int(10 * PX_PER_MM)):
        sizes.append(float(f[12]))
check(any(abs(p - PX_PER_MM * 25.4) <= 0.02 * PX_PER_MM * 25.4 for p in sizes),
      "the 1:1 detail is printed at true size", f"ppi {sizes}, want {PX_PER_MM * 25.4:.1f}")

# The page is not blank, and the before and after pictures differ.
page = render_gray(pdf, 50, 0, 0, 595, 841)
dark = sum(1 for row in page for v in row if v < 200)
check(dark > 0.05 * sum(len(r) for r in page), "the rendered page is not blank", dark)
cap = {w[0]: w for w in ws if w[0] in ("BEFORE", "AFTER")}
check("BEFORE" in cap and "AFTER" in cap, "before and after captions found", sorted(cap))
if "BEFORE" in cap and "AFTER" in cap:
    bx, by = cap["BEFORE"][1], cap["BEFORE"][4] + 6
    ax = cap["AFTER"][1]
    width = min(ax - bx - 12, 240)
    before = render_gray(pdf, 100, bx, by, width, 120)
    after = render_gray(pdf, 100, ax, by, width, 120)
    n = sum(len(r) for r in before)
    diff = sum(abs(a - b) for ra, rb in zip(after, before) for a, b in zip(ra, rb)) / n
    check(diff > 0.5, "the before and after pictures differ", f"mean |diff| {diff:.2f}")
    mean_b = sum(sum(r) for r in before) / n
    mean_a = sum(sum(r) for r in after) / n
    check(mean_a < mean_b, "the after picture is darker (pigment)", f"{mean_b:.2f} -> {mean_a:.2f}")

# PNG, Letter: 8.5 × 11 in at 150 dpi.
png = os.path.join(out, "sheet.png")
status, message = run_sheet(img, [photo], png, client_name="Jane Q. Client", paper="letter")
check(status == SUCCESS, "PNG sheet written (proposal found from the photo layer)", message)
header = open(png, "rb").read(24) if os.path.exists(png) else b""
size = (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) if len(header) == 24 else None
check(header[:8] == b"\x89PNG\r\n\x1a\n" and size == (1275, 1650), "PNG of Letter size at 150 dpi", size)
# GIMP itself reads the resolution the PNG records (its pHYs chunk).
if size:
    sheet_img = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(png))
    res = sheet_img.get_resolution()
    xres, yres = res[-2], res[-1]
    check(abs(xres - 150) < 0.05 and abs(yres - 150) < 0.05, "GIMP opens the PNG sheet at 150 dpi",
          f"{xres:.3f} × {yres:.3f} dpi")
    sheet_img.delete()

# ---- bad input: a clear error and no file -----------------------------------------

before_files = dir_entries()
bad = os.path.join(out, "bad.txt")
status, message = run_sheet(img, [group], bad)
check(status != SUCCESS and ".pdf" in message, "unknown extension refused", message)
check(dir_entries() == before_files, "nothing written for an unknown extension", dir_entries())

missing = os.path.join(out, "no-such-folder", "sheet.pdf")
status, message = run_sheet(img, [group], missing)
check(status != SUCCESS and missing in message, "unwritable path refused, naming it", message)
check(dir_entries() == before_files, "nothing written for an unwritable path", dir_entries())

taken = os.path.join(out, "taken.pdf")
os.mkdir(taken)
status, message = run_sheet(img, [group], taken)
# GIMP itself may refuse a folder as a file to save to; either way: an error
check(status != SUCCESS and message, "a folder in the way refused", message)
check(dir_entries() == sorted(before_files + ["taken.pdf"]), "no partial file left beside it", dir_entries())

plain, plain_photo = new_image(400, 300)
add_path(plain, "M 0 150 L 400 150")
plain_state = image_state(plain)
nothing = os.path.join(out, "nothing.pdf")
status, message = run_sheet(plain, [plain_photo], nothing)
check(status != SUCCESS and "SMP proposal" in message, "no proposal group refused", message)
check(not os.path.exists(nothing) and dir_entries() == sorted(before_files + ["taken.pdf"]),
      "nothing written without a proposal", dir_entries())
check(image_state(plain) == plain_state, "the image without a proposal is unchanged")

# ---- without calibration the detail says so ----------------------------------------

unc, unc_photo = new_image(600, 500)
p2 = add_path(unc, "M 0 300 C 200 280 400 320 600 300")
status, message = run_hairline(unc, unc_photo, path=p2, seed=3)
check(status == SUCCESS, "uncalibrated hairline run", message)
unc_pdf = os.path.join(out, "uncalibrated.pdf")
status, message = run_sheet(unc, [], unc_pdf)
check(status == SUCCESS, "uncalibrated sheet written (the only proposal is found)", message)
txt = re.sub(r"\s+", " ", tool("pdftotext", unc_pdf, "-").stdout.decode("utf-8", "replace"))
check("Scale not calibrated" in txt and "(not calibrated)" in txt, "marked \"scale not calibrated\"")

# ---- a high-bit-depth grey photo works the same ------------------------------------

grey, grey_photo = new_image(500, 400, base="gray", precision=Gimp.Precision.U16_NON_LINEAR)
p3 = add_path(grey, "M 0 240 C 150 220 350 260 500 240")
status, message = run_hairline(grey, grey_photo, path=p3, px_per_mm=5.0, seed=4)
check(status == SUCCESS, "hairline on a 16-bit grey photo", message)
grey_state = image_state(grey)
grey_png = os.path.join(out, "grey.png")
status, message = run_sheet(grey, [], grey_png, paper="a4")
check(status == SUCCESS, "sheet of a 16-bit grey photo", message)
header = open(grey_png, "rb").read(24) if os.path.exists(grey_png) else b""
check(len(header) == 24 and int.from_bytes(header[16:20], "big") == 1240, "A4 PNG at 150 dpi (1240 px wide)")
check(image_state(grey) == grey_state, "the grey image is unchanged by the export")

# ---- the legend and the parameter table give the same zone figures ----------------

leg, leg_photo = new_image(500, 400)
p5 = add_path(leg, "M 0 240 C 150 220 350 260 500 240")
status, message = run_hairline(leg, leg_photo, path=p5, px_per_mm=5.0, seed=4, sentinel_depth=2.5,
                               fade_width=7.5)
check(status == SUCCESS, "hairline with 2.5 mm sentinels and a 7.5 mm transition", message)
leg_pdf = os.path.join(out, "legend.pdf")
status, message = run_sheet(leg, [], leg_pdf, paper="a4")
check(status == SUCCESS, "legend sheet written", message)
txt = re.sub(r"[\s\u2009\u202f]+", " ", tool("pdftotext", leg_pdf, "-").stdout.decode("utf-8", "replace"))
check("Sentinels 2.5 mm ahead" in txt, "legend: sentinels 2.5 mm ahead", re.findall(r"Sentinels [^A-Z]*", txt))
check("Transition zone 7.5 mm" in txt, "legend: transition zone 7.5 mm", re.findall(r"Transition zone [^A-Z]*", txt))
check("2.5 mm ahead" in txt.replace("Sentinels 2.5 mm ahead", ""), "table: 2.5 mm ahead too")

# ---- the swatch shows the colour the artist chose, whatever the image's encoding ----
# On a linear-light image the layers (and [SMP Design] shade) hold linear values;
# the sheet must print the sRGB colour that was picked, not the layer's encoding.

for precision in (Gimp.Precision.FLOAT_LINEAR, Gimp.Precision.U16_LINEAR, Gimp.Precision.U8_NON_LINEAR):
    lin, lin_photo = new_image(500, 400, precision=precision)
    p4 = add_path(lin, "M 0 240 C 150 220 350 260 500 240")
    status, message = run_hairline(lin, lin_photo, path=p4, px_per_mm=5.0, seed=4, shade="#204060")
    check(status == SUCCESS, f"hairline with shade #204060 on {precision.value_nick}", message)
    lin_pdf = os.path.join(out, f"shade-{precision.value_nick}.pdf")
    status, message = run_sheet(lin, [], lin_pdf, paper="a4")
    check(status == SUCCESS, f"sheet of the {precision.value_nick} image", message)
    txt = re.sub(r"\s+", " ", tool("pdftotext", lin_pdf, "-").stdout.decode("utf-8", "replace"))
    hexes = sorted(set(re.findall(r"#[0-9A-F]{6}", txt)))
    check("#204060" in hexes, f"{precision.value_nick}: the swatch hex is the chosen sRGB #204060", hexes)

finish()
