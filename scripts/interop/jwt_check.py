#!/usr/bin/python3
"""Verifies a compact JWS with Debian's jwcrypto against a JWKS (run with /usr/bin/python3).

usage: jwt_check.py --token FILE (--jwks FILE | --cert PEM [--cert PEM ...])
                    --audience AUD --subject SUB [--issuer ISS]
Prints PASS/FAIL lines; exits 1 on any failure. With --jwks the key is chosen by the header's
kid from the JWKS only (never from the token); with --cert (signing certificates from the
federation metadata, pinned) any certificate whose key verifies is accepted.
"""
import argparse
import json
import sys
import time

from jwcrypto import jwk, jws

results = []


def check(name, ok, why=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why))


def main():
    p = argparse.ArgumentParser()
    for a in ("--token", "--audience", "--subject"):
        p.add_argument(a, required=True)
    p.add_argument("--jwks")
    p.add_argument("--cert", action="append", default=[])
    p.add_argument("--issuer")
    args = p.parse_args()
    token = open(args.token, encoding="ascii").read().strip()
    sig = jws.JWS()
    sig.deserialize(token)
    header = sig.jose_header
    check("alg is asymmetric", header.get("alg") in ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512", "EdDSA"),
          "alg=%r" % header.get("alg"))
    if args.jwks:
        keyset = jwk.JWKSet.from_json(open(args.jwks, encoding="utf-8").read())
        key = keyset.get_key(header.get("kid")) if header.get("kid") else None
        check("kid found in JWKS", key is not None, "kid=%r" % header.get("kid"))
        candidates, source = ([key] if key is not None else []), "JWKS key"
    else:
        candidates = [jwk.JWK.from_pem(open(c, "rb").read()) for c in args.cert]
        source = "metadata certificate"
    verified = False
    for key in candidates:
        try:
            sig.verify(key, alg=header.get("alg"))
            verified = True
            break
        except Exception:  # noqa: BLE001 -- wrong key type or bad signature: try the next one
            continue
    check("signature (jwcrypto, %s)" % source, verified, "no pinned key verifies it")
    if not verified:
        sys.exit(1)
    claims = json.loads(sig.payload)
    aud = claims.get("aud")
    check("aud", aud == args.audience or (isinstance(aud, list) and args.audience in aud), "aud=%r" % aud)
    check("sub", claims.get("sub") == args.subject, "sub=%r" % claims.get("sub"))
    if args.issuer:
        check("iss", claims.get("iss") == args.issuer, "iss=%r want %r" % (claims.get("iss"), args.issuer))
    now = time.time()
    check("exp in the future", isinstance(claims.get("exp"), (int, float)) and claims["exp"] > now, "exp=%r" % claims.get("exp"))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
