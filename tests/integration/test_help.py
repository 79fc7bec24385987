# test_help.py: the plug-in registers its own help domain (GIMP records it in
# pluginrc), and every procedure's help id maps to a page that exists, so Help
# and F1 open the plug-in's page instead of "the user manual is not installed".
import re
import xml.etree.ElementTree as ET

from smp_testlib import *

profile = os.environ.get("GIMP3_DIRECTORY", "")
pluginrc = open(os.path.join(profile, "pluginrc"), encoding="utf-8", errors="replace").read()
m = re.search(r'\(help-def "([^"]+)" "([^"]+)"\)', pluginrc[pluginrc.find("smp-hairline/smp-hairline"):])
check(m is not None and m.group(1) == "org.smp-hairline.help", "help domain registered", m and m.group(0))
if m:
    uri = GLib.filename_from_uri(m.group(2))[0]
    index = os.path.join(uri, "en", "gimp-help.xml")
    check(os.path.isfile(index), "the domain's English index exists", index)
    items = {e.get("id"): e.get("ref") for e in ET.parse(index).getroot().iter("help-item")}
    pdb = Gimp.get_pdb()
    for name in ("plug-in-smp-hairline", "plug-in-smp-calibrate", "plug-in-smp-hairline-template",
                 "plug-in-smp-mirror-hairline", "plug-in-smp-design-sheet", "plug-in-smp-fit-head",
                 "plug-in-smp-match-look"):
        proc = pdb.lookup_procedure(name)
        # GIMP prefixes a plug-in's help ids with its domain: "domain?id".
        help_id = proc.get_help_id() if proc else ""
        domain, _, item = help_id.partition("?")
        check(domain == "org.smp-hairline.help", f"{name}: help id in our domain", help_id)
        ref = items.get(item)
        page = os.path.join(uri, "en", ref) if ref else ""
        check(ref is not None and os.path.isfile(page), f"{name}: help id {help_id!r} has a page", page)
        if ref and os.path.isfile(page):
            text = open(page, encoding="utf-8").read()
            check("Prepare:" in text, f"{name}: its page says what to prepare")

# Every menu item a message or hint names ("Filters ▸ Render ▸ Scalp Micropigmentation ▸ X")
# is one the plug-in registers there (the dialog once named a "Calibrate" that was not).
import glob
import re
import smp_testlib
src = os.path.join(os.path.dirname(os.path.abspath(smp_testlib.__file__)), "..", "..", "plugin")
labels = {}
for name in ("plug-in-smp-hairline", "plug-in-smp-calibrate", "plug-in-smp-hairline-template",
             "plug-in-smp-mirror-hairline", "plug-in-smp-design-sheet", "plug-in-smp-fit-head",
             "plug-in-smp-match-look"):
    proc = Gimp.get_pdb().lookup_procedure(name)
    if proc is not None:
        labels[proc.get_menu_label().replace("_", "")] = name
named = []
for path in glob.glob(os.path.join(src, "*", "*.c")):
    text = re.sub(r'"\s*\n\s*"', "", open(path, encoding="utf-8").read())  # join C string pieces
    named += [(os.path.basename(path), m) for m in
              re.findall(r"Scalp Micropigmentation ▸ ([^)\"]*…)", text)]
    check("Scalp Micropigmentation →" not in text, f"{os.path.basename(path)}: menu paths written with ▸, in full")
check(len(named) >= 3, "messages name menu items by their full path", named)
for where, item in named:
    check(item in labels, f"{where}: “{item}” is a menu item of the plug-in", sorted(labels))

# Menu order: GIMP 3 lists a menu's plug-in entries sorted by menu path + label +
# procedure name (app/menus/plug-in-menus.c, a GTree of collated keys), so the
# sections in the paths must sort into the workflow, the help index's numbered steps
# (seen in GIMP 3.0.4 for the earlier order).
WORKFLOW = ["plug-in-smp-calibrate", "plug-in-smp-fit-head", "plug-in-smp-hairline-template",
            "plug-in-smp-mirror-hairline", "plug-in-smp-hairline", "plug-in-smp-design-sheet",
            "plug-in-smp-match-look"]
keys = []
for name in WORKFLOW:
    proc = Gimp.get_pdb().lookup_procedure(name)
    paths = proc.get_menu_paths() if proc else []
    check(len(paths) == 1 and paths[0].startswith("<Image>/Filters/Render/Scalp Micropigmentation/["),
          f"{name}: in the SMP menu, in a section of its own", paths)
    if paths:
        keys.append((GLib.utf8_collate_key(paths[0] + "/" + proc.get_menu_label().replace("_", "") + name, -1), name))
check([n for _, n in sorted(keys)] == WORKFLOW, "the menu sorts into the workflow: Calibrate, Fit Head, Template, "
      "Mirror, Hairline, Export, Match Look", [n for _, n in sorted(keys)])

# The help index numbers the same steps in the same order (Match Look, a setup step,
# follows the list).
if m:
    page_of = {ref: pid for pid, ref in items.items()}
    html = open(os.path.join(uri, "en", "index.html"), encoding="utf-8").read()
    ol = re.search(r"<ol>(.*?)</ol>", html, re.S)
    steps = [page_of.get(h) for h in re.findall(r'<li><a href="([^"]+)"', ol.group(1))] if ol else []
    check(steps == WORKFLOW[:-1], "the help index numbers the steps in the menu's order", steps)
    # Every page's navigation bar: the same steps, numbered in that order.
    for page in sorted(set(items.values())):
        text = open(os.path.join(uri, "en", page), encoding="utf-8").read()
        nav = re.search(r"<nav>(.*?)</nav>", text, re.S)
        links = re.findall(r'<a href="([^"]+)">(\d+) ', nav.group(1)) if nav else []
        check([page_of.get(h) for h, _ in links] == WORKFLOW[:-1] and
              [int(k) for _, k in links] == list(range(1, len(WORKFLOW))),
              f"{page}: its navigation numbers the steps in the menu's order", links)

finish()
