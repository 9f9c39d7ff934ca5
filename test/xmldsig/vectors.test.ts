import { describe, expect, it } from "vitest";
import type { Element } from "@xmldom/xmldom";
import * as A from "../../src/xmldsig/algorithms.ts";
import { verifyEnvelopingObject } from "../../src/xmldsig/verify-enveloping.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import type { AnchorKey } from "../../src/xmldsig/verify.ts";
import { anchorKeyFromCertPem, anchorKeyFromSpkiPem, certificatesIn, parse, root } from "./helpers.ts";

import p256Crt from "../fixtures/vectors/xmldsig11-interop-2012/keys/p256-key.crt.pem?raw";
import p384Crt from "../fixtures/vectors/xmldsig11-interop-2012/keys/p384-key.crt.pem?raw";
import p521Crt from "../fixtures/vectors/xmldsig11-interop-2012/keys/p521-key.crt.pem?raw";
import rsaCrt from "../fixtures/vectors/xmldsig11-interop-2012/keys/rsa-key.crt.pem?raw";
import i_hmac160 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-hmac-sha1-truncated160.xml?raw";
import i_hmac40 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-hmac-sha1-truncated40.xml?raw";
import i_hmac256 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-hmac-sha256.xml?raw";
import i_p256sha1 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-p256_sha1.xml?raw";
import i_p256 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-p256_sha256.xml?raw";
import i_p256_4050 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-p256_sha256_4050.xml?raw";
import i_p384 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-p384_sha384.xml?raw";
import i_p521 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-p521_sha512.xml?raw";
import i_rsa256sha1 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-rsa-sha256.xml?raw";
import i_rsa512 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-rsa_sha512.xml?raw";
import i_sha256rsa256 from "../fixtures/vectors/xmldsig11-interop-2012/signature-enveloping-sha256-rsa-sha256.xml?raw";
import trunc0 from "../fixtures/vectors/hmac-truncation-attacks/signature-enveloping-hmac-sha1-trunclen-0-attack.xml?raw";
import trunc8 from "../fixtures/vectors/hmac-truncation-attacks/signature-enveloping-hmac-sha1-trunclen-8-attack.xml?raw";
import merlin40 from "../fixtures/vectors/merlin-xmldsig-twenty-three/signature-enveloping-hmac-sha1-40.xml?raw";
import a_ecCert from "../fixtures/vectors/xmlsec-aleksey-xmldsig-01/ec-prime256v1-cert.pem?raw";
import a_p521Pub from "../fixtures/vectors/xmlsec-aleksey-xmldsig-01/ec-prime521v1-pubkey.pem?raw";
import a_ec from "../fixtures/vectors/xmlsec-aleksey-xmldsig-01/enveloping-sha256-ecdsa-sha256.xml?raw";
import a_ecPadded from "../fixtures/vectors/xmlsec-aleksey-xmldsig-01/enveloping-sha256-ecdsa-sha256_padded.xml?raw";
import a_hmac64 from "../fixtures/vectors/xmlsec-aleksey-xmldsig-01/enveloping-sha256-hmac-sha256-64.xml?raw";
import a_ecAsn1 from "../fixtures/vectors/xmlsec-aleksey-xmldsig-01/enveloping-sha512-ecdsa-sha512-with-asn1.xml?raw";
import feidePem from "../fixtures/vectors/xml-crypto-static/feide_public.pem?raw";
import x_inclusiveNsPem from "../fixtures/vectors/xml-crypto-static/signature_with_inclusivenamespaces.pem?raw";
import x_inclusiveNs from "../fixtures/vectors/xml-crypto-static/signature_with_inclusivenamespaces.xml?raw";
import x_idQuotes from "../fixtures/vectors/xml-crypto-static/id_with_quotes.xml?raw";
import x_noSignedInfo from "../fixtures/vectors/xml-crypto-static/invalid_saml_no_signed_info.xml?raw";
import x_multiSI from "../fixtures/vectors/xml-crypto-static/saml_multiple_signed_info_nodes.xml?raw";
import x_wrappedSI from "../fixtures/vectors/xml-crypto-static/saml_wrapped_signed_info_node.xml?raw";
import x_validSaml from "../fixtures/vectors/xml-crypto-static/valid_saml.xml?raw";
import x_wrapping from "../fixtures/vectors/xml-crypto-static/valid_saml_signature_wrapping.xml?raw";
import x_digestComment from "../fixtures/vectors/xml-crypto-static/valid_saml_with_digest_comment.xml?raw";
import x_withComments from "../fixtures/vectors/xml-crypto-static/valid_saml_withcomments.xml?raw";

