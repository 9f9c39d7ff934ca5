#!/usr/bin/python3
"""Checks the holder-of-key confirmation of a decrypted SAML assertion (run with /usr/bin/python3).

usage: proof_key_check.py --assertion FILE symmetric --key RP_KEY.pem [--transport rsa-oaep-mgf1p|rsa-oaep]
                          (--entropy B64 --issuer-entropy B64 --key-size BITS | --secret B64)
       proof_key_check.py --assertion FILE public-key --public-key PEM
Independent of the STS and of its CLI: ElementTree reads the assertion, pyca/cryptography
opens the SubjectConfirmation's xenc:EncryptedKey with the relying party's key — RSA-OAEP with
SHA-1 and MGF1-SHA1 for rsa-oaep-mgf1p (the default), or SHA-256 and MGF1-SHA256 for xmlenc11#rsa-oaep;
the method, digest and MGF the token names are checked against --transport — and P_SHA1 (RFC 2246 §5 P_hash) is
computed here with the standard library's hmac. For a public key, the KeyInfo's RSA modulus and
exponent, EC point, or certificate must be the key given. Prints PASS/FAIL lines; exits 1 on failure.
"""
import argparse
import base64
import hashlib
import hmac
import sys
import xml.etree.ElementTree as ET

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

NS = {
    "saml2": "urn:oasis:names:tc:SAML:2.0:assertion",
    "saml1": "urn:oasis:names:tc:SAML:1.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "dsig11": "http://www.w3.org/2009/xmldsig11#",
    "xenc": "http://www.w3.org/2001/04/xmlenc#",
    "xenc11": "http://www.w3.org/2009/xmlenc11#",
}
# --transport → (EncryptionMethod Algorithm, ds:DigestMethod, xenc11:MGF or None, the OAEP hash).
TRANSPORTS = {
    "rsa-oaep-mgf1p": (NS["xenc"] + "rsa-oaep-mgf1p", NS["ds"] + "sha1", None, hashes.SHA1),
    "rsa-oaep": (NS["xenc11"] + "rsa-oaep", NS["xenc"] + "sha256", NS["xenc11"] + "mgf1sha256", hashes.SHA256),
}
HOK = {"urn:oasis:names:tc:SAML:2.0:cm:holder-of-key", "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key"}
results = []


def check(name, ok, why=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + why))


def p_sha1(secret, seed, n):
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, hashlib.sha1).digest()
        out += hmac.new(secret, a + seed, hashlib.sha1).digest()
    return out[:n]


def b64(el):
    return base64.b64decode("".join((el.text or "").split()))


def holder_key_info(root):
    """The ds:KeyInfo of the holder-of-key SubjectConfirmation (SAML 2.0 or 1.1)."""
    if root.tag == "{%s}Assertion" % NS["saml2"]:
        scs = root.findall("saml2:Subject/saml2:SubjectConfirmation", NS)
        check("saml2: one SubjectConfirmation, Method holder-of-key", len(scs) == 1 and scs[0].get("Method") in HOK, str([s.get("Method") for s in scs]))
        return scs[0].find("saml2:SubjectConfirmationData/ds:KeyInfo", NS)
    scs = root.findall(".//saml1:Subject/saml1:SubjectConfirmation", NS)
    methods = [m.text for sc in scs for m in sc.findall("saml1:ConfirmationMethod", NS)]
    check("saml1: every ConfirmationMethod is holder-of-key", methods and all(m in HOK for m in methods), str(methods))
    return scs[0].find("ds:KeyInfo", NS)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--assertion", required=True)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("symmetric")
    s.add_argument("--key", required=True)
    for a in ("--entropy", "--issuer-entropy", "--secret"):
        s.add_argument(a)
    s.add_argument("--key-size", type=int, default=256)
    s.add_argument("--transport", choices=sorted(TRANSPORTS), default="rsa-oaep-mgf1p")
    k = sub.add_parser("public-key")
    k.add_argument("--public-key", required=True)
    a = p.parse_args()
    root = ET.parse(a.assertion).getroot()
    if root.tag.endswith("EncryptedAssertion"):  # xmlsec1 leaves the wrapper around the assertion
        root = root[0]
    ki = holder_key_info(root)
    check("the confirmation has a ds:KeyInfo", ki is not None)
    if ki is None:
        sys.exit(1)
    try:
        if a.mode == "symmetric":
            ek = ki.find("xenc:EncryptedKey", NS)
            em = ek.find("xenc:EncryptionMethod", NS)
            digest, mgf = em.find("ds:DigestMethod", NS), em.find("xenc11:MGF", NS)
            named = (em.get("Algorithm"), digest.get("Algorithm") if digest is not None else None, mgf.get("Algorithm") if mgf is not None else None)
            want_method, want_digest, want_mgf, oaep_hash = TRANSPORTS[a.transport]
            check(f"EncryptedKey method {a.transport} with its digest and MGF", named == (want_method, want_digest, want_mgf), str(named))
            with open(a.key, "rb") as f:
                priv = serialization.load_pem_private_key(f.read(), password=None)
            key = priv.decrypt(b64(ek.find("xenc:CipherData/xenc:CipherValue", NS)), padding.OAEP(mgf=padding.MGF1(oaep_hash()), algorithm=oaep_hash(), label=None))
            if a.secret:
                want = base64.b64decode(a.secret)
                check("cryptography opens the EncryptedKey: it is the key the STS sent in RequestedProofToken", key == want, f"{len(key)} vs {len(want)} bytes")
            else:
                want = p_sha1(base64.b64decode(a.entropy), base64.b64decode(a.issuer_entropy), a.key_size // 8)
                check("cryptography opens the EncryptedKey: it is P_SHA1(requestor entropy, issuer entropy) computed with hmac", key == want, f"{key.hex()[:16]}… vs {want.hex()[:16]}…")
        else:
            with open(a.public_key, "rb") as f:
                pem = f.read()
            if b"CERTIFICATE" in pem:
                cert = x509.load_pem_x509_certificate(pem)
                stated = b64(ki.find("ds:X509Data/ds:X509Certificate", NS))
                check("the KeyInfo states the certificate sent", stated == cert.public_bytes(serialization.Encoding.DER))
            else:
                pub = serialization.load_pem_public_key(pem)
                if isinstance(pub, rsa.RSAPublicKey):
                    n = int.from_bytes(b64(ki.find("ds:KeyValue/ds:RSAKeyValue/ds:Modulus", NS)), "big")
                    e = int.from_bytes(b64(ki.find("ds:KeyValue/ds:RSAKeyValue/ds:Exponent", NS)), "big")
                    nums = pub.public_numbers()
                    check("the KeyInfo's RSAKeyValue is the RSA key sent", (n, e) == (nums.n, nums.e))
                else:
                    ekv = ki.find("ds:KeyValue/dsig11:ECKeyValue", NS)
                    point = b64(ekv.find("dsig11:PublicKey", NS))
                    sent = pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
                    check("the KeyInfo's ECKeyValue is the EC point sent", point == sent and isinstance(pub, ec.EllipticCurvePublicKey))
    except Exception as ex:  # a failure of the peer is a FAIL line, not a traceback
        check("the holder-of-key key can be read", False, f"{type(ex).__name__}: {ex}")
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
