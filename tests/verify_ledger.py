#!/usr/bin/python3
"""Checks HQ's signed ledger history on its own, with PyNaCl and sqlite3
(or, for an HQ on PostgreSQL, Debian's psql):
every row's record is signed by HQ's key (HQDIR/signing.pub) and names the
previous row's digest (SHA-256 of its record and signature hex), as
sync/jc-hq-history.h describes. Exit 0 when all hold, 1 naming the first
row that does not."""
import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import nacl.exceptions
import nacl.signing

hqdir = sys.argv[1]
with open(os.path.join(hqdir, "signing.pub")) as f:
    key = nacl.signing.VerifyKey(bytes.fromhex(f.read().strip()))
QUERY = "SELECT row, record, signature FROM hq_ledger_history ORDER BY row"


def history_rows():
    """(row, record, signature) from hq.db, or from HQDIR/database's PostgreSQL."""
    url_path = os.path.join(hqdir, "database")
    if not os.path.exists(url_path):
        yield from sqlite3.connect(os.path.join(hqdir, "hq.db")).execute(QUERY)
        return
    with open(url_path) as f:
        url = f.read().strip()
    psql = "/usr/lib/postgresql/15/bin/psql"
    psql = psql if os.path.exists(psql) else shutil.which("psql")
    out = subprocess.run([psql, "-X", "-q", "--csv", "-c", QUERY, url], check=True,
                         capture_output=True, text=True).stdout
    for row, record, signature in list(csv.reader(io.StringIO(out)))[1:]:
        yield int(row), record, signature


prev = ""
n = 0
for row, record, signature in history_rows():
    try:
        key.verify(record.encode(), bytes.fromhex(signature))
    except (nacl.exceptions.BadSignatureError, ValueError):
        print(f"row {row}: bad signature")
        sys.exit(1)
    doc = json.loads(record)
    canonical = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if canonical != record or doc["row"] != row or doc["prev"] != prev:
        print(f"row {row}: not canonical or out of chain")
        sys.exit(1)
    prev = hashlib.sha256((record + signature).encode()).hexdigest()
    n += 1
print(f"{n} rows verified")