const SHA1_TOO = {
  allowedSignatureAlgorithms: [...A.DEFAULT_SIGNATURE_ALGORITHMS, A.RSA_SHA1, A.ECDSA_SHA1],
  allowedDigestAlgorithms: [...A.DEFAULT_DIGEST_ALGORITHMS, A.SHA1],
};

async function enveloping(xml: string, keys: AnchorKey[], extra: object = {}) {
  return verifyEnvelopingObject(root(xml), { keys, ...extra });
}

describe("W3C XML-DSig 1.1 interop 2012 (enveloping, pinned certificate)", () => {
  const cases: [string, string, string, boolean][] = [
    ["p256_sha256", i_p256, p256Crt, false],
    ["p256_sha256_4050", i_p256_4050, p256Crt, false],
    ["p384_sha384", i_p384, p384Crt, false],
    ["p521_sha512", i_p521, p521Crt, false],
    ["sha256-rsa-sha256", i_sha256rsa256, rsaCrt, false],
    ["p256_sha1 (SHA-1 allowed explicitly)", i_p256sha1, p256Crt, true],
    ["rsa-sha256 with sha1 digest (allowed explicitly)", i_rsa256sha1, rsaCrt, true],
    ["rsa_sha512 with sha1 digest (allowed explicitly)", i_rsa512, rsaCrt, true],
  ];
  for (const [name, xml, crt, sha1] of cases) {
    it(`verifies ${name}`, async () => {
      const key = await anchorKeyFromCertPem(crt);
      const r = await enveloping(xml, [key], sha1 ? SHA1_TOO : {});
      expect(r).toMatchObject({ ok: true, key });
      if (r.ok) expect(r.signedElement.textContent).toBe("up up and away");
    });
  }
  it("refuses SHA-1 by default", async () => {
    expect(await enveloping(i_p256sha1, [await anchorKeyFromCertPem(p256Crt)])).toEqual({ ok: false, reason: "signature algorithm not allowed" });
    expect(await enveloping(i_rsa256sha1, [await anchorKeyFromCertPem(rsaCrt)])).toEqual({ ok: false, reason: "digest algorithm not allowed" });
  });
  it("refuses a valid signature with a different pinned key", async () => {
    expect(await enveloping(i_p256, [await anchorKeyFromCertPem(p384Crt)])).toEqual({ ok: false, reason: "ECDSA signature value has the wrong length" });
    expect(await enveloping(i_sha256rsa256, [await anchorKeyFromCertPem(p256Crt)])).toEqual({ ok: false, reason: "no trusted key for the signature algorithm" });
  });
  it("refuses one flipped bit in the signed object or the signature", async () => {
    const key = await anchorKeyFromCertPem(p256Crt);
    expect(await enveloping(i_p256.replace("up up and away", "up up and awaz"), [key])).toEqual({ ok: false, reason: "digest mismatch" });
    expect(await enveloping(i_p256.replace("<dsig:SignatureValue>e", "<dsig:SignatureValue>f"), [key])).toEqual({ ok: false, reason: "signature value mismatch" });
  });
  for (const [name, xml] of [["hmac-sha1-truncated40", i_hmac40], ["hmac-sha1-truncated160", i_hmac160], ["hmac-sha256", i_hmac256]] as const) {
    it(`refuses HMAC: ${name}`, async () => {
      const r = await enveloping(xml, [await anchorKeyFromCertPem(rsaCrt)], SHA1_TOO);
      expect(r.ok).toBe(false);
      expect(r).toHaveProperty("reason", xml.includes("HMACOutputLength") ? "HMACOutputLength is not allowed" : "HMAC signatures are not accepted");
    });
  }
});

describe("HMAC truncation attacks (CVE-2009-0217) and merlin hmac-sha1-40", () => {
  for (const [name, xml] of [["trunclen-0", trunc0], ["trunclen-8", trunc8], ["merlin -40", merlin40], ["aleksey hmac-sha256-64", a_hmac64]] as const) {
    it(`refuses ${name}`, async () => {
      expect(await enveloping(xml, [await anchorKeyFromCertPem(rsaCrt)], SHA1_TOO)).toEqual({ ok: false, reason: "HMACOutputLength is not allowed" });
    });
  }
});

