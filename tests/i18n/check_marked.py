#!/usr/bin/env python3
# check_marked.py: fails when a user-visible string in the C sources is not marked
# for translation, when a marked file is missing from POTFILES, or when the template is stale.
"""Usage: check_marked.py SOURCE_ROOT [--xgettext XGETTEXT]

1. Every string literal passed where the user reads it (the watched arguments
   below: GErrors, GIMP messages, procedure labels and blurbs, argument labels
   and blurbs, dialog widgets, sheet text) must sit inside a marker: _(), N_(),
   C_(), NC_(), T_(), TN_() or a g_d*gettext / smp_catalog_*gettext call.
   Literals without letters ("%s: %s", "#%02x") need no mark; a line holding
   "NOTR" (a comment saying why) is exempt.
2. The label, blurb and choice texts of the parameter table (smp-params.c)
   are N_() marked.
3. Every source with a marked string is listed in po/POTFILES, and every file
   listed there exists.
4. xgettext over POTFILES gives exactly the msgids of po/smp-hairline.pot
   (else: ninja -C BUILD smp-hairline-pot).
Prints one line per finding and "FAIL n findings", or "PASS ...". """

import os
import re
import subprocess
import sys
import tempfile

MARKERS = {"_", "N_", "C_", "NC_", "Q_", "T_", "TN_", "g_dgettext", "g_dngettext", "g_dpgettext2",
           "g_dcgettext", "gettext", "ngettext", "smp_catalog_gettext", "smp_catalog_ngettext"}

# function → user-visible argument positions (0-based); "odd" = 1, 3, 5, …
WATCHED = {
    "g_set_error": {3}, "g_set_error_literal": {3}, "g_prefix_error": {1}, "g_prefix_error_literal": {1},
    "g_error_new": {2}, "g_error_new_literal": {2},
    "gimp_message": {0}, "smp_plugin_warn": {1}, "smp_plugin_procedure_new": {4, 5, 6},
    "gimp_procedure_set_menu_label": {1}, "gimp_procedure_set_documentation": {1, 2},
    "gimp_choice_add": {3, 4},
    "gtk_label_new": {0}, "gtk_label_new_with_mnemonic": {0}, "gtk_label_set_text": {1},
    "gtk_label_set_markup": {1}, "gtk_label_set_text_with_mnemonic": {1}, "gtk_label_set_markup_with_mnemonic": {1},
    "gtk_widget_set_tooltip_text": {1}, "gtk_widget_set_tooltip_markup": {1},
    "gtk_combo_box_text_append_text": {1}, "gtk_combo_box_text_append": {2},
    "gtk_window_set_title": {1}, "gtk_frame_new": {0}, "gtk_expander_new": {0},
    "gtk_expander_new_with_mnemonic": {0},
    "gtk_button_new_with_label": {0}, "gtk_button_new_with_mnemonic": {0},
    "gtk_toggle_button_new_with_label": {0}, "gtk_toggle_button_new_with_mnemonic": {0},
    "gtk_check_button_new_with_label": {0}, "gtk_check_button_new_with_mnemonic": {0},
    "gtk_radio_button_new_with_label": {1}, "gtk_radio_button_new_with_mnemonic": {1},
    "gtk_radio_button_new_with_label_from_widget": {1}, "gtk_radio_button_new_with_mnemonic_from_widget": {1},
    "gtk_message_dialog_new": {4}, "gtk_message_dialog_format_secondary_text": {1},
    "gtk_message_dialog_format_secondary_markup": {1},
    "gtk_dialog_add_button": {1}, "gtk_dialog_add_buttons": "odd", "gimp_dialog_add_buttons": "odd",
    "gimp_procedure_dialog_new": {2}, "gimp_procedure_dialog_set_ok_label": {1},
    "gimp_procedure_dialog_get_label": {2}, "gimp_procedure_dialog_fill_frame": set(),
    "gimp_procedure_dialog_get_file_chooser": set(),
    "gimp_progress_init": {0}, "gimp_progress_set_text": {0}, "gimp_progress_init_printf": {0},
    "gimp_progress_set_text_printf": {0},
    # the dialog's helpers (plugin/ui/): section titles, tool buttons and their tooltips
    "section": {2}, "tool_button": {1, 2},
    # GimpChoice labels and help: name, value, label, help, name, value, …
    "gimp_choice_new_with_values": "choice",
    # the design sheet (include/smp/sheet/)
    "draw_text": {3}, "draw_caption": {3}, "legend_item": {6}, "PAIR": {0, 1},
}
# gimp_procedure_add_<type>_argument / _aux_argument / _return_value: label, blurb.
ARGUMENT_FN = re.compile(r"^gimp_procedure_add_\w+_(argument|aux_argument|return_value)$")
# In these files every printf-style format is text the user reads (the sheet).
# In these files every printf-style format or copied literal is text the user
# reads (the sheet, the dialog, the procedures' messages); a literal that is not
# (a file name pattern) says so with NOTR on its line.
PRINTF_FILES = {"include/smp/sheet/smp-sheet.c", "plugin/ui/smp-plugin-dialog.c", "plugin/ui/smp-plugin-preview.c",
                "plugin/procedures/smp-plugin-hairline.c", "plugin/procedures/smp-plugin-calibrate.c",
                "plugin/procedures/smp-plugin-template.c", "plugin/procedures/smp-plugin-sheet.c"}
