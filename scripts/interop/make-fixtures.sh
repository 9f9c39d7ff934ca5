#!/usr/bin/env bash
# Signs the fixture templates with a throwaway RSA key using xmlsec1 itself, so the verifiers
# (SantuarioVerify.java, pysaml2_check.py, xmlsec1 calls) can be tested without the worker.
# usage: make-fixtures.sh OUTDIR
# Writes: key.pem cert.pem other-cert.pem saml2.xml saml1.xml metadata.xml, tampered variants
# saml2-tampered.xml saml1-tampered.xml (email changed after signing) and saml2-expired.xml.
set -euo pipefail
out=${1:?usage: make-fixtures.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
subj() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$2" -out "$3" 2>/dev/null; }
subj "interop throwaway signing key" key.pem cert.pem
subj "interop unrelated key" other-key.pem other-cert.pem
certb64=$(grep -v -- '-----' cert.pem | tr -d '\n')
sed "s#CERTB64#${certb64}#" "$here/fixtures/metadata.tmpl.xml" > metadata.tmpl.xml
sign() { # template out id-attr node
  xmlsec1 --sign --privkey-pem key.pem,cert.pem --id-attr:"$3" "$4" --output "$2" "$1" 2>/dev/null
}
# saml2.xml ends a day from now, so that pysaml2's service-provider rules (which read the clock)
# accept it; saml2-expired.xml is the template as it stands, long over.
until=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%S.000Z)
sed "s#NotOnOrAfter=\"2026-01-01T01:00:00.000Z\"#NotOnOrAfter=\"${until}\"#g" "$here/fixtures/saml2-assertion.tmpl.xml" > saml2.tmpl.xml
sign saml2.tmpl.xml saml2.xml ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion
rm -f saml2.tmpl.xml
sign "$here/fixtures/saml2-assertion.tmpl.xml" saml2-expired.xml ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion
sign "$here/fixtures/saml1-assertion.tmpl.xml" saml1.xml AssertionID urn:oasis:names:tc:SAML:1.0:assertion:Assertion
sign metadata.tmpl.xml metadata.xml ID urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor
rm -f metadata.tmpl.xml
sed 's#alice@example.com#mallory@example.com#' saml2.xml > saml2-tampered.xml
sed 's#alice@example.com#mallory@example.com#' saml1.xml > saml1-tampered.xml
