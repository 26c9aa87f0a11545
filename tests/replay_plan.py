#!/usr/bin/python3
"""replay_plan.py — re-runs a published plan's draw (双随机一公开) on its own.

Written apart from the C code, from the specification at the top of
sync/jc-plan-draw.h (and the digests of sync/jc-hq-directory.h and the plan
id of sync/jc-hq-plan.h), with Python's csv module, a ChaCha20 written out
below (the original 64-bit-nonce variant) and PyNaCl for the signature.

  replay_plan.py --directory DIR.csv --roster ROSTER.csv --plan PLAN.json
                 [--envelope ENVELOPE.json --hq-key HEX]

PLAN.json is the document `jiancha-hq plan draw --format json` prints; its
seed, team size and load limit are re-drawn from the two CSV files. Exits 0
and prints "ok" when every assignment, team, count, digest and the plan id
come out the same (and the envelope's signature verifies with HQ's key);
otherwise prints "error: WHAT" on stderr and exits 1.
"""
import argparse
import csv
import hashlib
import json
import struct
import sys
from decimal import Decimal

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

HOSPITAL_RATES = (10, 30, 50)
PHARMACY_RATE = 10
TOP_PHARMACIES = 30
MIN_TEAM = 2
STRATA = ("hospital", "hospital", "hospital", "pharmacy", "agency")
ROLES = {"enforcement": "enforcement", "执法人员": "enforcement", "expert": "expert", "专业人员": "expert"}


def key_bytes(text):
    """Byte order of the UTF-8 text, as the C code sorts."""
    return text.encode("utf-8")


def rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def chacha20_block(key, counter):
    """The original ChaCha20 (20 rounds), 64-bit counter, all-zero nonce."""
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += list(struct.unpack("<8I", key))
    state += [counter & 0xFFFFFFFF, counter >> 32, 0, 0]
    x = list(state)

    def quarter(a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF; x[d] = rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF; x[b] = rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF; x[d] = rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF; x[b] = rotl(x[b] ^ x[c], 7)

    for _ in range(10):
        quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15)
        quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14)
    return struct.pack("<16I", *[(x[i] + state[i]) & 0xFFFFFFFF for i in range(16)])


class Rng:
    def __init__(self, seed):
        self.key = seed.to_bytes(8, "little") + bytes(24)
        self.block = 0
        self.buf = b""

    def next(self):
        if not self.buf:
            self.buf = chacha20_block(self.key, self.block)
            self.block += 1
        x, self.buf = int.from_bytes(self.buf[:8], "little"), self.buf[8:]
        return x

    def uniform(self, n):
        limit = 2**64 - (2**64 % n)
        while True:
            x = self.next()
            if x < limit:
                return x % n

    def pick(self, k, items):
        for i in range(min(k, len(items))):
            j = i + self.uniform(len(items) - i)
            items[i], items[j] = items[j], items[i]
        return items[:k]


def ceil_percent(n, percent):
    return (n * percent + 99) // 100


def rows(path, columns):
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            values = {c: (row[c] or "").strip(" \t\n\r\f\v") for c in columns}
            if any(values.values()):
                yield values


def read_directory(path):
    out = []
    for r in rows(path, ("code", "name", "type", "level", "county", "fund_payment")):
        out.append({"code": r["code"], "name": r["name"], "type": r["type"],
                    "level": int(r["level"]) if r["type"] == "hospital" else 0,
                    "county": r["county"], "fen": int(Decimal(r["fund_payment"]) * 100)})
    return sorted(out, key=lambda i: key_bytes(i["code"]))


def read_roster(path):
    out = [{"name": r["name"], "county": r["county"], "role": ROLES[r["role"]]}
           for r in rows(path, ("name", "county", "role"))]
    return sorted(out, key=lambda i: key_bytes(i["name"]))


def digest(records, fields):
    h = hashlib.sha256()
    for rec in records:
        for f in fields:
            h.update(str(rec[f]).encode("utf-8") + b"\0")
    return h.hexdigest()


def stratum(inst):
    if inst["type"] == "hospital":
        return inst["level"] - 1
    return 3 if inst["type"] == "pharmacy" else 4


