#!/usr/bin/python3
"""Extracts the entityID, every signing certificate and every encryption certificate from SAML /
WS-Federation metadata.

usage: metadata_certs.py METADATA.xml OUTDIR
Writes OUTDIR/cert-0.pem, cert-1.pem, ... (KeyDescriptor use="signing" or without @use, in any
role descriptor, deduplicated, document order) and OUTDIR/encryption-0.pem, ... (use="encryption")
and prints a JSON object {"entityID": ..., "certs": [paths], "encryptionCerts": [paths]}. Uses the
Python standard library only, so the certificate the verifiers pin comes from a parser
independent of the worker's and of the harness's own.
"""
import json
import os
import sys
import textwrap
import xml.etree.ElementTree as ET

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def main():
    path, outdir = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = f.read()
    if b"<!DOCTYPE" in data:
        sys.exit("metadata carries a DOCTYPE")
    root = ET.fromstring(data)
    if root.tag != MD + "EntityDescriptor":
        sys.exit("root is %s, expected md:EntityDescriptor" % root.tag)
    os.makedirs(outdir, exist_ok=True)
    print(json.dumps({
        "entityID": root.get("entityID"),
        "certs": write_certs(root, "signing", outdir, "cert"),
        "encryptionCerts": write_certs(root, "encryption", outdir, "encryption"),
    }))


def write_certs(root, use, outdir, stem):
    """The certificates of every KeyDescriptor for `use` (no @use means both), as PEM files."""
    seen, paths = [], []
    for kd in root.iter(MD + "KeyDescriptor"):
        if kd.get("use", use) != use:
            continue
        for c in kd.iter(DS + "X509Certificate"):
            b64 = "".join((c.text or "").split())
            if b64 and b64 not in seen:
                seen.append(b64)
    for i, b64 in enumerate(seen):
        p = os.path.join(outdir, "%s-%d.pem" % (stem, i))
        with open(p, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(b64, 64)) + "\n-----END CERTIFICATE-----\n")
        paths.append(p)
    return paths


if __name__ == "__main__":
    main()
