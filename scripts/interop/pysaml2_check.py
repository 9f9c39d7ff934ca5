#!/usr/bin/python3
"""Checks an issued SAML assertion with Debian's pysaml2 (run with /usr/bin/python3).

usage: pysaml2_check.py --kind saml2|saml1 --token FILE --cert PEM [--cert PEM ...]
                        --issuer URI --subject NAME --audience URI --email ADDR
                        [--metadata FILE]

SAML 2.0: the assertion is parsed with saml2.saml.assertion_from_string (pysaml2's schema
classes), then issuer, NameID, audience and the email attribute are compared exactly, and the
signature is verified by pysaml2's xmlsec1 crypto backend against the pinned certificate(s) (any
one may verify: metadata lists current and next keys). With --metadata, pysaml2 also loads the
federation metadata into its MetadataStore and the signature is verified through a
SecurityContext that looks the signing certificate up by issuer -- the way a pysaml2 SP would.

Then the rules a pysaml2 service provider applies on receipt (AuthnResponse, as the relying
party --audience names): AuthnStatement, Conditions now, bearer confirmation data; its rule that
every confirmation names a Recipient is reported as SKIP (.NET relying parties refuse one).

SAML 1.1: pysaml2 has no SAML 1.x classes, so claims are read with ElementTree (it does not
fetch external entities, and DOCTYPEs are refused up front). The signature is not checked here:
pysaml2 7's xmlsec1 backend hard-codes --id-attr:ID, while SAML 1.1 uses AssertionID; xmlsec1 and
Santuario cover SAML 1.1 signatures in run.mjs.

Prints one line per check: "PASS <name>" or "FAIL <name>: <why>"; exits 1 if any failed.
"""
import argparse
import sys
import xml.etree.ElementTree as ET

import saml2.saml
import saml2.sigver

XMLSEC = "/usr/bin/xmlsec1"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
S1 = "{urn:oasis:names:tc:SAML:1.0:assertion}"

results = []


def check(name, ok, why=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why))


def eq(name, got, want):
    check(name, got == want, "got %r, want %r" % (got, want))


def signature_verifies(text, assertion_id, certs):
    """Whether pysaml2's xmlsec1 backend verifies the assertion's signature with one of `certs`."""
    crypto = saml2.sigver.CryptoBackendXmlSec1(XMLSEC)
    for cert in certs:
        try:
            if crypto.validate_signature(text, cert, "pem", saml2.saml.Assertion.c_namespace + ":Assertion", assertion_id):
                return True
        except saml2.sigver.SignatureError:  # xmlsec1 said FAIL (details on stderr)
            continue
    return False


def saml2_checks(a, text, args):
    if a is None:
        check("pysaml2 parse", False, "assertion_from_string returned None (not a saml:Assertion?)")
        return
    check("pysaml2 parse", True)
    eq("issuer", a.issuer.text if a.issuer is not None else None, args.issuer)
    name_id = a.subject.name_id.text if a.subject is not None and a.subject.name_id is not None else None
    eq("subject", name_id, args.subject)
    audiences = [
        aud.text
        for ar in (a.conditions.audience_restriction if a.conditions is not None else [])
        for aud in ar.audience
    ]
    eq("audience", audiences, [args.audience])
    methods = [sc.method for sc in (a.subject.subject_confirmation if a.subject is not None else [])]
    eq("bearer confirmation", methods, ["urn:oasis:names:tc:SAML:2.0:cm:bearer"])
    emails = [
        v.text
        for st in a.attribute_statement
        for attr in st.attribute
        if attr.name == EMAIL
        for v in attr.attribute_value
    ]
    eq("email attribute", emails, [args.email])
    ok = signature_verifies(text, a.id, args.cert)
    check("signature (pysaml2 xmlsec1 backend, pinned cert)", ok, "xmlsec1 (via pysaml2) verified it with no pinned certificate")
    service_provider_check(text, args)
    if args.metadata:
        metadata_context_check(text, args)


