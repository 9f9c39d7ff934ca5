import type { Document, Element } from "@xmldom/xmldom";
import { XMLSerializer } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import type { SigningKey } from "../../src/keys/keyring.ts";
import * as A from "../../src/xmldsig/algorithms.ts";
import { signEnveloped, XmlDsigSignError } from "../../src/xmldsig/sign.ts";
import { verifyEnveloped, WSU_NS } from "../../src/xmldsig/verify.ts";
import { generatedKey, parse } from "./helpers.ts";
// Signed by signEnveloped with the dev RSA key and checked with
// `xmlsec1 --verify --pubkey-cert-pem cert.pem --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion`.
// RSASSA-PKCS1-v1_5 is deterministic, so re-signing must give exactly these bytes.
import signedFixture from "../fixtures/xmldsig/saml2-assertion-rsa-sha256.signed.xml?raw";

const SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
const UNSIGNED = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://sts.example/</saml:Issuer><saml:Subject><saml:NameID>alice &amp; "bob" &lt;x&gt;</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">alice@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>`;

const ring = KeyRing.load(DEV_KEY_MATERIALS);
const ser = (n: Document | Element): string => new XMLSerializer().serializeToString(n);
const assertionOf = (doc: Document): Element => doc.getElementsByTagNameNS(SAML, "Assertion")[0]!;
const issuerOf = (a: Element): Element => a.getElementsByTagNameNS(SAML, "Issuer")[0]!;

async function signedDoc(key: SigningKey, extra: Partial<Parameters<typeof signEnveloped>[1]> = {}): Promise<string> {
  const doc = parse(UNSIGNED);
  const a = assertionOf(doc);
  await signEnveloped(a, { key, referenceId: "_a1", insertAfter: issuerOf(a), ...extra });
  return ser(doc);
}

async function verifyXml(xml: string, keys: readonly SigningKey[], anchorExtra: object = {}) {
  return verifyEnveloped(assertionOf(parse(xml)), { keys, ...anchorExtra });
}

describe("signEnveloped", () => {
  it("reproduces the xmlsec1-verified known answer byte for byte", async () => {
    const key = (await ring).current("RSA");
    expect(await signedDoc(key, { signatureAlgorithm: A.RSA_SHA256, digestAlgorithm: A.SHA256, inclusivePrefixes: ["xs"] })).toBe(signedFixture);
  });
  it("places ds:Signature after Issuer (SAML 2.0) or last (SAML 1.1), with its own xmlns:ds", async () => {
    const key = (await ring).current("RSA");
    const doc = parse(UNSIGNED);
    const a = assertionOf(doc);
    const sig = await signEnveloped(a, { key, referenceId: "_a1", insertAfter: issuerOf(a), includeKeyInfo: false });
    expect(sig.previousSibling).toBe(issuerOf(a));
    expect(sig.getAttribute("xmlns:ds")).toBe(A.DSIG_NS);
    expect(sig.getElementsByTagNameNS(A.DSIG_NS, "KeyInfo").length).toBe(0);
    const doc2 = parse(UNSIGNED);
    const a2 = assertionOf(doc2);
    const sig2 = await signEnveloped(a2, { key, referenceId: "_a1" });
    expect(a2.lastChild).toBe(sig2);
    expect(sig2.getElementsByTagNameNS(A.DSIG_NS, "X509Certificate")[0]!.textContent).toBe(key.certificateBase64);
  });
  it("refuses SHA-1, a key/algorithm mismatch, an unknown ID and a foreign insertAfter, leaving the element intact", async () => {
    const r = await ring;
    const doc = parse(UNSIGNED);
    const a = assertionOf(doc);
    const before = ser(doc);
    await expect(signEnveloped(a, { key: r.current("RSA"), referenceId: "_a1", signatureAlgorithm: A.RSA_SHA1 })).rejects.toThrow(XmlDsigSignError);
    await expect(signEnveloped(a, { key: r.current("RSA"), referenceId: "_a1", digestAlgorithm: A.SHA1 })).rejects.toThrow(XmlDsigSignError);
    await expect(signEnveloped(a, { key: r.current("EC"), referenceId: "_a1", signatureAlgorithm: A.RSA_SHA256 })).rejects.toThrow(/needs an RSA key/);
    await expect(signEnveloped(a, { key: r.current("RSA"), referenceId: "_nope" })).rejects.toThrow(/no attribute with ID value _nope/);
    await expect(signEnveloped(a, { key: r.current("RSA"), referenceId: "_a1", insertAfter: doc.documentElement })).rejects.toThrow(/insertAfter/);
    expect(ser(doc)).toBe(before);
  });
});

