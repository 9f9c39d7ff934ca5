#!/usr/bin/python3
"""AD FS-era clients against our STS: Microsoft's own MSAL and ADAL for Python (Debian's
python3-msal / python3-adal, run with /usr/bin/python3) discover the username/password endpoint
from /trust/mex with their mex parsers and request a SAML token with their WS-Trust clients.

usage: msal_check.py --url http://127.0.0.1:8788 --out DIR
Writes the tokens the clients obtained to DIR (for xmlsec1) and prints PASS/FAIL lines;
exits 1 on any failure.

Both libraries only accept https endpoints in the WSDL (they are written for AD FS behind TLS).
The local STS speaks plain http, so the harness shows the mex parsers the document with the
scheme of our own origin rewritten to https and maps the endpoint they pick back to http;
everything else (document shape, policy and binding matching, the RST, the RSTR parsing) is
the libraries' own code, unmodified.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

import requests
from msal import mex as msal_mex
from msal import wstrust_request as msal_wstrust
from adal import mex as adal_mex
from adal import wstrust_request as adal_wstrust
from adal.constants import WSTrustVersion

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + (" — " + detail if detail else ""))


def adal_mex_of(ctx, url, mex_text):
    """ADAL's Mex parser over a document we fetched (its own fetch would insist on https)."""
    m = adal_mex.Mex(ctx, url)
    m._mex_doc = mex_text
    m._dom = ET.fromstring(mex_text)
    m._parents = {c: p for p in m._dom.iter() for c in p}
    m._parse()
    return m


def refused(name, send):
    """`send()` must raise MSAL's WS-Trust error naming FailedAuthentication."""
    try:
        send()
        check(name, False, "a token was issued")
    except RuntimeError as e:
        check(name, "FailedAuthentication" in str(e), str(e)[:200])


def adal_sign_ins(ctx, base, user, password, label, out, file_prefix, issuer_of=None, issuer=None):
    """ADAL's WS-Trust 1.3 and 2005 clients sign `user` in at `base`; each token written to
    out/<file_prefix><version>.xml. With `issuer_of`, the token's issuer must be `issuer`."""
    for version, path, name in ((WSTrustVersion.WSTRUST13, "/trust/13/usernamemixed", "13"),
                                (WSTrustVersion.WSTRUST2005, "/trust/2005/usernamemixed", "2005")):
        resp = adal_wstrust.WSTrustRequest(ctx, base + path, "urn:example:rp", version).acquire_token(user, password)
        ok = resp.token is not None and b"Assertion" in resp.token
        got = issuer_of(resp.token) if ok and issuer_of else None
        check(label % (name, resp.token_type), ok and (issuer_of is None or got == issuer), str(got) if got else "")
        if ok:
            with open(os.path.join(out, "%s%s.xml" % (file_prefix, name)), "wb") as f:
                f.write(resp.token)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    base = a.url.rstrip("/")
    secure_base = "https://" + base.split("://", 1)[1]
    mex_text = requests.get(base + "/trust/mex", timeout=30).text.replace(base, secure_base)
    back = lambda url: url.replace(secure_base, base)

    # MSAL: the mex parser, then its WS-Trust request builder and response parser.
    ep = msal_mex.Mex(mex_text).get_wstrust_username_password_endpoint()
    check("msal: mex discovers the WS-Trust 1.3 username/password endpoint",
          ep is not None and ep["action"] == msal_mex.Mex.ACTION_13 and ep["address"].endswith("/trust/13/usernamemixed"),
          repr(ep))
    if ep:
        r = msal_wstrust.send_request("alice", "wonderland", "urn:example:rp", back(ep["address"]), ep["action"], requests.Session())
        ok = r.get("type") in (msal_wstrust.parse_response.__globals__["WSS_SAML_TOKEN_PROFILE_V2"],
                               msal_wstrust.parse_response.__globals__["SAML_TOKEN_TYPE_V2"])
        check("msal: WS-Trust 1.3 Issue returns a SAML 2.0 token", ok and b"Assertion" in r["token"], str(r.get("type")))
        with open(os.path.join(a.out, "msal-13.xml"), "wb") as f:
            f.write(r["token"])
    r = msal_wstrust.send_request("alice", "wonderland", "urn:example:rp", base + "/trust/2005/usernamemixed",
                                  msal_mex.Mex.ACTION_2005, requests.Session())
    check("msal: WS-Trust 2005 Issue returns a SAML token", b"Assertion" in r["token"], str(r.get("type")))
    with open(os.path.join(a.out, "msal-2005.xml"), "wb") as f:
        f.write(r["token"])
    # A user of the directory (D1), not of the configuration: the development user dave.
    r = msal_wstrust.send_request("dave", "directory-pass-1", "urn:example:rp", base + "/trust/13/usernamemixed",
                                  msal_mex.Mex.ACTION_13, requests.Session())
    check("msal: a directory user (dave, in D1) signs in over WS-Trust 1.3 and gets his directory claims",
          b"Assertion" in r["token"] and b"dave@example.com" in r["token"], str(r.get("type")))
    with open(os.path.join(a.out, "msal-directory.xml"), "wb") as f:
        f.write(r["token"])
    refused("msal: a wrong password is reported as a WS-Trust error",
            lambda: msal_wstrust.send_request("alice", "not-her-password", "urn:example:rp", base + "/trust/13/usernamemixed",
                                              msal_mex.Mex.ACTION_13, requests.Session()))

    # A client configured with AD FS's addresses, as where this STS took over an AD FS host name:
    # the MEX at /adfs/services/trust/mex, the endpoint at /adfs/services/trust/13/usernamemixed.
    adfs_mex = requests.get(base + "/adfs/services/trust/mex", timeout=30).text.replace(base, secure_base)
    ep = msal_mex.Mex(adfs_mex).get_wstrust_username_password_endpoint()
    check("msal: AD FS's MEX address (/adfs/services/trust/mex) discovers the same endpoint",
          ep is not None and ep["address"].endswith("/trust/13/usernamemixed"), repr(ep))
    r = msal_wstrust.send_request("alice", "wonderland", "urn:example:rp", base + "/adfs/services/trust/13/usernamemixed",
                                  msal_mex.Mex.ACTION_13, requests.Session())
    check("msal: WS-Trust 1.3 Issue at AD FS's address (/adfs/services/trust/13/usernamemixed) returns a SAML token",
          b"Assertion" in r["token"], str(r.get("type")))

    # ADAL: its stricter mex parser (policies, bindings, ports) and its RSTR parser.
    ctx = {"log_context": {"correlation_id": "interop"}}
    pol = adal_mex_of(ctx, secure_base + "/trust/mex", mex_text).username_password_policy
    check("adal: mex selects the WS-Trust 1.3 username/password policy and endpoint",
          pol.get("version") == WSTrustVersion.WSTRUST13 and pol.get("url", "").endswith("/trust/13/usernamemixed"), repr(pol))
    adal_sign_ins(ctx, base, "alice", "wonderland", "adal: WS-Trust %s Issue parsed (token type %s)", a.out, "adal-")

    print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