PRINTF_FN = {"g_snprintf": {2}, "g_strdup_printf": {0}, "g_string_append_printf": {1},
             "g_string_printf": {1}, "g_strdup": {0}, "g_markup_printf_escaped": {0}}

TOKEN = re.compile(r'''
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\\n])+')
  | (?P<pre>^[ \t]*\#[^\n]*(?:\\\n[^\n]*)*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<punct>[(){}\[\],;])
  | (?P<nl>\n)
  | (?P<other>.)
''', re.S | re.X | re.M)


def tokens(text):
    line = 1
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        value = m.group()
        if kind not in ("comment", "nl", "other", "pre"):
            yield kind, value, line
        line += value.count("\n")


def has_words(literal):
    body = literal[1:-1]
    body = re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]+|[0-7]{1,3}|.)", " ", body)
    body = re.sub(r"%[-+ #0]*(\*|\d+)?(\.(\*|\d+))?(hh|h|ll|l|z|j|t|L|G_\w+)?[diouxXeEfFgGcspa%]", " ", body)
    body = re.sub(r"<[^>]*>", " ", body)
    body = re.sub(r"\b(px|mm|cm|dpi|pdf|png|PDF|PNG|SMP|GIMP)\b", " ", body)
    return re.search(r"[A-Za-z]{2,}", body) is not None


def watched_positions(name, path):
    if name in WATCHED:
        return WATCHED[name]
    if ARGUMENT_FN.match(name):
        return {2, 3}
    if path in PRINTF_FILES and name in PRINTF_FN:
        return PRINTF_FN[name]
    return None


def scan_calls(path, text, lines):
    """Unmarked literals in watched arguments: [(line, literal)]."""
    found = []
    stack = []  # entries: [name or None, argument index]
    prev = None
    for kind, value, line in tokens(text):
        if kind == "punct":
            if value in "([{":
                stack.append([prev if value == "(" and prev and prev[0] == "ident" and prev[1] else None, 0])
                if value != "(":
                    stack[-1][0] = None
            elif value in ")]}":
                if stack:
                    stack.pop()
            elif value == "," and stack:
                stack[-1][1] += 1
            elif value == ";":
                stack.clear()
        elif kind == "string" and has_words(value) and "NOTR" not in lines[line - 1]:
            marked = False
            # innermost first: a marker before any watched call marks it
            for name, index in reversed(stack):
                if not name:
                    continue
                n = name[1]
                if n in MARKERS:
                    marked = True
                    break
                pos = watched_positions(n, path)
                if pos is not None:
                    if (pos == "odd" and index % 2 == 1 or pos == "choice" and index % 4 in (2, 3)
                            or isinstance(pos, set) and index in pos):
                        found.append((line, value))
                    break
            del marked
        prev = (kind, value) if kind == "ident" else None
    return found


def split_top(text, sep=","):
    out, depth, cur, i = [], 0, [], 0
    for kind, value, _ in tokens(text):
        if kind == "punct" and value in "([{":
            depth += 1
        elif kind == "punct" and value in ")]}":
            depth -= 1
        if kind == "punct" and value == sep and depth == 0:
            out.append(cur)
            cur = []
        else:
            cur.append((kind, value))
    out.append(cur)
    return out


def table_rows(text, type_name):
    """The rows ({...}) of every `static const TYPE name[] = { ... };` table."""
    rows = []
    for m in re.finditer(r"static\s+const\s+" + type_name + r"\s+\w+\s*\[\]\s*=\s*\{", text):
        i, depth, start = m.end(), 1, None
        while depth and i < len(text):
            c = text[i]
            if c == '"':
                j = i + 1
                while text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                i = j
            elif c == "{":
                depth += 1
                if depth == 2:
                    start = i + 1
            elif c == "}":
                depth -= 1
                if depth == 1 and start is not None:
                    rows.append((text.count("\n", 0, start) + 1, text[start:i]))
            i += 1
    return rows


