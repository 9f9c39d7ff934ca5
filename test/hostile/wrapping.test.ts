/**
 * XML-signature wrapping and related forgeries (Somorovsky et al., "On Breaking SAML: Be Whoever
 * You Want to Be", USENIX Security 2012 — the eight XSW shapes; Duo 2018 comment injection;
 * CVE-2025-29774/29775 duplicated SignedInfo / DigestValue comments) applied to a genuine
 * assertion the worker just issued for alice. Each is presented to WS-Trust Validate (must be
 * status invalid or a fault, never valid) and as an RFC 8693 subject_token (must be refused).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Element } from "@xmldom/xmldom";
import { fromBase64, toBase64 } from "../../src/keys/pem.ts";
import { EXC_C14N, canonicalizeToBytes } from "../../src/xml/c14n.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { generatedKey } from "../xmldsig/helpers.ts";
import { samlFromTrust } from "../oauth/helpers.ts";
import { TT } from "../helpers/soap.ts";
import { DS, STATUS_INVALID, STATUS_VALID, exchangeSubject, ourRsaKey, resign, validateStatus, validateToJwtSubject } from "./helpers.ts";

let G = ""; // alice's genuine signed assertion
let SIG = ""; // its ds:Signature
let ID = "";

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const unsigned = (x: string) => x.replace(SIG, "");
const asBob = (x: string) => x.replace(">alice</saml:NameID>", ">bob</saml:NameID>");
const withId = (x: string, id: string) => x.replace(`ID="${ID}"`, `ID="${id}"`);
/** Inserts `inner` right after the first saml:Issuer element of `x`. */
const afterIssuer = (x: string, inner: string) => x.replace("</saml:Issuer>", `</saml:Issuer>${inner}`);
/** Inserts `inner` before the closing tag of the outermost assertion `x`. */
const atEnd = (x: string, inner: string) => x.slice(0, x.lastIndexOf("</saml:Assertion>")) + inner + "</saml:Assertion>";
const sigWithObject = (inner: string) => SIG.replace("</ds:Signature>", `<ds:Object>${inner}</ds:Object></ds:Signature>`);

type Shape = [name: string, build: () => string];
const evil = () => asBob(unsigned(G)); // same ID as the genuine one
const evilOther = () => withId(evil(), "_evil");
const response = (inner: string) => `<samlp:Response xmlns:samlp="${PROTOCOL}" ID="_resp" Version="2.0">${inner}</samlp:Response>`;
const withAdvice = (x: string) => x.replace("<saml:Conditions", `<saml:Advice>${G}</saml:Advice><saml:Conditions`);

/** The wrapping shapes, each built from the genuine assertion at run time. */
const SHAPES: Shape[] = [
  // XSW1/2-style: an unsigned evil assertion next to the genuine one.
  ["evil beside genuine (Response wrapper, evil first)", () => response(evil() + G)],
  ["evil (other ID) beside genuine (Response wrapper)", () => response(evilOther() + G)],
  // XSW3/4: evil around genuine — the genuine signature lifted into the evil root.
  ["evil around genuine, same ID, genuine as last child", () => atEnd(afterIssuer(evil(), SIG), G)],
  ["evil around genuine, other ID, signature referencing inner genuine", () => atEnd(afterIssuer(evilOther(), SIG), G)],
  // XSW5/6: genuine moved into ds:Object of the evil assertion's signature.
  ["genuine moved into ds:Object, evil root with same ID", () => afterIssuer(evil(), sigWithObject(G))],
  ["genuine moved into ds:Object, evil root with other ID", () => afterIssuer(evilOther(), sigWithObject(G))],
  // XSW7/8: copies of the genuine assertion inside Advice / Extensions.
  ["genuine copy inside saml:Advice of evil (same ID)", () => withAdvice(afterIssuer(evil(), SIG))],
  ["genuine copy inside saml:Advice of evil (other ID)", () => withAdvice(afterIssuer(evilOther(), SIG))],
  ["genuine inside samlp:Extensions, evil assertion beside", () => response(`<samlp:Extensions>${G}</samlp:Extensions>${evil()}`)],
  // Evil payload smuggled into the unsigned parts of the genuine signature.
  ["evil inside genuine's ds:Object (other ID)", () => G.replace(SIG, sigWithObject(evilOther()))],
  ["evil inside genuine's ds:KeyInfo (other ID)", () => G.replace("</ds:KeyInfo>", `${evilOther()}</ds:KeyInfo>`)],
  // Plain tampering and stripping.
  ["subject changed, signature kept", () => asBob(G)],
  ["signature stripped", () => unsigned(G)],
  ["signature stripped, subject changed", () => evil()],
  // CVE-2025-29774: a second SignedInfo.
  ["duplicated SignedInfo", () => G.replace("</ds:SignedInfo>", "</ds:SignedInfo>" + /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(SIG)![0])],
  ["second ds:Signature", () => afterIssuer(G, SIG)],
  // CVE-2025-29775: a comment inside DigestValue (a first-text-node reader sees a prefix).
  ["comment inside DigestValue", () => G.replace(/(<ds:DigestValue>[^<]{10})/, "$1<!---->")],
  ["comment inside SignatureValue", () => G.replace(/(<ds:SignatureValue>[^<]{10})/, "$1<!---->")],
];

