#!/usr/bin/python3
"""verify_jc1.py — an independent verifier of JC1 QR codes (DESIGN.md "The QR format JC1"),
and of the institution's JCA1 acknowledgments (src/core/jc-ack.h) on the same envelope.

Written apart from the C encoder, from the public description only, with
standard tools: zbarimg (images), a Base45 decoder (below, RFC 9285), zlib,
cbor2 and PyNaCl (Ed25519).

  verify_jc1.py (--png FILE | --text STRING | --batch FILE) [--hq-key HEX]

--png/--text: prints the claims as JSON and exits 0 when the code verifies,
otherwise prints "error: REASON" on stderr and exits 1.
--batch: one QR text a line; prints "ok" or "error: REASON" per line, exits
0 only when every line verifies.
"""
import argparse
import hashlib
import json
import subprocess
import sys
import zlib

import cbor2
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
MAX_INFLATED = 64 * 1024


class Invalid(Exception):
    pass


def b45decode(text):
    values = []
    for i, ch in enumerate(text):
        v = ALPHABET.find(ch)
        if v < 0:
            raise Invalid("bad Base45 character %r at %d" % (ch, i))
        values.append(v)
    if len(values) % 3 == 1:
        raise Invalid("Base45 length %d is impossible" % len(values))
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i:i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise Invalid("Base45 group out of range at %d" % i)
            out += bytes([n >> 8, n & 0xFF])
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise Invalid("Base45 group out of range at %d" % i)
            out.append(n)
    return bytes(out)


def inflate(data):
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_INFLATED + 1)
    except zlib.error as e:
        raise Invalid("zlib: %s" % e)
    if len(out) > MAX_INFLATED:
        raise Invalid("inflates beyond 64 KiB")
    if not d.eof:
        raise Invalid("zlib stream is truncated")
    if d.unused_data:
        raise Invalid("bytes after the zlib stream")
    return out


def kid_of(pk):
    return hashlib.sha256(pk).digest()[:8]


def need(cond, why):
    if not cond:
        raise Invalid(why)


def is_bytes(v, n):
    return isinstance(v, bytes) and len(v) == n


