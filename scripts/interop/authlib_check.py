#!/usr/bin/python3
"""An independent OAuth 2.0 client library as the caller: Authlib (Debian's python3-authlib, run
with /usr/bin/python3) discovers nothing by itself, so we read RFC 8414 metadata, then let
Authlib's OAuth2Session do RFC 8693 token exchange (client_secret_basic and client_secret_post),
RFC 7662 introspection and RFC 7009 revocation, and Authlib's JOSE implementation verify the
issued JWT against the published JWKS.

usage: authlib_check.py --url URL --saml FILE
Prints PASS/FAIL lines; exits 1 on any failure.
"""
import argparse
import base64
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

API = "https://api.example.com/"
TT = "urn:ietf:params:oauth:token-type:"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + (" — " + detail if detail else ""))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--saml", required=True)
    a = p.parse_args()
    meta = requests.get(a.url.rstrip("/") + "/.well-known/oauth-authorization-server", timeout=30).json()
    saml_b64url = base64.urlsafe_b64encode(open(a.saml, "rb").read()).rstrip(b"=").decode()
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=30).json())

    tokens = {}
    for method in ("client_secret_basic", "client_secret_post"):
        s = OAuth2Session("demo-client", "demo-secret", token_endpoint_auth_method=method)
        tok = s.fetch_token(meta["token_endpoint"], grant_type=GRANT, subject_token=saml_b64url,
                            subject_token_type=TT + "saml2", audience=API)
        tokens[method] = tok
        check("authlib: token exchange with %s returns a JWT" % method,
              tok.get("issued_token_type") == TT + "jwt" and tok.get("access_token", "").count(".") == 2,
              "token_type=%s expires_in=%s" % (tok.get("token_type"), tok.get("expires_in")))

    access = tokens["client_secret_basic"]["access_token"]
    claims = jwt.decode(access, jwks)
    claims.validate()
    check("authlib.jose: the exchanged JWT verifies with the JWKS; iss = metadata issuer, sub = alice, aud = API",
          claims["iss"] == meta["issuer"] and claims["sub"] == "alice" and claims["aud"] == API,
          "kid=%s" % claims.header.get("kid"))

    s = OAuth2Session("demo-client", "demo-secret", token_endpoint_auth_method="client_secret_basic")
    r = s.introspect_token(meta["introspection_endpoint"], token=access)
    body = r.json()
    check("authlib: introspection says active, with sub and client_id",
          r.status_code == 200 and body.get("active") is True and body.get("sub") == "alice" and body.get("client_id") == "demo-client",
          str(r.status_code))
    r = s.revoke_token(meta["revocation_endpoint"], token=access)
    check("authlib: revocation answers 200", r.status_code == 200, str(r.status_code))
    r = s.introspect_token(meta["introspection_endpoint"], token=access)
    check('authlib: after revocation introspection is exactly {"active": false}', r.json() == {"active": False}, r.text)

    bad = OAuth2Session("demo-client", "wrong-secret", token_endpoint_auth_method="client_secret_basic")
    try:
        bad.fetch_token(meta["token_endpoint"], grant_type=GRANT, subject_token=saml_b64url,
                        subject_token_type=TT + "saml2", audience=API)
        check("authlib: a wrong client secret is refused", False, "a token was issued")
    except Exception as e:  # authlib raises OAuthError carrying the server's error code
        check("authlib: a wrong client secret is refused with invalid_client", "invalid_client" in str(e), str(e)[:120])

    print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
