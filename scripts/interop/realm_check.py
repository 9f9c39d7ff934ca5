#!/usr/bin/python3
"""The development configuration's second realm through Microsoft's MSAL and ADAL for Python
(Debian's python3-msal / python3-adal, run with /usr/bin/python3): each discovers realm2's
username/password endpoint from realm2's own /trust/mex and signs carol in with it, reached
(a) under the path prefix /realms/realm2 and (b) by the host name realm2.localhost, which
the system resolver does not know: this script resolves it to the STS's address itself (as a
hosts-file entry would), so the clients send realm2.localhost URLs, Host headers and wsa:To
unchanged. The first realm's user is refused in realm2.

usage: realm_check.py --url http://127.0.0.1:8788 --out DIR
Writes the tokens the clients obtained to DIR (realm2-*.xml, for xmlsec1) and prints
PASS/FAIL lines; exits 1 on any failure.

As in msal_check.py, the mex parsers are shown the document with our http scheme rewritten to
https (both libraries accept only https endpoints) and the endpoint they pick is mapped back.
"""
import argparse
import os
import socket
import sys
import xml.etree.ElementTree as ET

import requests
from msal import mex as msal_mex
from msal import wstrust_request as msal_wstrust
from adal.constants import WSTrustVersion

sys.dont_write_bytecode = True  # importing msal_check must leave no __pycache__ in the tree
from msal_check import adal_mex_of, adal_sign_ins, check, refused, results

RP = "urn:example:rp"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


def issuer_of(token):
    el = ET.fromstring(token).find("{%s}Issuer" % SAML)
    return el.text if el is not None else None


def endpoints(mex_text):
    """Every wsa:Address the WSDL names (soap12:address / soap:address location)."""
    root = ET.fromstring(mex_text)
    return [e.get("location") for e in root.iter() if e.tag.endswith("}address") and e.get("location")]


def msal_sign_in(name, address, action, issuer, out, file):
    """carol signs in with MSAL's WS-Trust client; the token must be `issuer`'s. Returns it."""
    r = msal_wstrust.send_request("carol", "wonderland2", RP, address, action, requests.Session())
    ok = b"Assertion" in r.get("token", b"")
    check(name, ok and issuer_of(r["token"]) == issuer, str(issuer_of(r["token"])) if ok else repr(r)[:200])
    if ok:
        with open(os.path.join(out, file), "wb") as f:
            f.write(r["token"])


def via_prefix(origin, out):
    base = origin + "/realms/realm2"
    secure_base = "https://" + base.split("://", 1)[1]
    res = requests.get(base + "/trust/mex", timeout=30)
    check("realm2 (prefix): GET /realms/realm2/trust/mex answers the WSDL", res.status_code == 200, "HTTP %d" % res.status_code)
    addresses = endpoints(res.text)
    check("realm2 (prefix): every endpoint in its WSDL is under /realms/realm2",
          len(addresses) > 0 and all(a.startswith(base + "/trust/") for a in addresses), ", ".join(addresses[:3]))
    mex_text = res.text.replace(base, secure_base)
    back = lambda url: url.replace(secure_base, base)

    ep = msal_mex.Mex(mex_text).get_wstrust_username_password_endpoint()
    check("realm2 (prefix): msal's mex discovers realm2's WS-Trust 1.3 username/password endpoint",
          ep is not None and ep["address"] == secure_base + "/trust/13/usernamemixed", repr(ep))
    if ep:
        msal_sign_in("realm2 (prefix): msal signs carol in and gets a SAML 2.0 token issued by realm2",
                     back(ep["address"]), ep["action"], base, out, "realm2-msal-13.xml")
        refused("realm2 (prefix): msal reports the first realm's alice as a failed authentication",
                lambda: msal_wstrust.send_request("alice", "wonderland", RP, back(ep["address"]), ep["action"], requests.Session()))

    ctx = {"log_context": {"correlation_id": "interop-realm2"}}
    pol = adal_mex_of(ctx, secure_base + "/trust/mex", mex_text).username_password_policy
    check("realm2 (prefix): adal's mex selects realm2's WS-Trust 1.3 username/password endpoint",
          pol.get("version") == WSTrustVersion.WSTRUST13 and pol.get("url") == secure_base + "/trust/13/usernamemixed", repr(pol))
    adal_sign_ins(ctx, base, "carol", "wonderland2", "realm2 (prefix): adal WS-Trust %s signs carol in (token type %s)",
                  out, "realm2-adal-", issuer_of, base)


def resolve_realm2_to(address):
    """Resolves realm2.localhost to `address` in this process (a hosts-file entry's effect)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real(address if host == "realm2.localhost" else host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def via_host(origin, out):
    scheme, rest = origin.split("://", 1)
    address, _, port = rest.partition(":")
    resolve_realm2_to(address)
    realm_base = scheme + "://realm2.localhost" + (":" + port if port else "")
    secure = "https://" + realm_base.split("://", 1)[1]
    res = requests.get(realm_base + "/trust/mex", timeout=30)
    addresses = endpoints(res.text) if res.status_code == 200 else []
    check("realm2 (host): realm2.localhost's /trust/mex names realm2.localhost endpoints",
          len(addresses) > 0 and all(a.startswith(realm_base + "/trust/") for a in addresses), ", ".join(addresses[:3]))
    ep = msal_mex.Mex(res.text.replace(realm_base, secure)).get_wstrust_username_password_endpoint() if addresses else None
    check("realm2 (host): msal's mex discovers realm2.localhost's username/password endpoint",
          ep is not None and ep["address"] == secure + "/trust/13/usernamemixed", repr(ep))
    if ep:
        msal_sign_in("realm2 (host): msal signs carol in and gets a token issued by realm2.localhost",
                     ep["address"].replace(secure, realm_base), ep["action"], realm_base, out, "realm2-host-msal-13.xml")
    bad = requests.get(origin + "/realms/nowhere/trust/mex", timeout=30)
    check("unknown realm prefix: 404 and no WSDL", bad.status_code == 404 and "definitions" not in bad.text, "HTTP %d" % bad.status_code)
    other = requests.get(realm_base + "/realms/nowhere/oauth2/jwks", timeout=30)
    check("realm2.localhost with another realm's prefix: 404 and no keys", other.status_code == 404 and '"keys"' not in other.text, "HTTP %d" % other.status_code)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    origin = a.url.rstrip("/")
    via_prefix(origin, a.out)
    via_host(origin, a.out)
    print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a crash is a failure of its own, reported as one
        check("realm2: client run", False, "%s: %s" % (type(e).__name__, str(e)[:300]))
        sys.exit(1)
