#!/usr/bin/python3
"""Decrypts a compact JWE with Debian's jwcrypto and Authlib and a private key PEM (run with
/usr/bin/python3).

usage: jwe_check.py --token FILE --key KEY.pem --out INNER_FILE
Checks the protected header (alg RSA-OAEP-256, enc A256GCM, cty JWT: a nested JWT, RFC 7519
§5.2), decrypts with the key given (never one named in the token) in both libraries, checks they
agree, and writes the plaintext, the inner JWT, to INNER_FILE for jwt_check.py to verify. Prints
PASS/FAIL lines; exits 1 on failure.
"""
import argparse
import json
import sys

from authlib.jose import JsonWebEncryption, JsonWebKey
from jwcrypto import jwe, jwk

results = []


def check(name, ok, why=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why))


def main():
    p = argparse.ArgumentParser()
    for a in ("--token", "--key", "--out"):
        p.add_argument(a, required=True)
    a = p.parse_args()
    token = open(a.token, encoding="ascii").read().strip()
    with open(a.key, "rb") as f:
        key = jwk.JWK.from_pem(f.read())
    check("jwe: compact serialization has five parts", token.count(".") == 4, str(token.count(".") + 1))
    e = jwe.JWE()
    try:
        e.deserialize(token)
        header = json.loads(e.objects["protected"])
        check("jwe: header alg RSA-OAEP-256, enc A256GCM, cty JWT", (header.get("alg"), header.get("enc"), header.get("cty")) == ("RSA-OAEP-256", "A256GCM", "JWT"), json.dumps(header))
        # Only the algorithms we expect may be used to decrypt (no downgrade through the header).
        e.allowed_algs = ["RSA-OAEP-256", "A256GCM"]
        e.decrypt(key)
        inner = e.payload.decode("ascii")
        check("jwe: jwcrypto decrypts it with the relying party's key; the plaintext is a compact JWS", inner.count(".") == 2, inner[:40])
        with open(a.out, "w", encoding="ascii") as f:
            f.write(inner)
    except Exception as ex:  # a failure of the peer is a FAIL line, not a traceback
        check("jwe: jwcrypto decrypts it with the relying party's key", False, f"{type(ex).__name__}: {ex}")
        inner = None
    try:
        with open(a.key, "rb") as f:
            akey = JsonWebKey.import_key(f.read(), {"kty": "RSA"})
        # Authlib's registry is narrowed to the two algorithms we expect, as jwcrypto's is above.
        opened = JsonWebEncryption(algorithms=["RSA-OAEP-256", "A256GCM"]).deserialize_compact(token, akey)
        check("jwe: Authlib decrypts it with the relying party's key to the same plaintext", inner is not None and opened["payload"] == inner.encode("ascii"), str(opened["header"]))
    except Exception as ex:
        check("jwe: Authlib decrypts it with the relying party's key", False, f"{type(ex).__name__}: {ex}")
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
