# test_mnemonics.py: in each procedure's dialog, no two labels share a mnemonic,
# counting the buttons GimpProcedureDialog adds (Reset, Load Saved Settings,
# Save Settings, Help, Cancel, OK) and the hairline dialog's own controls.
from smp_testlib import *

# GimpProcedureDialog's buttons, and each procedure's extra controls / OK label.
BUTTONS = {"r": "Reset", "l": "Load Saved Settings", "s": "Save Settings", "h": "Help",
           "c": "Cancel", "o": "OK"}
EXTRA = {
    # OK reads "Cr_eate proposal" / "_Update proposal" there, but GIMP checks its
    # labels against the default "_OK" too, so Alt+O stays taken.
    "plug-in-smp-hairline": {"e": "Create proposal", "u": "Update proposal", "p": "Preview",
                             "v": "Show on canvas", "1": "1:1"},
}
PROCS = ["plug-in-smp-hairline", "plug-in-smp-calibrate", "plug-in-smp-hairline-template",
         "plug-in-smp-mirror-hairline", "plug-in-smp-design-sheet"]


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
    taken = dict(BUTTONS)
    taken.update(EXTRA.get(name, {}))
    taken = {k: v for k, v in taken.items() if v is not None}
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