def draw_institutions(rng, directory):
    assignments, counts = [], []
    for county in sorted({i["county"] for i in directory}, key=key_bytes):
        strata = [[] for _ in STRATA]
        for inst in directory:  # in code order
            if inst["county"] == county:
                strata[stratum(inst)].append(inst)
        for s, items in enumerate(strata):
            if not items:
                continue
            if s == 4:
                chosen = [(i, "all") for i in items]
            elif s == 3:
                by_fund = sorted(items, key=lambda i: (-i["fen"], key_bytes(i["code"])))
                top = by_fund[:TOP_PHARMACIES]
                rest = sorted(by_fund[TOP_PHARMACIES:], key=lambda i: key_bytes(i["code"]))
                k = max(ceil_percent(len(items), PHARMACY_RATE) - len(top), 0)
                chosen = [(i, "top30") for i in top] + [(i, "rate") for i in rng.pick(k, rest)]
            else:
                chosen = [(i, "rate") for i in rng.pick(ceil_percent(len(items), HOSPITAL_RATES[s]), list(items))]
            count = {"county": county, "type": STRATA[s]}
            if s < 3:
                count["level"] = s + 1
            count.update(total=len(items), drawn=len(chosen))
            counts.append(count)
            assignments += chosen
    assignments.sort(key=lambda a: (key_bytes(a[0]["county"]), key_bytes(a[0]["code"])))
    return assignments, counts


def draw_teams(rng, assignments, roster, team_size, max_load):
    load = [0] * len(roster)
    teams = []
    for inst, _ in assignments:
        team = []
        for seat in range(team_size):
            ok = [i for i, p in enumerate(roster)
                  if p["county"] != inst["county"] and (seat >= MIN_TEAM or p["role"] == "enforcement")
                  and (max_load == 0 or load[i] < max_load) and i not in team]
            if not ok:
                raise SystemExit(f"error: the roster cannot staff {inst['code']}")
            least = min(load[i] for i in ok)
            fewest = [i for i in ok if load[i] == least]
            chosen = fewest[rng.uniform(len(fewest))]
            team.append(chosen)
            load[chosen] += 1
        teams.append([roster[i]["name"] for i in team])
    return teams


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--directory", required=True)
    ap.add_argument("--roster", required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--envelope")
    ap.add_argument("--hq-key")
    args = ap.parse_args()

    with open(args.plan, encoding="utf-8") as f:
        text = f.read().rstrip("\n")
    plan = json.loads(text)
    seed, team_size, max_load = plan["seed"], plan["team_size"], plan["max_load"]
    directory = read_directory(args.directory)
    roster = read_roster(args.roster)

    rng = Rng(seed)
    assignments, counts = draw_institutions(rng, directory)
    teams = draw_teams(rng, assignments, roster, team_size, max_load)

    expected = []
    for (inst, reason), team in zip(assignments, teams):
        a = {"code": inst["code"], "name": inst["name"], "county": inst["county"], "type": inst["type"]}
        if inst["type"] == "hospital":
            a["level"] = inst["level"]
        a.update(reason=reason, team=team)
        expected.append(a)
    dir_digest = digest(directory, ("code", "name", "type", "level", "county", "fen"))
    roster_digest = digest(roster, ("name", "county", "role"))
    h = hashlib.sha256()
    for field in ("JC-PLAN1", f"{seed},{team_size},{max_load}", dir_digest, roster_digest):
        h.update(field.encode("utf-8") + b"\0")

    problems = []
    if plan.get("format") != "JC-PLAN1":
        problems.append("format")
    if plan["directory"] != dir_digest:
        problems.append("directory digest")
    if plan["roster"] != roster_digest:
        problems.append("roster digest")
    if plan["plan_id"] != h.hexdigest()[:32]:
        problems.append("plan id")
    if plan["counts"] != counts:
        problems.append("counts")
    for i, (got, want) in enumerate(zip(plan["assignments"], expected)):
        if got != want:
            problems.append(f"assignment {i}: {got} != {want}")
            break
    if len(plan["assignments"]) != len(expected):
        problems.append(f"{len(plan['assignments'])} assignments, replayed {len(expected)}")
    if args.envelope:
        with open(args.envelope, encoding="utf-8") as f:
            envelope = json.load(f)
        try:
            VerifyKey(bytes.fromhex(args.hq_key)).verify(
                b"JC-PLAN1\0" + envelope["document"].encode("utf-8"), bytes.fromhex(envelope["signature"]))
        except BadSignatureError:
            problems.append("signature")
        if envelope["document"] != text:
            problems.append("the envelope holds another document")
    if problems:
        print("error: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
