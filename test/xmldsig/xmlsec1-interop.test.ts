import { describe, expect, it } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import * as A from "../../src/xmldsig/algorithms.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { root } from "./helpers.ts";
// Produced by xmlsec1 1.2.37: `xmlsec1 --sign --privkey-pem dev-key.pem,dev-cert.pem
// --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion template.xml` with the
// development keys (RSA current, EC P-256 current). Pretty-printed, base64 wrapped at 64.
import rsaSigned from "../fixtures/xmldsig/xmlsec1-signed-rsa-sha256.xml?raw";
import ecSigned from "../fixtures/xmldsig/xmlsec1-signed-ecdsa-sha384.xml?raw";

describe("signatures made by xmlsec1 verify here", () => {
  it("rsa-sha256 / sha256, exc-c14n, indented", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const r = await verifyEnveloped(root(rsaSigned), { keys: ring.all() });
    expect(r).toMatchObject({ ok: true, key: ring.current("RSA"), signatureAlgorithm: A.RSA_SHA256, digestAlgorithm: A.SHA256 });
    expect(await verifyEnveloped(root(rsaSigned.replace("<saml:NameID>bob", "<saml:NameID>bib")), { keys: ring.all() })).toEqual({ ok: false, reason: "digest mismatch" });
  });
  it("ecdsa-sha384 / sha384 on P-256", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const r = await verifyEnveloped(root(ecSigned), { keys: ring.all() });
    expect(r).toMatchObject({ ok: true, key: ring.current("EC"), signatureAlgorithm: A.ECDSA_SHA384, digestAlgorithm: A.SHA384 });
    // Whitespace-only edits outside the signed element's text still break the digest:
    expect(await verifyEnveloped(root(ecSigned.replace("  <saml:Subject>", " <saml:Subject>")), { keys: ring.all() })).toEqual({ ok: false, reason: "digest mismatch" });
  });
});
