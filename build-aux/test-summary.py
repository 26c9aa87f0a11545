#!/usr/bin/env python3
"""Prints one closing line for a whole test run: "tests: N passed, N failed".

Reads meson's meson-logs/testlog.json of each build directory given. A Check
program counts each of its checks (its "NN%: Checks: N, Failures: F,
Errors: E" line); any other test (validation, UI, scripts) counts as one. A
test that failed without a Check summary saying so (a crash, a timeout)
counts as one failure more, so nothing fails silently.
"""
import json
import os
import re
import sys

CHECK = re.compile(r"^\d+%: Checks: (\d+), Failures: (\d+), Errors: (\d+)", re.M)
BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS", "INTERRUPT"}

passed = failed = skipped = 0
dirs = []
for arg in sys.argv[1:]:
    # --extra=NAME=passed|failed: a check run outside meson (the fuzzers).
    if arg.startswith("--extra="):
        name, _, result = arg[len("--extra="):].rpartition("=")
        if result == "passed":
            passed += 1
        else:
            failed += 1
            print(f"test-summary: {name} failed", file=sys.stderr)
    else:
        dirs.append(arg)
for builddir in dirs:
    path = os.path.join(builddir, "meson-logs", "testlog.json")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            records = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print(f"test-summary: cannot read {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    if not records:
        print(f"test-summary: {builddir}: no test ran", file=sys.stderr)
        failed += 1
    for r in records:
        result = r.get("result", "")
        sums = CHECK.findall(r.get("stdout", "") or "")
        if result == "SKIP":
            skipped += 1
            continue
        if sums:
            checks_failed = 0
            for n, f, e in sums:
                n, f, e = int(n), int(f), int(e)
                passed += n - f - e
                failed += f + e
                checks_failed += f + e
            if result in BAD and checks_failed == 0:
                failed += 1
        elif result in BAD:
            failed += 1
        else:
            passed += 1

line = f"tests: {passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
