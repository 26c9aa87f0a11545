#!/usr/bin/env python3
"""Fails when a translation in po/LINGUAS misses a string of the sources.

Extracts a fresh template from po/POTFILES.in into a temporary directory
(the same xgettext keywords as meson's glib preset), merges each language
into it, and fails on any untranslated or fuzzy message. It also fails when
a C or UI file that has translatable strings is missing from POTFILES.in,
so a new file cannot slip past the translators.
"""
import os
import re
import subprocess
import sys
import tempfile

src = sys.argv[1]
po_dir = os.path.join(src, "po")
KEYWORDS = ["--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
            "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
            "--keyword=g_dpgettext2:2c,3"]
failed = False

with open(os.path.join(po_dir, "POTFILES.in"), encoding="utf-8") as f:
    listed = {l.strip() for l in f if l.strip() and not l.startswith("#")}

for top in ("src", "sync", "ui"):
    for root, _, files in os.walk(os.path.join(src, top)):
        for name in files:
            if not name.endswith((".c", ".ui")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            uses = re.search(r'\b(N?C?_)\s*\(\s*"', text) or 'translatable="yes"' in text
            if uses and rel not in listed:
                print(f"po/POTFILES.in: {rel} has translatable strings but is not listed")
                failed = True

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "jiancha.pot")
    subprocess.run(["xgettext", "--package-name=jiancha", "-D", src, "-o", pot,
                    "--files-from", os.path.join(po_dir, "POTFILES.in")] + KEYWORDS, check=True)
    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        langs = [w for l in f for w in l.split() if not l.startswith("#")]
    if not langs:
        print("po/LINGUAS lists no language")
        failed = True
    for lang in langs:
        merged = os.path.join(tmp, lang + ".po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(po_dir, lang + ".po"), pot], check=True)
        stats = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, merged],
                               capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
        line = stats.stderr.strip().splitlines()[-1] if stats.stderr.strip() else ""
        print(f"po/{lang}.po: {line}")
        if stats.returncode != 0 or "untranslated" in line or "fuzzy" in line:
            failed = True
            out = subprocess.run(["msgattrib", "--untranslated", "--only-fuzzy", merged],
                                 capture_output=True, text=True).stdout
            out += subprocess.run(["msgattrib", "--untranslated", merged],
                                  capture_output=True, text=True).stdout
            for m in re.findall(r'^msgid "(.+)"$', out, re.M)[:40]:
                print(f"  missing: {m}")
            if stats.returncode != 0:
                print(stats.stderr)

print("translations: 0 passed, 1 failed" if failed else "translations: 1 passed, 0 failed")
sys.exit(1 if failed else 0)