describe("sign → verify round trips", () => {
  const sigs = { RSA: [A.RSA_SHA256, A.RSA_SHA384, A.RSA_SHA512], EC: [A.ECDSA_SHA256, A.ECDSA_SHA384, A.ECDSA_SHA512] };
  const keys: [string, () => Promise<SigningKey>][] = [
    ["RSA-2048", async () => (await ring).current("RSA")],
    ["P-256", async () => (await ring).current("EC")],
    ["P-384", () => generatedKey("P-384")],
    ["P-521", () => generatedKey("P-521")],
  ];
  for (const [name, get] of keys) {
    it(`${name}: every signature × digest algorithm verifies, and fails when tampered`, async () => {
      const key = await get();
      for (const s of sigs[key.kty]) {
        for (const d of [A.SHA256, A.SHA384, A.SHA512]) {
          const xml = await signedDoc(key, { signatureAlgorithm: s, digestAlgorithm: d });
          const r = await verifyXml(xml, [key]);
          expect(r, `${s} ${d}`).toMatchObject({ ok: true, key, signatureAlgorithm: s, digestAlgorithm: d });
          if (r.ok) expect(r.signedElement.getAttribute("ID")).toBe("_a1");
          expect(await verifyXml(xml.replace("alice@example.com", "alice@example.org"), [key])).toEqual({ ok: false, reason: "digest mismatch" });
        }
      }
      // ECDSA values are exactly 2 × field size (XML-DSig 1.1 §6.4.3).
      if (key.kty === "EC") {
        const doc = parse(await signedDoc(key));
        const sv = doc.getElementsByTagNameNS(A.DSIG_NS, "SignatureValue")[0]!;
        const { fromBase64 } = await import("../../src/keys/pem.ts");
        expect(fromBase64(sv.textContent!).length).toBe({ "P-256": 64, "P-384": 96, "P-521": 132 }[key.namedCurve!]);
      }
    });
  }
  it("SAML 1.1 AssertionID and wsu:Id elements verify with the default ID attribute list", async () => {
    const key = (await ring).current("RSA");
    const doc1 = parse(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_s11" MajorVersion="1" MinorVersion="1"><saml:Conditions/></saml:Assertion>`);
    await signEnveloped(doc1.documentElement!, { key, referenceId: "_s11" });
    expect((await verifyEnveloped(doc1.documentElement!, { keys: [key] })).ok).toBe(true);
    const doc2 = parse(`<t:Token xmlns:t="urn:t" xmlns:wsu="${WSU_NS}" wsu:Id="tok-1"><t:V>1</t:V></t:Token>`);
    await signEnveloped(doc2.documentElement!, { key, referenceId: "tok-1" });
    expect((await verifyEnveloped(doc2.documentElement!, { keys: [key] })).ok).toBe(true);
    // A caller that names only ID refuses the wsu:Id token.
    expect(await verifyEnveloped(doc2.documentElement!, { keys: [key] }, { idAttributes: ["ID"] })).toEqual({ ok: false, reason: "the token has no ID" });
  });
  it("verifies without KeyInfo by trying the pinned keys, and picks the right one", async () => {
    const r = await ring;
    const next = r.published().find((k) => k.status === "next")!;
    const xml = await signedDoc(next, { includeKeyInfo: false });
    const v = await verifyXml(xml, r.all());
    expect(v.ok && v.key.kid).toBe(next.kid);
  });
});

describe("verifyEnveloped refuses", () => {
  const dev = async () => (await ring).current("RSA");
  const refuse = async (xml: string, reason: string, keys?: readonly SigningKey[], anchorExtra: object = {}) =>
    expect(await verifyXml(xml, keys ?? [await dev()], anchorExtra)).toEqual({ ok: false, reason });

  it("a stranger's key with its own certificate in KeyInfo, and without it", async () => {
    const stranger = await generatedKey("RSA-2048");
    await refuse(await signedDoc(stranger), "the certificate in KeyInfo is not trusted");
    await refuse(await signedDoc(stranger, { includeKeyInfo: false }), "signature value mismatch");
  });
  it("a tampered SignatureValue", async () => {
    const xml = await signedDoc(await dev());
    const doc = parse(xml);
    const sv = doc.getElementsByTagNameNS(A.DSIG_NS, "SignatureValue")[0]!;
    const t = sv.textContent!;
    sv.textContent = (t[0] === "A" ? "B" : "A") + t.slice(1);
    await refuse(ser(doc), "signature value mismatch");
  });
  it("two Signatures, and none", async () => {
    const key = await dev();
    const doc = parse(await signedDoc(key));
    await signEnveloped(assertionOf(doc), { key, referenceId: "_a1" });
    await refuse(ser(doc), "more than one signature");
    await refuse(UNSIGNED, "the token is not signed");
  });
  it("a second SignedInfo inside the Signature", async () => {
    const doc = parse(await signedDoc(await dev()));
    const sig = doc.getElementsByTagNameNS(A.DSIG_NS, "Signature")[0]!;
    const obj = doc.createElementNS(A.DSIG_NS, "ds:Object");
    obj.appendChild(sig.getElementsByTagNameNS(A.DSIG_NS, "SignedInfo")[0]!.cloneNode(true));
    sig.appendChild(obj);
    await refuse(ser(doc), "expected exactly one ds:SignedInfo");
  });
  it("a comment or an element inside DigestValue / SignatureValue", async () => {
    const xml = await signedDoc(await dev());
    await refuse(xml.replace(/<ds:DigestValue>(.{8})/, "<ds:DigestValue>$1<!---->"), "ds:DigestValue must contain only text");
    await refuse(xml.replace("<ds:SignatureValue>", "<ds:SignatureValue><x/>"), "ds:SignatureValue must contain only text");
  });
  it("a token that declares a relative namespace URI (C14N 1.0 §2.1), in the assertion or in its SignedInfo", async () => {
    const xml = await signedDoc(await dev());
    const reason = "a namespace declaration with a relative URI cannot be canonicalized";
    await refuse(xml.replace('xmlns:xs="http://www.w3.org/2001/XMLSchema"', 'xmlns:xs="XMLSchema"'), reason);
    await refuse(xml.replace("<ds:SignedInfo>", '<ds:SignedInfo xmlns:r="r">'), reason);
    // On the Response around it, outside what the signature covers, it is no concern of ours.
    await expect(verifyXml(xml.replace('ID="_r1"', 'xmlns:r="r" ID="_r1"'), [await dev()])).resolves.toMatchObject({ ok: true });
  });
  it("a Reference to another element, or a token whose ID changed", async () => {
    const doc = parse(await signedDoc(await dev()));
    const sig = doc.getElementsByTagNameNS(A.DSIG_NS, "Signature")[0]!;
    doc.documentElement!.insertBefore(sig, doc.documentElement!.firstChild); // move it onto the Response
    expect(await verifyEnveloped(doc.documentElement!, { keys: [await dev()] })).toEqual({ ok: false, reason: "the reference does not point to the signed token" });
    await refuse((await signedDoc(await dev())).replace('ID="_a1"', 'ID="_a2"'), "the reference does not point to the signed token");
  });
  it("duplicated ID values anywhere in the document (wrapping), naming the value, the token's own first", async () => {
    const xml = await signedDoc(await dev());
    const own = { ok: false, reason: "the token's ID '_a1' is on more than one element of the document", duplicateId: { id: "_a1", ofToken: true } };
    const WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    for (const wrapped of [
      xml.replace('<saml:Assertion', '<x:Wrap xmlns:x="urn:x" ID="_a1"/><saml:Assertion'),
      xml.replace('ID="_r1"', 'ID="_a1"'),
      xml.replace('<saml:Issuer>', '<saml:Issuer Id="_a1">'),
      xml.replace("<saml:Issuer>", `<saml:Issuer xmlns:wsu="${WSU}" wsu:Id="_a1">`),
      // Another value repeated first in document order: the token's own is still the one named.
      xml.replace('<saml:Assertion', '<x:A xmlns:x="urn:x" ID="_q"/><x:B xmlns:x="urn:x" ID="_q"/><x:Wrap xmlns:x="urn:x" ID="_a1"/><saml:Assertion'),
    ]) {
      expect(await verifyXml(wrapped, [await dev()])).toEqual(own);
    }
    expect(await verifyXml(xml.replace('<saml:Assertion', '<x:A xmlns:x="urn:x" ID="_q"/><x:B xmlns:x="urn:x" ID="_q"/><saml:Assertion'), [await dev()])).toEqual({
      ok: false,
      reason: "the ID '_q' is on more than one element of the document",
      duplicateId: { id: "_q", ofToken: false },
    });
    await refuse(xml.replace('ID="_a1"', 'ID="_a1" Id="_z"'), "the token has more than one ID attribute");
  });
  it("attributes that are not ID attributes may repeat the token's ID value", async () => {
    const key = await dev();
    const xml = await signedDoc(key);
    // A prefixed x:ID, an attribute of another name, or wsu-less "Id" in a foreign namespace are
    // not among the ID attributes, so they are content, not a second ID (and outside the digest
    // here, so the signature stays valid).
    const outside = xml.replace('<saml:Assertion', '<x:Wrap xmlns:x="urn:x" x:ID="_a1" IDREF="_a1" xmlns:y="urn:y" y:Id="_a1"/><saml:Assertion');
    const doc = parse(outside);
    const token = doc.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion")[0]!;
    expect((await verifyEnveloped(token, { keys: [key] })).ok).toBe(true);
  });
  it("algorithms outside the anchor's allow-list, SHA-1 by default, and extra transforms", async () => {
    const key = await dev();
    await refuse(await signedDoc(key, { signatureAlgorithm: A.RSA_SHA512 }), "signature algorithm not allowed", [key], { allowedSignatureAlgorithms: [A.RSA_SHA256] });
    await refuse(await signedDoc(key, { digestAlgorithm: A.SHA384 }), "digest algorithm not allowed", [key], { allowedDigestAlgorithms: [A.SHA256] });
    const xml = await signedDoc(key);
    await refuse(xml.replace(`${A.RSA_SHA256}"`, `${A.RSA_SHA1}"`), "signature algorithm not allowed");
    await refuse(
      xml.replace("<ds:Transforms>", '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>'),
      "transform not allowed",
    );
    await refuse(xml.replace(/<ds:Transform Algorithm="[^"]*enveloped-signature"\/>/, ""), "enveloped-signature transform missing");
  });
  it("an ECDSA value that is not exactly r||s (zero-padded to 66 bytes)", async () => {
    const key = (await ring).current("EC");
    const { fromBase64, toBase64 } = await import("../../src/keys/pem.ts");
    const doc = parse(await signedDoc(key));
    const sv = doc.getElementsByTagNameNS(A.DSIG_NS, "SignatureValue")[0]!;
    const raw = fromBase64(sv.textContent!);
    const padded = new Uint8Array(66);
    padded.set(raw.subarray(0, 32), 1);
    padded.set(raw.subarray(32), 34);
    sv.textContent = toBase64(padded);
    await refuse(ser(doc), "ECDSA signature value has the wrong length", [key]);
  });
  it("an RSA signature when only EC keys are pinned", async () => {
    await refuse(await signedDoc(await dev(), { includeKeyInfo: false }), "no trusted key for the signature algorithm", [(await ring).current("EC")]);
  });
});