async function expectRefused(name: string, xml: string): Promise<void> {
  const v = await validateStatus(xml);
  // Validate: status invalid or a fault — never valid.
  expect(v.code, name).not.toBe(STATUS_VALID);
  if (v.code === undefined) expect(v.fault, name).toBeDefined();
  else expect(v.code, name).toBe(STATUS_INVALID);
  const x = await exchangeSubject(xml, "saml2");
  expect(x.status, name).toBe(400);
  expect(x.error, name).toMatch(/^invalid_(grant|request)$/);
}

beforeAll(async () => {
  G = await samlFromTrust();
  SIG = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(G)![0];
  ID = /ID="([^"]+)"/.exec(G)![1]!;
});

describe("the genuine token (control)", () => {
  it("is valid for alice via Validate and exchange — so every refusal below is the attack's doing", async () => {
    expect((await validateStatus(G)).code).toBe(STATUS_VALID);
    expect(await validateToJwtSubject(G)).toBe("alice");
    expect((await exchangeSubject(G, "saml2")).sub).toBe("alice");
  });
});

describe("signature wrapping shapes", () => {
  // The genuine assertion is remembered as verified (src/engine/verify-own.ts) before any shape
  // is tried, so each shape also meets the remembered-verification path, not only the full one.
  beforeAll(async () => {
    expect((await validateStatus(G)).code).toBe(STATUS_VALID);
  });

  it("every generator changes the genuine token", () => {
    expect(SHAPES).toHaveLength(18);
    for (const [name, build] of SHAPES) expect(build(), name).not.toBe(G);
  });
  for (const [name, build] of SHAPES) {
    it(`refuses: ${name}`, async () => {
      await expectRefused(name, build());
    });
  }
});

describe("keys and algorithms", () => {
  it("refuses an evil assertion re-signed with a stranger's key and certificate", async () => {
    const stranger = await generatedKey("RSA-2048");
    await expectRefused("stranger", await resign(asBob(G), stranger));
  });

  it("refuses the stranger's signature with our certificate swapped into KeyInfo", async () => {
    const stranger = await generatedKey("RSA-2048");
    const ourCert = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(G)![1]!;
    const forged = (await resign(asBob(G), stranger)).replace(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/, `<ds:X509Certificate>${ourCert}</ds:X509Certificate>`);
    expect(forged).toContain(ourCert);
    await expectRefused("stranger+our KeyInfo", forged);
  });

  it("refuses the genuine token with a stranger's certificate in KeyInfo (KeyInfo never supplies keys)", async () => {
    const stranger = await generatedKey("RSA-2048");
    const theirs = toBase64(stranger.certificateDer!);
    await expectRefused("KeyInfo swapped", G.replace(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/, `<ds:X509Certificate>${theirs}</ds:X509Certificate>`));
  });

  for (const keyForm of ["certificate DER", "certificate base64 text"] as const) {
    it(`refuses HMAC-SHA256 keyed with our ${keyForm}`, async () => {
      const certB64 = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(G)![1]!;
      const secret = keyForm === "certificate DER" ? fromBase64(certB64) : new TextEncoder().encode(certB64);
      const forged = await hmacResign(asBob(G), secret);
      await expectRefused(`hmac ${keyForm}`, forged);
    });
  }
});

