#!/usr/bin/env python3
# check_catalogs.py: every shipped catalog passes msgfmt --check, the required
# languages are shipped, and each catalog's coverage of the template is printed.
"""Usage: check_catalogs.py PO_DIR MSGFMT"""
import os
import re
import subprocess
import sys

REQUIRED = ("de", "es", "it", "fr", "pt_BR")


def main():
    po_dir, msgfmt = sys.argv[1], sys.argv[2]
    langs = [l.split("#")[0].strip() for l in open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8")]
    langs = [l for l in langs if l]
    bad = 0
    for lang in REQUIRED:
        if lang not in langs:
            print(f"FAIL {lang} is not in po/LINGUAS")
            bad += 1
    for lang in langs:
        po = os.path.join(po_dir, lang + ".po")
        r = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, po],
                           capture_output=True, text=True)
        stats = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        if r.returncode != 0 or not os.path.exists(po):
            print(f"FAIL {lang}: msgfmt --check: {r.stderr.strip()}")
            bad += 1
            continue
        m = re.search(r"(\d+) translated", stats)
        if not m or int(m.group(1)) == 0:
            print(f"FAIL {lang}: nothing translated ({stats})")
            bad += 1
            continue
        # Untranslated and fuzzy messages fall back to English: reported, not fatal
        # (strings added on other branches reach the catalogs later).
        print(f"PASS {lang}: msgfmt --check ({stats})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
