# test_i18n.py: under LANGUAGE=<ll> (runner --env), the plug-in speaks the catalog's
# language: procedure label, dialog field labels, an error, the design sheet's text;
# and the sheet's own language argument prints another language than the UI's.
import gettext
import re
import subprocess

from smp_testlib import *
from gi.repository import Gio

SHEET = "plug-in-smp-design-sheet"
DOMAIN = "smp-hairline"

lang = os.environ.get("LANGUAGE", "")
scratch = os.environ["SMP_TEST_SCRATCH"]
# runner.py installs the built catalogs beside the real binary, where GIMP looks
locale = os.path.join(scratch, "plug-in", "locale")
check(lang != "" and os.path.isdir(os.path.join(locale, lang)), "catalog installed for the test's language",
      f"LANGUAGE={lang!r}, {locale}")
tr = gettext.translation(DOMAIN, locale, languages=[lang])
others = sorted(d for d in os.listdir(locale) if d != lang and os.path.isdir(os.path.join(locale, d)))


def translated(msgid):
    """The catalog's translation; a test of a message the catalog lacks proves nothing."""
    t = tr.gettext(msgid)
    check(t != msgid, f"the {lang} catalog translates {msgid!r}", t)
    return t


def strip(text):
    return re.sub(r"[\s\u2009\u202f]+", " ", text).strip()


pdb = Gimp.get_pdb()

# ---- the procedure's menu label and documentation --------------------------------
proc = pdb.lookup_procedure(PROC)
label = proc.get_menu_label()
check(label == translated("_Hairline…"), "menu label of plug-in-smp-hairline is translated", label)
blurb = proc.get_blurb()
check(blurb == translated("Simulate SMP behind a hairline. Prepare the hairline as a path and select the scalp"),
      "procedure blurb is translated", blurb)

# ---- dialog fields: the argument labels GimpProcedureDialog shows ---------------------
for arg, msgid in (("density", "_Density (dots/cm²)"), ("fade-width", "Fade _width (mm)"),
                   ("sessions", "Num_ber of sessions")):
    spec = proc.find_argument(arg)
    check(spec is not None and spec.get_nick() == translated(msgid),
          f"dialog label of {arg} is translated", spec and spec.get_nick())
stage = proc.find_argument("stage")
choice = Gimp.param_spec_choice_get_choice(stage)
check(choice.get_label("healed") == translated("Healed"), "choice label of stage=healed is translated",
      choice.get_label("healed"))
sheet_proc = pdb.lookup_procedure(SHEET)
spec = sheet_proc.find_argument("language")
check(spec is not None and spec.get_nick() == translated("Sheet lan_guage"),
      "the sheet's language field is translated", spec and spec.get_nick())

# ---- an error the artist reads ----------------------------------------------------
img, photo = new_image(320, 240)
status, message = run_hairline(img, photo)
want = translated("The image has no path: draw the hairline with the Paths tool first")
check(status != SUCCESS and want in message, "the no-path error is translated", message)

# ---- the design sheet: UI language by default, another on request -----------------
path = add_path(img, "M 10 150 C 80 130 160 160 310 140")
img.attach_parasite(Gimp.Parasite.new("smp-calibration", 1, list(
    b"[SMP Calibration]\npx_per_mm=4\ndistance_mm=63\nmethod=ipd\n")))
status, message = run_hairline(img, photo, path=path, seed=3)
check(status == SUCCESS, "hairline run", message)
group = proposal_groups(img)[0]


def export(name, language):
    cfg = sheet_proc.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("image", img)
    cfg.set_core_object_array("drawables", [group])
    pdf = os.path.join(scratch, name)
    cfg.set_property("file", Gio.File.new_for_path(pdf))
    cfg.set_property("language", language)
    result = sheet_proc.run(cfg)
    status = result.index(0)
    message = result.index(1) if status != SUCCESS and result.length() > 1 else ""
    text = ""
    if status == SUCCESS:
        text = strip(subprocess.run(["pdftotext", pdf, "-"], stdout=subprocess.PIPE,
                                    check=False).stdout.decode("utf-8", "replace"))
    return status, message, text


status, message, text = export("ui.pdf", "")
check(status == SUCCESS, "sheet in the UI language written", message)
for msgid in ("Hairline Design", "Session plan", "Client signature",
              "This is a simulation, not a guarantee of the healed result."):
    # captions are printed in capitals
    want = strip(translated(msgid))
    check(want in text or want.upper() in text, f"sheet text {msgid!r} in {lang}", want)
check("Hairline Design" not in text, "no English heading on the UI-language sheet")

other = others[0] if others else "en"
otr = gettext.translation(DOMAIN, locale, languages=[other])
status, message, text = export("other.pdf", other)
check(status == SUCCESS, f"sheet in {other} written while the UI is in {lang}", message)
check(strip(otr.gettext("Hairline Design")) in text and strip(tr.gettext("Hairline Design")) not in text,
      f"the sheet's heading is in {other}, not {lang}", text[:80])
check(strip(otr.gettext("Healed")) in text or strip(otr.gettext("Fresh")) in text,
      f"the stage is named in {other}")

status, message, text = export("en.pdf", "en")
check(status == SUCCESS and "Hairline Design" in text, "language=en prints the English sheet", message)

status, message, text = export("xx.pdf", "xx")
check(status != SUCCESS and "xx" in message and lang in message,
      "an unknown sheet language is refused, listing the installed ones", message)
check(not os.path.exists(os.path.join(scratch, "xx.pdf")), "nothing written for an unknown language")

# The translated dialogs' mnemonics: test_mnemonics.py's checks in this language
# (it ends with finish()).
exec(compile(open(os.path.join(os.path.dirname(__file__), "test_mnemonics.py"), encoding="utf-8").read(),
             "test_mnemonics.py", "exec"))