describe("xmlsec aleksey-xmldsig-01 ECDSA encodings", () => {
  it("verifies the well-formed P-256 signature with the pinned leaf certificate (chain in KeyInfo)", async () => {
    const r = await enveloping(a_ec, [await anchorKeyFromCertPem(a_ecCert)]);
    expect(r.ok).toBe(true);
  });
  it("refuses the 66-byte padded P-256 value (xmlsec #941)", async () => {
    // Its KeyInfo carries a different P-256 leaf than the one above: pin that one.
    const { parseCertificate } = await import("../../src/keys/x509.ts");
    const { derToPem } = await import("../../src/keys/pem.ts");
    const leaf = certificatesIn(parse(a_ecPadded)).find((c) => parseCertificate(c).namedCurve === "P-256")!;
    expect(await enveloping(a_ecPadded, [await anchorKeyFromCertPem(a_ecCert)])).toEqual({ ok: false, reason: "the certificate in KeyInfo is not trusted" });
    expect(await enveloping(a_ecPadded, [await anchorKeyFromCertPem(derToPem(leaf, "CERTIFICATE"))])).toEqual({ ok: false, reason: "ECDSA signature value has the wrong length" });
  });
  it("refuses a DER-encoded P-521 value", async () => {
    const doc = parse(a_ecAsn1);
    // Bind the P-521 key to the document's leaf certificate (the one whose key it is).
    const { parseCertificate } = await import("../../src/keys/x509.ts");
    const leaf = certificatesIn(doc).find((c) => parseCertificate(c).namedCurve === "P-521")!;
    const key = anchorKeyFromSpkiPem(a_p521Pub, leaf, { name: "ECDSA", namedCurve: "P-521" });
    expect(await verifyEnvelopingObject(doc.documentElement!, { keys: [key] })).toEqual({ ok: false, reason: "ECDSA signature value has the wrong length" });
  });
});

describe("xml-crypto SAML fixtures (enveloped, token API)", () => {
  const ID_AND_SHA1 = SHA1_TOO;
  it("verifies valid_saml.xml (Response signature, exc-c14n, rsa-sha1 allowed explicitly)", async () => {
    const key = await anchorKeyFromCertPem(feidePem);
    const r = await verifyEnveloped(root(x_validSaml), { keys: [key], ...ID_AND_SHA1 });
    expect(r).toMatchObject({ ok: true, key, signatureAlgorithm: A.RSA_SHA1, digestAlgorithm: A.SHA1 });
  });
  it("verifies the signed Assertion inside valid_saml.xml too", async () => {
    const doc = parse(x_validSaml);
    const assertion = doc.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion")[0]!;
    const r = await verifyEnveloped(assertion, { keys: [await anchorKeyFromCertPem(feidePem)], ...ID_AND_SHA1 });
    expect(r.ok).toBe(true);
  });
  it("verifies an InclusiveNamespaces PrefixList signature", async () => {
    const doc = parse(x_inclusiveNs);
    const assertion = doc.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion")[0]!;
    const r = await verifyEnveloped(assertion, { keys: [await anchorKeyFromCertPem(x_inclusiveNsPem)], ...ID_AND_SHA1 });
    expect(r.ok).toBe(true);
  });
  const refused: [string, string, string][] = [
    ["two SignedInfo (CVE-2025-29774)", x_multiSI, "expected exactly one ds:SignedInfo"],
    ["a wrapped second SignedInfo", x_wrappedSI, "expected exactly one ds:SignedInfo"],
    ["a comment in DigestValue (CVE-2025-29775)", x_digestComment, "ds:DigestValue must contain only text"],
    ["exc-c14n#WithComments", x_withComments, "canonicalization algorithm not allowed"],
    ["no SignedInfo", x_noSignedInfo, "expected exactly one ds:SignedInfo"],
  ];
  for (const [name, xml, reason] of refused) {
    it(`refuses ${name}`, async () => {
      // The first element (document order) that carries an enveloped ds:Signature.
      const sig = parse(xml).getElementsByTagNameNS(A.DSIG_NS, "Signature")[0]!;
      const signed = sig.parentNode as Element;
      expect(await verifyEnveloped(signed, { keys: [await anchorKeyFromCertPem(feidePem)], ...ID_AND_SHA1 })).toEqual({ ok: false, reason });
    });
  }
  it("refuses signature wrapping (duplicate IDs), naming the token's ID", async () => {
    const signed = parse(x_wrapping).getElementsByTagNameNS(A.DSIG_NS, "Signature")[0]!.parentNode as Element;
    const id = "pfx66496e6c-3c29-230d-6d47-b245434b872d";
    expect(await verifyEnveloped(signed, { keys: [await anchorKeyFromCertPem(feidePem)], ...ID_AND_SHA1 })).toEqual({
      ok: false,
      reason: `the token's ID '${id}' is on more than one element of the document`,
      duplicateId: { id, ofToken: true },
    });
  });
  it("refuses a Reference URI with a quote (id_with_quotes.xml)", async () => {
    const doc = parse(x_idQuotes);
    const signed = doc.getElementsByTagNameNS(A.DSIG_NS, "Signature")[0]!.parentNode as Element;
    const r = await verifyEnveloped(signed, { keys: [await anchorKeyFromCertPem(feidePem)], ...ID_AND_SHA1 });
    expect(r).toEqual({ ok: false, reason: "the reference does not point to the signed token" });
  });
});