def is_uint(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def verify(text, hq_key=None):
    try:
        return verify_strict(text, hq_key)
    except Invalid:
        raise
    except Exception as e:  # any other surprise in hostile input is a rejection too
        raise Invalid("malformed: %s: %s" % (type(e).__name__, e))


def open_cose(text, prefix):
    """The envelope: prefix, Base45, zlib, COSE_Sign1; returns (kid, payload, signature, Sig_structure)."""
    need(text.startswith(prefix), "missing %s prefix" % prefix)
    cose = inflate(b45decode(text[len(prefix):]))
    try:
        obj = cbor2.loads(cose)
    except Exception as e:  # cbor2 raises several types
        raise Invalid("COSE is not CBOR: %s" % e)
    need(isinstance(obj, cbor2.CBORTag) and obj.tag == 18, "not COSE_Sign1 (tag 18)")
    arr = obj.value
    need(isinstance(arr, list) and len(arr) == 4, "COSE_Sign1 is not an array of 4")
    protected, unprotected, payload, signature = arr
    need(isinstance(protected, bytes), "protected header is not a bstr")
    try:
        prot = cbor2.loads(protected)
    except Exception as e:
        raise Invalid("protected header is not CBOR: %s" % e)
    need(prot == {1: -8}, "protected header is not {1: -8}")
    need(isinstance(unprotected, dict) and set(unprotected) == {4}, "unprotected header is not {4: kid}")
    kid = unprotected[4]
    need(is_bytes(kid, 8), "kid is not 8 bytes")
    need(isinstance(payload, bytes), "payload is not a bstr")
    need(is_bytes(signature, 64), "signature is not 64 bytes")
    return kid, payload, signature, cbor2.dumps(["Signature1", protected, b"", payload])


def verify_ack(text):
    """JCA1: keys 1 version, 2 finding id, 3 record SHA-256, 4 institution, 5 answer
    (0 confirmed, 1 disputed), 6 name, 7 title?, 8 reason (when disputed), 9 answered at,
    10 institution key (the COSE signer), 11 its signature over key 3."""
    kid, payload, signature, sig_structure = open_cose(text, "JCA1:")
    try:
        ack = cbor2.loads(payload)
    except Exception as e:
        raise Invalid("acknowledgment is not CBOR: %s" % e)
    need(isinstance(ack, dict), "acknowledgment is not a map")
    need(all(isinstance(k, int) and 1 <= k <= 11 for k in ack), "unknown keys %r" % list(ack))
    for k in (1, 2, 3, 4, 5, 6, 9, 10, 11):
        need(k in ack, "key %d missing" % k)
    need(ack[1] == 1, "version is not 1")
    need(is_bytes(ack[2], 16) and is_bytes(ack[3], 32), "finding id / record hash of the wrong size")
    need(isinstance(ack[4], str) and isinstance(ack[6], str) and ack[6], "institution / name are not text")
    need(ack[5] in (0, 1), "answer is neither confirmed (0) nor disputed (1)")
    need((ack[5] == 1) == (8 in ack), "a dispute has a reason, and only a dispute")
    need(is_uint(ack[9]) and is_bytes(ack[10], 32) and is_bytes(ack[11], 64), "keys 9/10/11 have wrong types")
    need(kid == kid_of(ack[10]), "kid does not match the institution key")
    try:
        VerifyKey(ack[10]).verify(sig_structure, signature)
    except BadSignatureError:
        raise Invalid("bad signature")
    try:
        VerifyKey(ack[10]).verify(ack[3], ack[11])
    except BadSignatureError:
        raise Invalid("bad institution signature over the record hash")
    out = {"kind": "acknowledgment", "finding_id": ack[2].hex(), "record_sha256": ack[3].hex(),
           "institution": ack[4], "status": ["confirmed", "disputed"][ack[5]], "name": ack[6],
           "answered_at": ack[9], "institution_key": ack[10].hex(),
           "institution_signature": ack[11].hex()}
    if 7 in ack:
        out["title"] = ack[7]
    if 8 in ack:
        out["reason"] = ack[8]
    return out


def verify_strict(text, hq_key):
    if text.startswith("JCA1:"):
        return verify_ack(text)
    kid, payload, signature, sig_structure = open_cose(text, "JC1:")
    try:
        claims = cbor2.loads(payload)
    except Exception as e:
        raise Invalid("claims are not CBOR: %s" % e)
    need(isinstance(claims, dict), "claims are not a map")
    need(all(isinstance(k, int) and 1 <= k <= 12 for k in claims), "unknown claim keys %r" % list(claims))
    for k in range(1, 11):
        need(k in claims, "claim %d missing" % k)
    need(claims[1] == 1, "version is not 1")
    need(is_bytes(claims[2], 16) and is_bytes(claims[3], 16), "ids are not 16 bytes")
    need(isinstance(claims[4], str) and isinstance(claims[5], str), "claims 4/5 are not text")
    need(isinstance(claims[6], list) and all(isinstance(x, str) for x in claims[6]), "claim 6 is not an array of text")
    need(is_uint(claims[7]) and is_uint(claims[8]), "claims 7/8 are not unsigned")
    need(is_bytes(claims[9], 32) and is_bytes(claims[10], 32), "claims 9/10 are not 32 bytes")
    pk = claims[10]
    need(kid == kid_of(pk), "kid does not match the signer key")

    try:
        VerifyKey(pk).verify(sig_structure, signature)
    except BadSignatureError:
        raise Invalid("bad signature")

    out = {
        "version": claims[1],
        "finding_id": claims[2].hex(),
        "inspection_id": claims[3].hex(),
        "institution": claims[4],
        "checklist": claims[5],
        "items": claims[6],
        "amount_fen": claims[7],
        "sealed_at": claims[8],
        "record_sha256": claims[9].hex(),
        "signer_key": pk.hex(),
        "kid": kid.hex(),
    }

    if 11 in claims:
        cert = claims[11]
        need(isinstance(cert, list) and len(cert) == 4, "certificate is not an array of 4")
        device_id, hq_kid, not_after, hq_sig = cert
        need(is_bytes(device_id, 16) and is_bytes(hq_kid, 8) and is_uint(not_after) and is_bytes(hq_sig, 64),
             "certificate fields have wrong types")
        out["certificate"] = {"device_id": device_id.hex(), "hq_kid": hq_kid.hex(),
                              "not_after": not_after, "verified": False}
        if hq_key is not None:
            need(hq_kid == kid_of(hq_key), "certificate from another HQ key")
            msg = cbor2.dumps(["JC-CERT", device_id, pk, not_after])
            try:
                VerifyKey(hq_key).verify(msg, hq_sig)
            except BadSignatureError:
                raise Invalid("bad certificate signature")
            need(not_after >= claims[8], "certificate expired before sealing")
            out["certificate"]["verified"] = True
    elif hq_key is not None:
        raise Invalid("not enrolled: no certificate")

    if 12 in claims:
        conf = claims[12]
        need(isinstance(conf, dict) and set(conf) <= {1, 2, 4, 5} and 1 in conf and 2 in conf,
             "confirmation is not {1: status, 2: name, ...}")
        need(conf[1] in (0, 1, 2), "confirmation status out of range")
        need(isinstance(conf[2], str), "representative's name is not text")
        c = {"status": ["confirmed", "disputed", "refused"][conf[1]], "name": conf[2]}
        if 4 in conf:
            need(is_bytes(conf[4], 32), "institution key is not 32 bytes")
            c["institution_key"] = conf[4].hex()
        if 5 in conf:
            need(4 in conf and is_bytes(conf[5], 64), "institution signature without key or not 64 bytes")
            try:
                VerifyKey(conf[4]).verify(claims[9], conf[5])
            except BadSignatureError:
                raise Invalid("bad institution signature")
            c["institution_signature_verified"] = True
        out["confirmation"] = c
    return out


def scan_png(path):
    try:
        r = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path],
                           capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise Invalid("zbarimg is not installed")
    lines = [line for line in r.stdout.split("\n") if line]
    need(r.returncode == 0 and len(lines) == 1, "expected one QR code in %s (zbarimg status %d)" % (path, r.returncode))
    return lines[0]


def main():
    ap = argparse.ArgumentParser(description="Independent JC1 verifier")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--png")
    g.add_argument("--text")
    g.add_argument("--batch")
    ap.add_argument("--hq-key")
    args = ap.parse_args()
    hq = bytes.fromhex(args.hq_key) if args.hq_key else None

    if args.batch:
        ok = True
        with open(args.batch, encoding="ascii") as f:
            for line in f.read().split("\n"):
                if not line:
                    continue
                try:
                    verify(line, hq)
                    print("ok")
                except Invalid as e:
                    ok = False
                    print("error: %s" % e)
        return 0 if ok else 1

    try:
        text = scan_png(args.png) if args.png else args.text
        out = verify(text, hq)
    except Invalid as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
