#!/usr/bin/python3
"""OAuth DPoP (RFC 9449) with an independent proof maker: Debian's jwcrypto (run with
/usr/bin/python3) makes the key and signs every DPoP proof; plain `requests` sends them.

usage: dpop_check.py --url URL --saml FILE
       dpop_check.py --nonce-url URL --saml FILE
For ES256, PS256 and EdDSA keys: the token endpoint binds the exchanged JWT to the proof key
(token_type DPoP, cnf.jkt equal to jwcrypto's RFC 7638 thumbprint, the token verifying with the
published JWKS), introspection shows the binding, a replayed proof is refused, and the bound
token can be exchanged again only with a proof from the same key. Every alg the metadata lists
in dpop_signing_alg_values_supported binds a jwcrypto-made proof (RFC 8414: listed means
accepted), and a second, unrelated maker — Authlib's JOSE (Debian's python3-authlib) — makes
ES256, RS256 and EdDSA proofs that bind to Authlib's own thumbprint. With --nonce-url (a server
configured with dpopNonceSecret): the RFC 9449 §8 nonce round trip a client library makes.
Prints PASS/FAIL lines; exits 1 on any failure.
"""
import argparse
import base64
import json
import sys
import time
import uuid

import requests
from authlib.jose import JsonWebKey, JsonWebSignature
from jwcrypto import jwk, jwt

API = "https://api.example.com/"
TT = "urn:ietf:params:oauth:token-type:"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
AUTH = ("demo-client", "demo-secret")
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + (" — " + detail if detail else ""))


CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def make_key(alg):
    if alg in CURVES:
        return jwk.JWK.generate(kty="EC", crv=CURVES[alg])
    if alg[:2] in ("RS", "PS"):
        return jwk.JWK.generate(kty="RSA", size=2048)
    return jwk.JWK.generate(kty="OKP", crv="Ed25519")


def make_proof(key, alg, htu, htm="POST", nonce=None):
    """RFC 9449 §4.2: typ dpop+jwt, the public key in the jwk header, htm, htu, iat, jti (and
    the server's nonce when it asks for one, §8)."""
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.export_public(as_dict=True)}
    claims = {"jti": str(uuid.uuid4()), "htm": htm, "htu": htu, "iat": int(time.time())}
    if nonce is not None:
        claims["nonce"] = nonce
    t = jwt.JWT(header=header, claims=claims)
    t.make_signed_token(key)
    return t.serialize()


