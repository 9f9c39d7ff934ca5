#!/usr/bin/python3
"""Pairwise subjects as a SAML SP library and a JOSE library see them (run with /usr/bin/python3).

usage: pairwise_check.py --issuer URI --secret-b64 B64 --jwks FILE --cert PEM [--cert PEM ...]
                         --saml-audience URI --saml-sector URI --jwt-audience URI --jwt-sector URI
                         --alice-saml FILE --alice-saml FILE --bob-saml FILE
                         --alice-jwt FILE --alice-jwt FILE --bob-jwt FILE

SAML 2.0 assertions for the pairwise SAML relying party are parsed with pysaml2
(saml2.saml.assertion_from_string) and their signatures verified by pysaml2's xmlsec1 backend
against the pinned metadata certificates; JWTs for the pairwise API are verified by jwcrypto
with the JWKS key their kid names. Then: each user's pseudonym is the same in every token of a
sector, differs between the two sectors and between users, is never the user's name, and is the
documented HMAC-SHA256 over the length-prefixed (issuer, sector, subject), recomputed here with
Python's hmac module from the published development secret.

Prints one line per check: "PASS <name>" or "FAIL <name>: <why>"; exits 1 if any failed.
"""
import argparse
import base64
import hashlib
import hmac
import json
import struct
import sys

import saml2.saml
from jwcrypto import jwk, jws

# The PASS / FAIL lines and their tally, shared with the other SAML check (this directory is on
# sys.path as the script's own).
from pysaml2_check import check, results, signature_verifies

PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


def pseudonym(secret, issuer, sector, subject):
    framed = b"".join(struct.pack(">I", len(p.encode())) + p.encode() for p in (issuer, sector, subject))
    return base64.urlsafe_b64encode(hmac.new(secret, framed, hashlib.sha256).digest()).rstrip(b"=").decode()


def saml_subject(path, args, label):
    text = open(path, encoding="utf-8").read()
    a = saml2.saml.assertion_from_string(text)
    if a is None or a.subject is None or a.subject.name_id is None:
        check("%s — pysaml2 parses a NameID" % label, False, "no saml:Assertion with a Subject/NameID")
        return None
    ok = signature_verifies(text, a.id, args.cert)
    check("%s — signature (pysaml2 xmlsec1 backend, pinned cert)" % label, ok, "no pinned certificate verified it")
    n = a.subject.name_id
    check("%s — NameID Format persistent" % label, n.format == PERSISTENT, "format=%r" % n.format)
    check("%s — NameQualifier is the issuer" % label, n.name_qualifier == args.issuer, "%r" % n.name_qualifier)
    check("%s — SPNameQualifier is the sector" % label, n.sp_name_qualifier == args.saml_sector, "%r" % n.sp_name_qualifier)
    audiences = [aud.text for ar in a.conditions.audience_restriction for aud in ar.audience]
    check("%s — audience" % label, audiences == [args.saml_audience], "%r" % audiences)
    return n.text


def jwt_subject(path, keyset, args, label):
    token = open(path, encoding="ascii").read().strip()
    sig = jws.JWS()
    sig.deserialize(token)
    kid = sig.jose_header.get("kid")
    key = keyset.get_key(kid) if kid else None
    try:
        sig.verify(key, alg=sig.jose_header.get("alg"))
        verified = True
    except Exception:  # noqa: BLE001 -- no key, wrong key or bad signature
        verified = False
    check("%s — signature (jwcrypto, JWKS key by kid)" % label, verified, "kid=%r" % kid)
    if not verified:
        return None
    claims = json.loads(sig.payload)
    check("%s — aud" % label, claims.get("aud") == args.jwt_audience, "%r" % claims.get("aud"))
    check("%s — no email claim" % label, "email" not in claims, "email released")
    return claims.get("sub")


def main():
    p = argparse.ArgumentParser()
    for a in ("--issuer", "--secret-b64", "--jwks", "--saml-audience", "--saml-sector", "--jwt-audience", "--jwt-sector"):
        p.add_argument(a, required=True)
    for a in ("--cert", "--alice-saml", "--bob-saml", "--alice-jwt", "--bob-jwt"):
        p.add_argument(a, action="append", required=True)
    args = p.parse_args()
    secret = base64.b64decode(args.secret_b64)
    keyset = jwk.JWKSet.from_json(open(args.jwks, encoding="utf-8").read())

    alice_saml = [saml_subject(f, args, "alice saml2 #%d" % i) for i, f in enumerate(args.alice_saml, 1)]
    bob_saml = [saml_subject(f, args, "bob saml2") for f in args.bob_saml]
    alice_jwt = [jwt_subject(f, keyset, args, "alice jwt #%d" % i) for i, f in enumerate(args.alice_jwt, 1)]
    bob_jwt = [jwt_subject(f, keyset, args, "bob jwt") for f in args.bob_jwt]

    check("alice: one pseudonym across SAML requests", len(set(alice_saml)) == 1 and None not in alice_saml, "%r" % alice_saml)
    check("alice: one pseudonym across JWT requests", len(set(alice_jwt)) == 1 and None not in alice_jwt, "%r" % alice_jwt)
    check("alice: the two sectors see different pseudonyms", alice_saml[0] != alice_jwt[0], "both %r" % alice_saml[0])
    check("alice and bob differ in each sector", alice_saml[0] != bob_saml[0] and alice_jwt[0] != bob_jwt[0], "")
    names = {"alice", "bob"}
    check("no token names the user", not names & set(alice_saml + bob_saml + alice_jwt + bob_jwt), "")
    check("SAML pseudonym = documented HMAC (recomputed)", alice_saml[0] == pseudonym(secret, args.issuer, args.saml_sector, "alice"),
          "got %r" % alice_saml[0])
    check("JWT pseudonym = documented HMAC (recomputed)", alice_jwt[0] == pseudonym(secret, args.issuer, args.jwt_sector, "alice"),
          "got %r" % alice_jwt[0])
    check("bob's pseudonyms = documented HMAC (recomputed)",
          bob_saml[0] == pseudonym(secret, args.issuer, args.saml_sector, "bob") and bob_jwt[0] == pseudonym(secret, args.issuer, args.jwt_sector, "bob"), "")
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
