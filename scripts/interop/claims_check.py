#!/usr/bin/python3
"""Reads the attributes of an issued SAML assertion with Debian's pysaml2 (run with /usr/bin/python3).

usage: claims_check.py --kind saml2|saml1 --token FILE --expect JSON [--cert PEM ...]

--expect is {"<attribute name>": ["<NameFormat>", ["value", ...]], ...}: exactly the attributes
the assertion must carry (the protocol attributes actor / scope / client_id aside), each with its
NameFormat and values. For SAML 1.1, names are AttributeNamespace + "/" + AttributeName and the
format is ignored (SAML 1.1 has none).

SAML 2.0: parsed with saml2.saml.assertion_from_string; the raw Name / NameFormat / values are
compared exactly, and then pysaml2's own attribute conversion (saml2.attribute_converter.to_local)
reads the statement as an SP would: through a converter for NameFormat uri whose map is pysaml2's
ADFS 2.0 claim map (saml2.attributemaps.adfs_v20) -- so an attribute whose NameFormat is not uri
is not read by it -- and one for NameFormat basic that keeps names as they are. The signature
is verified by pysaml2's xmlsec1 backend against the pinned certificate(s).

SAML 1.1: pysaml2 has no SAML 1.x classes; read with ElementTree (as pysaml2_check.py does).

Prints "PASS <name>" or "FAIL <name>: <why>" per check; exits 1 if any failed.
"""
import argparse
import json
import sys
import xml.etree.ElementTree as ET

import saml2.saml
from saml2.attribute_converter import AttributeConverter, to_local
from saml2.attributemaps import adfs_v20

# The PASS / FAIL reporting of the other pysaml2 checks (this directory is on sys.path).
from pysaml2_check import check, eq, results, signature_verifies

URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
S1 = "{urn:oasis:names:tc:SAML:1.0:assertion}"
PROTOCOL = {
    "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor",
    "http://schemas.microsoft.com/identity/claims/scope",
    "urn:edge-sts:claims/client_id",
}


def converter(name_format, fro):
    ac = AttributeConverter(name_format)
    ac.from_dict({"identifier": name_format, "fro": fro, "to": {v: k for k, v in fro.items()}})
    return ac


def saml2_checks(text, args, expect):
    a = saml2.saml.assertion_from_string(text)
    if a is None:
        check("pysaml2 parse", False, "not a saml:Assertion")
        return
    check("pysaml2 parse", True)
    got = {}
    for st in a.attribute_statement:
        for attr in st.attribute:
            if attr.name in PROTOCOL:
                continue
            got[attr.name] = [attr.name_format, [v.text for v in attr.attribute_value]]
    eq("attributes, NameFormats and values", got, expect)
    # pysaml2's SP-side conversion: URI-format attributes through its ADFS 2.0 claim map, basic
    # ones by their names. Each converter reads only the attributes of its own NameFormat.
    fro = dict(adfs_v20.MAP["fro"])
    basic_names = {n: n for n, (fmt, _) in expect.items() if fmt == BASIC}
    local = {}
    for st in a.attribute_statement:
        local.update(to_local([converter(URI, fro), converter(BASIC, basic_names)], st))
    want = {}
    for n, (fmt, values) in expect.items():
        if fmt == URI and n in fro:
            want[fro[n]] = values
        elif fmt == BASIC:
            want[n] = values
    eq("pysaml2 to_local (ADFS 2.0 map for uri, names for basic)", {k: sorted(v) for k, v in local.items()},
       {k: sorted(v) for k, v in want.items()})
    if args.cert:
        ok = signature_verifies(text, a.id, args.cert)
        check("signature (pysaml2 xmlsec1 backend, pinned cert)", ok, "no pinned certificate verified it")


def saml1_checks(text, expect):
    root = ET.fromstring(text)
    got = {}
    for attr in root.iter(S1 + "Attribute"):
        name = attr.get("AttributeNamespace", "") + "/" + attr.get("AttributeName", "")
        if name in PROTOCOL:
            continue
        got[name] = [v.text for v in attr.iter(S1 + "AttributeValue")]
    eq("SAML 1.1 attributes and values", got, {n: v for n, (_, v) in expect.items()})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=["saml2", "saml1"], required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--expect", required=True)
    p.add_argument("--cert", action="append", default=[])
    args = p.parse_args()
    with open(args.token, encoding="utf-8") as f:
        text = f.read()
    expect = json.loads(args.expect)
    if "<!DOCTYPE" in text:
        check("no DOCTYPE", False, "token carries a DOCTYPE")
    elif args.kind == "saml2":
        saml2_checks(text, args, expect)
    else:
        saml1_checks(text, expect)
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