def service_provider_check(text, args):
    """The rules a pysaml2 service provider applies to an assertion it receives (AuthnResponse, as
    the relying party --audience names): the AuthnStatement, the Conditions now (audience,
    NotBefore, NotOnOrAfter) and the bearer SubjectConfirmationData (its NotOnOrAfter still ahead).
    Its last rule, a Recipient on every confirmation, is reported as SKIP: .NET's
    Saml2SecurityTokenHandler refuses a token with one (WIF ID4157), and a WS-Trust token is for
    .NET relying parties first."""
    import saml2.response
    from saml2.attribute_converter import ac_factory

    name = "pysaml2 SP rules (AuthnStatement, Conditions, bearer confirmation data)"
    sp = saml2.response.AuthnResponse(
        saml2.sigver.SecurityContext(saml2.sigver.CryptoBackendXmlSec1(XMLSEC)), ac_factory(), args.audience,
        allow_unsolicited=True, asynchop=False,
    )
    try:
        sp.assertion = saml2.saml.assertion_from_string(text)
        sp.authn_statement_ok()
        if not sp.condition_ok():
            raise ValueError("condition_ok() is False")
        confirmations = sp.assertion.subject.subject_confirmation
        bad = [sc.method for sc in confirmations
               if sc.method != saml2.saml.SCM_BEARER or not sp._bearer_confirmed(sc.subject_confirmation_data)]
        if bad or not confirmations:
            raise ValueError("not confirmed: %r" % (bad or "no SubjectConfirmation"))
        check(name, True)
    except Exception as e:  # noqa: BLE001 -- pysaml2 raises several unrelated types; report any
        check(name, False, "%s: %s" % (type(e).__name__, e))
    print("SKIP pysaml2 SP rule 'Recipient on every SubjectConfirmation': .NET's Saml2SecurityTokenHandler refuses one (WIF ID4157)")


def metadata_context_check(text, args):
    """Verify through pysaml2's MetadataStore + SecurityContext, keyed by the assertion issuer."""
    from saml2.attribute_converter import ac_factory
    from saml2.mdstore import MetadataStore
    from saml2.config import Config

    # pysaml2's MetadataStore keeps only role descriptors whose protocolSupportEnumeration lists
    # the SAML 2.0 protocol (mdstore.do_entity_descriptor). A pure WS-Trust/WS-Federation STS role
    # (fed:SecurityTokenServiceType, as AD FS also publishes it) is dropped, so there is nothing
    # to look the certificate up in: say so instead of failing.
    md_root = ET.parse(args.metadata).getroot()
    saml2p = "urn:oasis:names:tc:SAML:2.0:protocol"
    if not any(saml2p in (el.get("protocolSupportEnumeration") or "").split() for el in md_root.iter()):
        print("SKIP pysaml2 MetadataStore: no role descriptor lists %s; pysaml2 ignores such entities" % saml2p)
        return
    conf = Config()
    conf.xmlsec_binary = XMLSEC
    try:
        mds = MetadataStore(ac_factory(), conf)
        with open(args.metadata, encoding="utf-8") as f:
            mds.load("inline", f.read())
    except Exception as e:  # noqa: BLE001 -- report any loader complaint as a failed check
        check("pysaml2 MetadataStore loads federation metadata", False, repr(e))
        return
    check("pysaml2 MetadataStore loads federation metadata", args.issuer in mds.keys(),
          "entity %r not in %r" % (args.issuer, list(mds.keys())))
    sec = saml2.sigver.SecurityContext(saml2.sigver.CryptoBackendXmlSec1(XMLSEC), metadata=mds)
    try:
        assertion = saml2.saml.assertion_from_string(text)
        ok = sec._check_signature(text, assertion, saml2.saml.Assertion.c_namespace + ":Assertion",
                                  origdoc=text, must=True)
        check("signature (pysaml2 SecurityContext, cert from metadata)", bool(ok), "not verified")
    except Exception as e:  # noqa: BLE001
        check("signature (pysaml2 SecurityContext, cert from metadata)", False, repr(e))


def saml1_checks(text, args):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        check("parse", False, str(e))
        return
    eq("root element", root.tag, S1 + "Assertion")
    eq("version", (root.get("MajorVersion"), root.get("MinorVersion")), ("1", "1"))
    eq("issuer", root.get("Issuer"), args.issuer)
    subjects = sorted({n.text for n in root.iter(S1 + "NameIdentifier")})
    eq("subject", subjects, [args.subject])
    eq("audience", [n.text for n in root.iter(S1 + "Audience")], [args.audience])
    emails = [
        v.text
        for attr in root.iter(S1 + "Attribute")
        if attr.get("AttributeNamespace", "") + "/" + attr.get("AttributeName", "") == EMAIL
        for v in attr.iter(S1 + "AttributeValue")
    ]
    eq("email attribute", emails, [args.email])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=["saml2", "saml1"], required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--cert", action="append", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--audience", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--metadata")
    args = p.parse_args()
    with open(args.token, encoding="utf-8") as f:
        text = f.read()
    if "<!DOCTYPE" in text:
        check("no DOCTYPE", False, "token carries a DOCTYPE")
    elif args.kind == "saml2":
        saml2_checks(saml2.saml.assertion_from_string(text), text, args)
    else:
        saml1_checks(text, args)
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
