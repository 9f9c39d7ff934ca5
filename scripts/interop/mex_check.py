#!/usr/bin/python3
"""WS-MetadataExchange over SOAP, as a WCF-style client does it, with zeep (Debian's
python3-zeep), an independent SOAP stack: zeep's transport POSTs a WS-Transfer Get to
/trust/mex, zeep's WSDL reader loads the WSDL out of the mex:MetadataSection and lists every
service port with its binding and address; each binding's policy is then read from the WSDL.

usage: mex_check.py --url http://127.0.0.1:8788
Prints PASS/FAIL lines; exit 1 if any FAIL.
"""
import argparse
import re
import sys
import tempfile
import uuid
import warnings

from lxml import etree
from zeep.transports import Transport
from zeep.wsdl import Document

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
MEX = "http://schemas.xmlsoap.org/ws/2004/09/mex"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSP = "http://schemas.xmlsoap.org/ws/2004/09/policy"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"

failed = 0


def report(name, ok, detail=""):
    global failed
    if not ok:
        failed += 1
    print(f"{'PASS' if ok else 'FAIL'} mex (zeep): {name}{' — ' + detail if detail else ''}")


def get_request(address):
    """The WS-Transfer Get a WCF MetadataExchangeClient sends: addressing headers, empty Body."""
    env = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"s": SOAP12, "a": WSA})
    header = etree.SubElement(env, f"{{{SOAP12}}}Header")
    action = etree.SubElement(header, f"{{{WSA}}}Action")
    action.set(f"{{{SOAP12}}}mustUnderstand", "1")
    action.text = GET
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = f"urn:uuid:{uuid.uuid4()}"
    to = etree.SubElement(header, f"{{{WSA}}}To")
    to.set(f"{{{SOAP12}}}mustUnderstand", "1")
    to.text = address
    etree.SubElement(env, f"{{{SOAP12}}}Body")
    return env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    base = ap.parse_args().url.rstrip("/")
    address = base + "/trust/mex"
    transport = Transport(timeout=30)
    res = transport.post_xml(address, get_request(address), {"Content-Type": "application/soap+xml; charset=utf-8"})
    report("WS-Transfer Get over SOAP 1.2 answers 200", res.status_code == 200, f"HTTP {res.status_code}")
    if res.status_code != 200:
        return
    reply = etree.fromstring(res.content)
    sections = reply.findall(f".//{{{MEX}}}MetadataSection")
    wsdl_sections = [s for s in sections if s.get("Dialect") == WSDL]
    report("the reply holds a mex:MetadataSection with the WSDL dialect", len(wsdl_sections) == 1, f"{len(sections)} section(s)")
    if not wsdl_sections:
        return
    definitions = wsdl_sections[0].find(f"{{{WSDL}}}definitions")
    # zeep reads the WSDL as a client would (its own parser, bindings, ports, addresses, and the
    # message elements' schemas inline in wsdl:types).
    warnings.simplefilter("ignore", UserWarning)
    with tempfile.NamedTemporaryFile("wb", suffix=".wsdl", delete=False) as f:
        f.write(etree.tostring(definitions))
    doc = Document(f.name, transport)
    ports = {}
    operations = {}
    for service in doc.services.values():
        for port in service.ports.values():
            ports[port.name] = (port.binding.name.localname, port.binding_options.get("address"))
            operations[port.name] = sorted(re.sub(r"^Trust(13|Feb2005)|Async$", "", op) for op in port.binding._operations)
    expected = [
        "/trust/13/usernamemixed", "/trust/2005/usernamemixed",
        "/trust/13/certificatemixed", "/trust/2005/certificatemixed",
        "/trust/13/issuedtokenmixedasymmetricbasic256", "/trust/13/issuedtokenmixedsymmetricbasic256",
        "/trust/2005/issuedtokenmixedasymmetricbasic256", "/trust/2005/issuedtokenmixedsymmetricbasic256",
    ]
    addresses = sorted(a for _, a in ports.values())
    report("zeep lists every WS-Trust endpoint as a service port", addresses == sorted(base + p for p in expected), ", ".join(addresses))
    # Each binding's policy, by its PolicyReference, says how the requestor proves itself.
    policies = {p.get(f"{{{WSU}}}Id"): p for p in definitions.findall(f"{{{WSP}}}Policy")}
    proofs = {}
    for binding in definitions.findall(f"{{{WSDL}}}binding"):
        ref = binding.find(f"{{{WSP}}}PolicyReference")
        policy = policies.get((ref.get("URI") or "")[1:]) if ref is not None else None
        local = {e.tag.split("}")[1] for e in policy.iter()} if policy is not None else set()
        proofs[binding.get("name")] = "username" if "UsernameToken" in local else "certificate" if "X509Token" in local else "issued-token" if "IssuedToken" in local else "?"
    by_address = {addr: proofs.get(binding) for binding, addr in ports.values()}
    want = {base + p: ("username" if "username" in p else "certificate" if "certificate" in p else "issued-token") for p in expected}
    report("each port's policy names how its requestor authenticates", by_address == want, str(sorted(by_address.items())))
    bound = {name: ops for name, ops in operations.items() if ops != ["Cancel", "Issue", "Renew", "Validate"]}
    report("zeep binds Issue, Validate, Renew and Cancel on every port", len(operations) == len(expected) and not bound, str(bound))
    issue_with_zeep(f.name, base)


def issue_with_zeep(wsdl_file, base):
    """A token issued by calling the WSDL's Trust13Issue operation through zeep's own proxy:
    zeep writes the SOAP 1.2 envelope, its WS-Addressing headers (the binding's UsingAddressing)
    and a UsernameToken; the RST's content goes in as the message element's any-content."""
    from zeep import Client
    from zeep.wsse.username import UsernameToken
    trust, wsp = "http://docs.oasis-open.org/ws-sx/ws-trust/200512", "http://schemas.xmlsoap.org/ws/2004/09/policy"

    def el(ns, name, text=None):
        e = etree.Element(f"{{{ns}}}{name}")
        e.text = text
        return e

    applies = el(wsp, "AppliesTo")
    etree.SubElement(etree.SubElement(applies, f"{{{WSA}}}EndpointReference"), f"{{{WSA}}}Address").text = "urn:example:rp"
    client = Client(wsdl_file, wsse=UsernameToken("alice", "wonderland"))
    service = client.bind("SecurityTokenService", "UserNameWSTrustBinding_IWSTrust13Async")
    reply = service.Trust13IssueAsync(_value_1=[el(trust, "RequestType", trust + "/Issue"), applies, el(trust, "KeyType", trust + "/Bearer")])
    rstr = reply["_value_1"][0]
    tokens = [k for k in rstr["_value_1"] if getattr(k, "tag", "") == f"{{{trust}}}RequestedSecurityToken"]
    assertion = tokens[0][0] if tokens and len(tokens[0]) else None
    ok = assertion is not None and assertion.tag == "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"
    report("zeep's proxy for Trust13Issue gets alice a SAML 2.0 assertion", ok, "" if ok else str(reply)[:300])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure of its own, reported as one
        report("run", False, f"{type(e).__name__}: {str(e)[:300]}")
    sys.exit(1 if failed else 0)
