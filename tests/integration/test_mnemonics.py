# test_mnemonics.py: in each procedure's dialog, no two labels share a mnemonic,
# counting the buttons GimpProcedureDialog adds (Reset, Load Saved Settings,
# Save Settings, Help, Cancel, OK) and the hairline dialog's own controls. Under
# LANGUAGE=<ll> (test_i18n.py runs it so) every label is the translated one.
import gettext

from smp_testlib import *

_lang = os.environ.get("LANGUAGE", "")
_gimp = gettext.translation("gimp30-libgimp", "/usr/share/locale", languages=[_lang] if _lang else [],
                            fallback=True)
_ours = gettext.translation("smp-hairline", os.path.join(os.environ.get("SMP_TEST_SCRATCH", ""), "plug-in",
                                                         "locale"), languages=[_lang] if _lang else [],
                            fallback=True)

# GimpProcedureDialog's buttons (libgimp's texts), and each procedure's extra
# controls / OK label (ours, but _Preview is GIMP's).
BUTTON_LABELS = [_gimp.gettext(l) for l in ("_Reset", "_Load Saved Settings", "_Save Settings", "_Help",
                                            "_Cancel", "_OK")]
EXTRA_LABELS = {
    # OK reads "Cr_eate proposal" / "_Update proposal" there, but GIMP checks its
    # labels against the default "_OK" too, so Alt+O stays taken.
    "plug-in-smp-hairline": [_ours.gettext("Cr_eate proposal"), _ours.gettext("_Update proposal"),
                             _gimp.gettext("_Preview"), _ours.gettext("Show on the can_vas"), "1:_1"],
}
PROCS = ["plug-in-smp-hairline", "plug-in-smp-calibrate", "plug-in-smp-hairline-template",
         "plug-in-smp-mirror-hairline", "plug-in-smp-design-sheet", "plug-in-smp-fit-head", "plug-in-smp-match-look"]


def mnemonic(label):
    i = label.find("_")
    while i >= 0 and i + 1 < len(label) and label[i + 1] == "_":
        i = label.find("_", i + 2)
    return label[i + 1].lower() if 0 <= i < len(label) - 1 else None


pdb = Gimp.get_pdb()
for name in PROCS:
    proc = pdb.lookup_procedure(name)
    if not check(proc is not None, f"{name} is installed"):
        continue
    taken = {mnemonic(l): l for l in BUTTON_LABELS + EXTRA_LABELS.get(name, []) if mnemonic(l)}
    clashes = []
    for spec in proc.get_arguments():
        key = mnemonic(spec.get_nick() or "")
        if key is None:
            continue
        if key in taken:
            clashes.append(f"{spec.get_nick()!r} ~ {taken[key]!r} (Alt+{key.upper()})")
        else:
            taken[key] = spec.get_nick()
    check(not clashes, f"{name}: no mnemonic clash", "; ".join(clashes))

finish()