def payload_of(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def post_exchange(endpoint, subject, subject_type, proof):
    headers = {"DPoP": proof} if proof is not None else {}
    return requests.post(endpoint, auth=AUTH, headers=headers, timeout=30, data={
        "grant_type": GRANT, "subject_token": subject, "subject_token_type": subject_type,
        "audience": API, "requested_token_type": TT + "access_token"})


def exchange(endpoint, subject, subject_type, proof):
    r = post_exchange(endpoint, subject, subject_type, proof)
    return r.status_code, r.json()


def authlib_key(alg):
    """Authlib's key for alg and its public JWK. Authlib writes an EC coordinate in as few
    octets as its integer needs, where RFC 7518 §6.2.1.2 asks for the curve's full size (the STS
    refuses a short one, as the RFC says): a key whose coordinates happen to be short (1 in 128
    for P-256) is drawn again, so the check does not fail by chance."""
    while True:
        if alg == "ES256":
            key = JsonWebKey.generate_key("EC", "P-256", is_private=True)
        elif alg == "RS256":
            key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        else:
            key = JsonWebKey.generate_key("OKP", "Ed25519", is_private=True)
        pub = {k: v for k, v in key.as_dict(is_private=False).items() if k in ("kty", "crv", "n", "e", "x", "y")}
        if pub["kty"] != "EC" or all(len(pub[c]) == 43 for c in ("x", "y")):
            return key, pub


def authlib_proof(key, pub, alg, htu):
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": pub}
    claims = {"jti": str(uuid.uuid4()), "htm": "POST", "htu": htu, "iat": int(time.time())}
    return JsonWebSignature(algorithms=[alg]).serialize_compact(header, json.dumps(claims).encode(), key).decode()


def other_makers(endpoint, saml, algs):
    """Every listed alg with a jwcrypto key; then proofs made by Authlib."""
    for alg in algs:
        key = make_key(alg)
        status, body = exchange(endpoint, saml, TT + "saml2", make_proof(key, alg, endpoint))
        check("dpop metadata: listed alg %s binds a jwcrypto-made proof to its thumbprint" % alg,
              status == 200 and payload_of(body.get("access_token", "x.e30.x")).get("cnf") == {"jkt": key.thumbprint()},
              "HTTP %s %s" % (status, body.get("error_description") or body.get("token_type")))
    for alg in ("ES256", "RS256", "EdDSA"):
        key, pub = authlib_key(alg)
        status, body = exchange(endpoint, saml, TT + "saml2", authlib_proof(key, pub, alg, endpoint))
        cnf = payload_of(body.get("access_token", "x.e30.x")).get("cnf")
        check("dpop authlib %s: Authlib's proof gets a token bound to Authlib's RFC 7638 thumbprint" % alg,
              status == 200 and body.get("token_type") == "DPoP" and cnf == {"jkt": key.thumbprint()},
              "HTTP %s %s, cnf %s" % (status, body.get("error_description") or body.get("token_type"), cnf))


def nonce_checks(url, saml):
    """RFC 9449 §8 as a client meets it: the first proof has no nonce and is answered
    use_dpop_nonce with a DPoP-Nonce header; the retry carries it and gets a bound token."""
    meta = requests.get(url.rstrip("/") + "/.well-known/oauth-authorization-server", timeout=30).json()
    endpoint = meta["token_endpoint"]
    key = make_key("ES256")
    r = post_exchange(endpoint, saml, TT + "saml2", make_proof(key, "ES256", endpoint))
    body = r.json()
    nonce = r.headers.get("DPoP-Nonce")
    check("dpop nonce: a proof without the server's nonce → 400 use_dpop_nonce with a DPoP-Nonce header, no token",
          r.status_code == 400 and body.get("error") == "use_dpop_nonce" and bool(nonce) and "access_token" not in body,
          "HTTP %s %s, DPoP-Nonce %s" % (r.status_code, body.get("error"), nonce))
    if not nonce:
        return
    r = post_exchange(endpoint, saml, TT + "saml2", make_proof(key, "ES256", endpoint, nonce=nonce))
    body = r.json()
    token = body.get("access_token", "x.e30.x")
    check("dpop nonce: jwcrypto's retry with the nonce gets a token bound to its key",
          r.status_code == 200 and body.get("token_type") == "DPoP" and payload_of(token).get("cnf") == {"jkt": key.thumbprint()},
          "HTTP %s %s" % (r.status_code, body.get("token_type") or body.get("error")))
    check("dpop nonce: the answer names the nonce to use next", bool(r.headers.get("DPoP-Nonce")))
    r = post_exchange(endpoint, saml, TT + "saml2", make_proof(key, "ES256", endpoint, nonce=nonce))
    check("dpop nonce: the same nonce serves a further proof (new jti)", r.status_code == 200, "HTTP %s %s" % (r.status_code, r.json().get("error")))
    forged = nonce[:-2] + ("AA" if not nonce.endswith("AA") else "BB")
    r = post_exchange(endpoint, saml, TT + "saml2", make_proof(key, "ES256", endpoint, nonce=forged))
    body = r.json()
    check("dpop nonce: a forged nonce → use_dpop_nonce, no token",
          r.status_code == 400 and body.get("error") == "use_dpop_nonce" and "access_token" not in body,
          "HTTP %s %s" % (r.status_code, body.get("error")))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url")
    p.add_argument("--nonce-url")
    p.add_argument("--saml", required=True)
    a = p.parse_args()
    if a.nonce_url:
        nonce_checks(a.nonce_url, base64.urlsafe_b64encode(open(a.saml, "rb").read()).rstrip(b"=").decode())
        sys.exit(0 if results and all(results) else 1)
    meta = requests.get(a.url.rstrip("/") + "/.well-known/oauth-authorization-server", timeout=30).json()
    endpoint = meta["token_endpoint"]
    algs = meta.get("dpop_signing_alg_values_supported") or []
    check("dpop: metadata lists dpop_signing_alg_values_supported, asymmetric only",
          "ES256" in algs and not any(x == "none" or x.startswith("HS") for x in algs), json.dumps(algs))
    jwks = jwk.JWKSet.from_json(requests.get(meta["jwks_uri"], timeout=30).text)
    saml = base64.urlsafe_b64encode(open(a.saml, "rb").read()).rstrip(b"=").decode()

    for alg in ("ES256", "PS256", "EdDSA"):
        tag = "dpop %s:" % alg
        key = make_key(alg)
        jkt = key.thumbprint()  # RFC 7638, SHA-256, base64url
        proof = make_proof(key, alg, endpoint)
        status, body = exchange(endpoint, saml, TT + "saml2", proof)
        token = body.get("access_token", "")
        check(tag + " jwcrypto's proof gets a bound token: 200, token_type DPoP",
              status == 200 and body.get("token_type") == "DPoP", "HTTP %s %s" % (status, body.get("token_type") or body.get("error")))
        if status != 200:
            continue
        cnf = payload_of(token).get("cnf")
        check(tag + " cnf.jkt equals jwcrypto's RFC 7638 thumbprint of the proof key", cnf == {"jkt": jkt}, "%s vs %s" % (cnf, jkt))
        try:
            v = jwt.JWT(jwt=token, key=jwks, algs=["RS256", "ES256", "PS256"], check_claims={"aud": API})
            check(tag + " jwcrypto verifies the bound token with the JWKS", json.loads(v.claims).get("cnf") == {"jkt": jkt})
        except Exception as ex:  # a peer's refusal is a FAIL line, not a traceback
            check(tag + " jwcrypto verifies the bound token with the JWKS", False, "%s: %s" % (type(ex).__name__, ex))

        status, body = exchange(endpoint, saml, TT + "saml2", proof)
        check(tag + " the same proof replayed → 400 invalid_dpop_proof, no token",
              status == 400 and body.get("error") == "invalid_dpop_proof" and "access_token" not in body,
              "HTTP %s %s: %s" % (status, body.get("error"), body.get("error_description")))

        i = requests.post(meta["introspection_endpoint"], auth=AUTH, data={"token": token}, timeout=30).json()
        check(tag + " introspection shows active, token_type DPoP and cnf.jkt",
              i.get("active") is True and i.get("token_type") == "DPoP" and i.get("cnf") == {"jkt": jkt}, json.dumps(i)[:200])

        status, body = exchange(endpoint, token, TT + "access_token", make_proof(key, alg, endpoint))
        check(tag + " the bound token exchanges again with a proof from its key, still bound",
              status == 200 and payload_of(body.get("access_token", "x.e30.x")).get("cnf") == {"jkt": jkt}, "HTTP %s %s" % (status, body.get("error")))
        other = make_key(alg)
        status, body = exchange(endpoint, token, TT + "access_token", make_proof(other, alg, endpoint))
        check(tag + " ... and never with a proof from another key",
              status == 400 and body.get("error") == "invalid_dpop_proof" and "access_token" not in body, "HTTP %s %s" % (status, body.get("error")))
        status, body = exchange(endpoint, saml, TT + "saml2", make_proof(key, alg, endpoint, htm="GET"))
        check(tag + " a proof for another method (htm GET) → invalid_dpop_proof",
              status == 400 and body.get("error") == "invalid_dpop_proof", "HTTP %s %s" % (status, body.get("error")))
    other_makers(endpoint, saml, algs)
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