describe("comment injection in NameID (Duo 2018)", () => {
  it("alice<!---->.evil never yields alice: invalid, or exactly the signed subject", async () => {
    // A genuine assertion for "alice.evil", signed with our key (as if we had issued it).
    const signed = await resign(G.replace(">alice</saml:NameID>", ">alice.evil</saml:NameID>"), await ourRsaKey());
    expect((await validateStatus(signed)).code).toBe(STATUS_VALID); // control: signature good
    expect((await exchangeSubject(signed, "saml2")).sub).toBe("alice.evil");
    const injected = signed.replace(">alice.evil</saml:NameID>", ">alice<!---->.evil</saml:NameID>");
    expect(injected).not.toBe(signed);
    // alice may transform her own tokens: a NameID read as "alice" would yield her a token here.
    expect(await validateToJwtSubject(injected)).toBeUndefined();
    const x = await exchangeSubject(injected, "saml2");
    if (x.status === 200) expect(x.sub).toBe("alice.evil");
    else expect(x.error).toBe("invalid_grant");
  });
});

/** Replaces the signature with HMAC-SHA256 over SignedInfo keyed with `secret` (CVE-2009-0217 family). */
async function hmacResign(xml: string, secret: Uint8Array): Promise<string> {
  const root = parseXml(xml).documentElement as Element;
  const sm = root.getElementsByTagNameNS(DS, "SignatureMethod").item(0)!;
  sm.setAttribute("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256");
  // Recompute the digest for the (changed) subject, then HMAC the SignedInfo.
  const sig = root.getElementsByTagNameNS(DS, "Signature").item(0)!;
  const octets = canonicalizeToBytes(root, { algorithm: EXC_C14N, exclude: (n) => n === sig });
  const dv = new Uint8Array(await crypto.subtle.digest("SHA-256", octets));
  root.getElementsByTagNameNS(DS, "DigestValue").item(0)!.textContent = toBase64(dv);
  const si = root.getElementsByTagNameNS(DS, "SignedInfo").item(0)!;
  const key = await crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, canonicalizeToBytes(si, { algorithm: EXC_C14N })));
  root.getElementsByTagNameNS(DS, "SignatureValue").item(0)!.textContent = toBase64(mac);
  return root.toString();
}

describe("SAML 1.1: the same checks on an AssertionID-signed token", () => {
  let g1 = "";
  let sig1 = "";
  const bob1 = (x: string) => x.split(">alice</saml:NameIdentifier>").join(">bob</saml:NameIdentifier>");
  async function refused1(name: string, xml: string): Promise<void> {
    const v = await validateStatus(xml);
    expect(v.code, name).not.toBe(STATUS_VALID);
    if (v.code === undefined) expect(v.fault, name).toBeDefined();
    const x = await exchangeSubject(xml, "saml1");
    expect(x.status, name).toBe(400);
  }
  beforeAll(async () => {
    g1 = await samlFromTrust("alice", "wonderland", TT.saml1);
    sig1 = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(g1)![0];
  });
  it("control: genuine SAML 1.1 is valid for alice", async () => {
    expect((await validateStatus(g1)).code).toBe(STATUS_VALID);
    expect((await exchangeSubject(g1, "saml1")).sub).toBe("alice");
  });
  it("refuses subject tampering, stripping, evil-in-Object, evil-around-genuine and a second statement", async () => {
    const id = /AssertionID="([^"]+)"/.exec(g1)![1]!;
    const evil = bob1(g1.replace(sig1, ""));
    await refused1("subject changed", bob1(g1));
    await refused1("stripped", g1.replace(sig1, ""));
    await refused1("evil in ds:Object", g1.replace("</ds:Signature>", `<ds:Object>${evil.replace(id, "_e1")}</ds:Object></ds:Signature>`));
    await refused1("evil around genuine", evil.replace("</saml:Assertion>", "") + sig1 + g1 + "</saml:Assertion>");
    // A second statement naming bob: the reader requires every Subject to agree.
    const stmt = /<saml:AttributeStatement>[\s\S]*?<\/saml:AttributeStatement>/.exec(g1)![0];
    await refused1("second subject", g1.replace(stmt, stmt + bob1(stmt)));
  });
});