def field_ok(field):
    """A table field: NULL, or a marked literal (N_ ( "…" ) or a literal without words)."""
    toks = [t for t in field if t[0] != "comment"]
    strings = [v for k, v in toks if k == "string"]
    if not strings or not any(has_words(s) for s in strings):
        return True
    return len(toks) >= 3 and toks[0] == ("ident", "N_") and toks[1] == ("punct", "(")


def scan_tables(path, text):
    found = []
    for type_name, fields in (("SmpParamSpec", (11, 12)), ("SmpParamChoice", (1, 2))):
        for line, row in table_rows(text, type_name):
            parts = split_top(row)
            for f in fields:
                if f < len(parts) and not field_ok(parts[f]):
                    lit = " ".join(v for k, v in parts[f] if k == "string")
                    found.append((line, f"{type_name} field {f}: {lit[:60]}"))
    return found


def marked_files(root):
    out = []
    for top in ("include/smp", "plugin"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    rel = os.path.relpath(os.path.join(dirpath, n), root)
                    out.append(rel)
    return sorted(out)


def msgids(pot):
    """The (msgctxt, msgid) pairs of a .po/.pot file, header excluded."""
    ids, entry, field = set(), {}, None
    if not os.path.exists(pot):
        return ids

    def flush():
        if "msgid" in entry and entry["msgid"]:
            ids.add((entry.get("msgctxt"), entry["msgid"]))
        entry.clear()

    for line in open(pot, encoding="utf-8"):
        line = line.strip()
        m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if m:
            field = m.group(1)
            if field in ("msgctxt", "msgid") and ("msgstr" in entry or field == "msgctxt" or "msgid" in entry):
                if field == "msgctxt" or "msgstr" in entry:
                    flush()
            entry[field if not field.startswith("msgstr") else "msgstr"] = eval(m.group(2))
        elif line.startswith('"') and field:
            key = field if not field.startswith("msgstr") else "msgstr"
            entry[key] = entry.get(key, "") + eval(line)
        elif not line:
            flush()
            field = None
    flush()
    return ids


def main():
    root = os.path.abspath(sys.argv[1])
    xgettext = "xgettext"
    if "--xgettext" in sys.argv:
        xgettext = sys.argv[sys.argv.index("--xgettext") + 1]
    findings = []
    listed = [l.strip() for l in open(os.path.join(root, "po", "POTFILES"), encoding="utf-8")
              if l.strip() and not l.startswith("#")]
    for rel in listed:
        if not os.path.exists(os.path.join(root, rel)):
            findings.append(f"po/POTFILES: {rel} does not exist")
    n_strings = 0
    for rel in marked_files(root):
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        lines = text.split("\n")
        for line, lit in scan_calls(rel, text, lines):
            findings.append(f"{rel}:{line}: not marked for translation: {lit[:80]}")
        if rel.endswith("smp-params.c"):
            for line, what in scan_tables(rel, text):
                findings.append(f"{rel}:{line}: not marked for translation: {what}")
        code = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)
        if re.search(r"\b(N?C?_|T_|TN_|g_dn?gettext)\s*\(", code) and rel not in listed:
            findings.append(f"{rel}: has marked strings but is not listed in po/POTFILES")
        n_strings += len(re.findall(r"\b(_|N_|C_|NC_|T_|TN_)\s*\(", code))

    # The template is what xgettext makes of POTFILES now.
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "fresh.pot")
        cmd = [xgettext, "--from-code=UTF-8", "--files-from=po/POTFILES", "--directory=" + root,
               "-o", fresh, "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
               "--keyword=g_dngettext:2,3", "--keyword=T_:2", "--keyword=TN_:2,3",
               "--keyword=smp_catalog_gettext:2", "--keyword=smp_catalog_ngettext:2,3", "--add-comments=TRANSLATORS:"]
        r = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if r.returncode != 0:
            findings.append("xgettext failed: " + r.stderr.strip())
        else:
            shipped = msgids(os.path.join(root, "po", "smp-hairline.pot"))
            now = msgids(fresh)
            for ctx, mid in sorted(now - shipped, key=str)[:40]:
                findings.append(f"po/smp-hairline.pot is stale: lacks {mid[:70]!r} "
                                "(ninja -C BUILD smp-hairline-pot, then smp-hairline-update-po)")
            for ctx, mid in sorted(shipped - now, key=str)[:40]:
                findings.append(f"po/smp-hairline.pot is stale: holds {mid[:70]!r}, no longer in the sources")
    for f in findings:
        print(f)
    if findings:
        print(f"FAIL {len(findings)} finding(s)")
        return 1
    print(f"PASS every watched string is marked ({n_strings} marks), POTFILES and the template are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
