/**
 * WS-Security X.509 message signatures: what verifies, and every way of moving, dropping or
 * re-pointing a signed part that must not.
 */
import type { Element } from "@xmldom/xmldom";
import { generatedPair } from "../helpers/keys.ts";
import { describe, expect, it } from "vitest";
import { certificateThumbprint } from "../../src/keys/cert-path.ts";
import { pemToDer } from "../../src/keys/pem.ts";
import { parseCertificate } from "../../src/keys/x509.ts";
import { verifyConfirmedKeySignature, verifyMessageSignature, type MessageSignaturePolicy } from "../../src/soap/message-signature.ts";
import { parseXml } from "../../src/xml/parse.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import CA_CERT from "../fixtures/dev-credentials/dev-ca.cert.pem?raw";
import { NS } from "../helpers/soap.ts";
import { DS, signedEnvelope, type SignedEnvelopeOptions } from "../helpers/wss-sign.ts";
// Signed by Apache WSS4J 1.6 (scripts/interop/WssCertificateClient.java) with alice-client.key.pem.
import WSS4J_11_13 from "../fixtures/wss4j/request-soap11-trust13.xml?raw";
import WSS4J_12_2005 from "../fixtures/wss4j/request-soap12-trust2005.xml?raw";

const TO = "https://sts.example.com/trust/13/certificatemixed";
const ACTION = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
const RST = `<t:RequestSecurityToken xmlns:t="${NS.t13}"><t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</t:RequestType></t:RequestSecurityToken>`;
const policy: MessageSignaturePolicy = {
  trust: { authorities: [parseCertificate(pemToDer(CA_CERT, "CERTIFICATE"))], pinnedSha256: new Set() },
  allowSha1: false,
};
const NOW = new Date();

function sign(o: Partial<SignedEnvelopeOptions> = {}): Promise<string> {
  return signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, payload: RST, action: ACTION, to: TO, ...o });
}

function partsOf(text: string): { header: Element; body: Element; security: Element } {
  const env = parseXml(text).documentElement!;
  const kids = Array.from({ length: env.childNodes.length }, (_, i) => env.childNodes.item(i)).filter((n) => n?.nodeType === 1) as Element[];
  const header = kids.find((k) => k.localName === "Header")!;
  const body = kids.find((k) => k.localName === "Body")!;
  const security = header.getElementsByTagNameNS(NS.wsse, "Security").item(0)!;
  return { header, body, security };
}

async function verify(text: string, p: MessageSignaturePolicy = policy, now = NOW) {
  return verifyMessageSignature(partsOf(text), p, now);
}

async function refusal(text: string, p: MessageSignaturePolicy = policy, now = NOW): Promise<{ code: string; message: string }> {
  try {
    await verify(text, p, now);
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error("verified, but should have been refused");
}

describe("verifyMessageSignature", () => {
  it("trusts a certificate seen before only under the trust and time of each request", async () => {
    const first = await sign();
    expect((await verify(first)).trustedBy).toBe("authority");
    // The same certificate again (parsed once, kept): another policy, another clock decide anew.
    const untrusted: MessageSignaturePolicy = { ...policy, trust: { authorities: [], pinnedSha256: new Set() } };
    expect((await refusal(await sign(), untrusted)).code).toBe("authentication_failed");
    const cert = parseCertificate(pemToDer(ALICE_CERT, "CERTIFICATE"));
    const later = new Date(cert.notAfter.getTime() + 1000);
    expect((await refusal(await sign({ created: later }), policy, later)).message).toMatch(/expired|valid/i);
  });

  it("verifies a message signed with alice-client and names the certificate", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      const r = await verify(await sign({ soap }));
      expect(r.thumbprint).toBe("ee8adb230984e7d505714a610dba667f7013d1956a880473456d099338cb5374");
      expect(r.certificate.subjectCommonName).toBe("alice");
      expect(new TextDecoder().decode(r.signedInfo)).toMatch(/^<ds:SignedInfo xmlns:ds="http:\/\/www.w3.org\/2000\/09\/xmldsig#">/);
    }
  });

  it("verifies an RSA-PSS (sha256-rsa-MGF1) message signature, and refuses it tampered", async () => {
    const text = await sign({ pss: true });
    expect((await verify(text)).signatureAlgorithm).toBe("http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1");
    expect(await refusal(text.replace("/Issue</t:RequestType>", "/Renew</t:RequestType>"))).toMatchObject({ code: "authentication_failed" });
  });

  it("refuses a Body changed after signing", async () => {
    const text = (await sign()).replace("/Issue</t:RequestType>", "/Cancel</t:RequestType>");
    expect(await refusal(text)).toMatchObject({ code: "authentication_failed", message: expect.stringMatching(/digest mismatch/) });
  });

  it("refuses a wrapped Body: the signed Body moved into a header, a new one in its place", async () => {
    const text = await sign();
    const signedBody = /<s:Body[\s\S]*<\/s:Body>/.exec(text)![0];
    const wrapped = text
      .replace(signedBody, `<s:Body u:Id="_evil">${RST.replace("Issue<", "Cancel<")}</s:Body>`)
      .replace("</s:Header>", `<w:Wrapper xmlns:w="urn:evil">${signedBody}</w:Wrapper></s:Header>`);
    expect(await refusal(wrapped)).toMatchObject({ code: "authentication_failed", message: expect.stringMatching(/may not cover|not cover the soap:Body/) });
    const sameId = wrapped.replace('u:Id="_evil"', 'u:Id="_body"');
    expect(await refusal(sameId)).toMatchObject({ message: expect.stringMatching(/more than once/) });
  });

  it("refuses an identifying value that occurs twice anywhere: the Envelope itself, unqualified Id / ID / AssertionID", async () => {
    const text = await sign();
    expect(await verify(text)).toBeDefined();
    const envelopeTag = /<s:Envelope\b/.exec(text)![0];
    for (const attr of ['u:Id="_body"', 'Id="_body"', 'ID="_ts"', 'AssertionID="_body"']) {
      expect(await refusal(text.replace(envelopeTag, `${envelopeTag} ${attr}`)), attr).toMatchObject({ message: expect.stringMatching(/more than once/) });
    }
    // A namespaced attribute that merely has such a local name identifies nothing.
    expect(await verify(text.replace(envelopeTag, `${envelopeTag} xmlns:o="urn:other" o:ID="_body"`))).toBeDefined();
  });

  it("refuses a signature that leaves out the Timestamp, wsa:To or wsa:Action", async () => {
    for (const [sign_, what] of [[["_body", "_to", "_action"], /Timestamp/], [["_body", "_ts", "_action"], /wsa:To/], [["_body", "_ts", "_to"], /wsa:Action/], [["_ts", "_to", "_action"], /soap:Body/]] as const) {
      expect(await refusal(await sign({ sign: [...sign_] }))).toMatchObject({ message: expect.stringMatching(what) });
    }
  });

  it("refuses references to anything but the allowed parts, and the same part twice", async () => {
    const inner = RST.replace("<t:RequestType>", '<t:RequestType u:Id="_inner">');
    expect(await refusal(await sign({ payload: inner, sign: ["_body", "_ts", "_to", "_action", "_inner"] }))).toMatchObject({
      message: expect.stringMatching(/may not cover/),
    });
    expect(await refusal(await sign({ sign: ["_body", "_ts", "_to", "_action", "_body"] }))).toMatchObject({ message: expect.stringMatching(/twice/) });
  });

  it("refuses a certificate no configured authority issued, though the signature itself is sound", async () => {
    const { certPem, keyPem } = await generatedPair(2048, "alice");
    const der = pemToDer(certPem, "CERTIFICATE");
    const text = await sign({ keyPem, certPem: certPem });
    expect(await refusal(text)).toMatchObject({ code: "authentication_failed", message: expect.stringMatching(/not trusted/) });
    // Pinned, the same certificate is trusted.
    const pin = await certificateThumbprint(parseCertificate(der));
    const r = await verify(text, { ...policy, trust: { authorities: [], pinnedSha256: new Set([pin]) } });
    expect(r.thumbprint).toBe(pin);
  });

  it("refuses a certificate outside its validity window", async () => {
    const alice = parseCertificate(pemToDer(ALICE_CERT, "CERTIFICATE"));
    const later = new Date(alice.notAfter.getTime() + 1000);
    expect(await refusal(await sign(), policy, later)).toMatchObject({ message: expect.stringMatching(/expired/) });
  });

  it("accepts rsa-sha1 only where the legacy switch is on", async () => {
    const text = await sign({ sha1: true });
    expect(await refusal(text)).toMatchObject({ message: expect.stringMatching(/not allowed/) });
    expect((await verify(text, { ...policy, allowSha1: true })).certificate.subjectCommonName).toBe("alice");
  });

  it("takes the key only from a BinarySecurityToken of this Security header", async () => {
    const b64 = ALICE_CERT.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    const x509Data = `<ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data>`;
    expect(await refusal(await sign({ keyInfo: x509Data }))).toMatchObject({ message: expect.stringMatching(/SecurityTokenReference/) });
    const elsewhere = (await sign()).replace('u:Id="_x509"', 'u:Id="_moved"').replace("</s:Header>", `<wsse:BinarySecurityToken xmlns:wsse="${NS.wsse}" u:Id="_x509" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3">${b64}</wsse:BinarySecurityToken></s:Header>`);
    expect(await refusal(elsewhere)).toMatchObject({ message: expect.stringMatching(/BinarySecurityToken in this Security header/) });
  });

  it("refuses a second signature, a missing Timestamp and a forged SignatureValue", async () => {
    const text = await sign();
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(text)![0];
    expect(await refusal(text.replace(sig, sig + sig.replace(`xmlns:ds="${DS}"`, `xmlns:ds="${DS}" Id="second"`)))).toMatchObject({ code: "bad_request" });
    expect(await refusal(text.replace(/<u:Timestamp[\s\S]*<\/u:Timestamp>/, ""))).toMatchObject({ code: "bad_request" });
    const value = /<ds:SignatureValue>([^<]+)</.exec(text)![1]!;
    const forged = text.replace(value, (value[0] === "A" ? "B" : "A") + value.slice(1));
    expect(await refusal(forged)).toMatchObject({ code: "authentication_failed", message: expect.stringMatching(/mismatch/) });
  });

  it("verifies messages as WSS4J lays them out: Timestamp after the Signature, Ids on KeyInfo and the STR, PrefixLists", async () => {
    for (const text of [WSS4J_11_13, WSS4J_12_2005]) {
      const at = new Date(/<wsu:Created>([^<]+)</.exec(text)![1]!);
      expect(text).toMatch(/<ec:InclusiveNamespaces [^>]*PrefixList="wsse a s u"/);
      const r = await verify(text, policy, at);
      expect(r.certificate.subjectCommonName).toBe("alice");
      expect(r.signatureAlgorithm).toBe("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
      // The PrefixList is part of what was signed: naming fewer prefixes changes the Timestamp's digest.
      const shorter = text.replace('PrefixList="wsse a s u"', 'PrefixList="a s u"');
      expect(await refusal(shorter, policy, at)).toMatchObject({ code: "authentication_failed" });
      const otherRp = text.replace("<a:Address>urn:example:rp</a:Address>", "<a:Address>urn:example:rp2</a:Address>");
      expect(await refusal(otherRp, policy, at)).toMatchObject({ message: expect.stringMatching(/digest mismatch/) });
    }
  });
});

describe("verifyConfirmedKeySignature (holder-of-key assertions)", () => {
  const SAMLID = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
  const ASSERTION = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_hok1" Version="2.0"/>`;
  const STR = `<wsse:SecurityTokenReference><wsse:KeyIdentifier ValueType="${SAMLID}">_hok1</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;
  const proofKey = crypto.getRandomValues(new Uint8Array(32));
  const assertionOf = (p: ReturnType<typeof partsOf>) => p.security.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion").item(0)!;

  it("verifies an HMAC-SHA256 and an HMAC-SHA1 signature with the proof key the assertion confirms", async () => {
    const p = partsOf(await sign({ hmacKey: proofKey, keyInfo: STR, extraSecurity: ASSERTION }));
    const r = await verifyConfirmedKeySignature(p, assertionOf(p), { secret: proofKey }, false);
    expect(r.signatureAlgorithm).toBe("http://www.w3.org/2001/04/xmldsig-more#hmac-sha256");
    const p1 = partsOf(await sign({ hmacKey: proofKey, keyInfo: STR, extraSecurity: ASSERTION, sha1: true }));
    // HMAC-SHA1 is sound as a MAC, but its SHA-1 reference digests need the switch.
    await expect(verifyConfirmedKeySignature(p1, assertionOf(p1), { secret: proofKey }, false)).rejects.toThrow(/digest algorithm not allowed/);
    expect((await verifyConfirmedKeySignature(p1, assertionOf(p1), { secret: proofKey }, true)).signatureAlgorithm).toBe("http://www.w3.org/2000/09/xmldsig#hmac-sha1");
  });

  it("refuses another key, a reference to another token, an RSA signature where the key is shared, and HMAC where it is public", async () => {
    const p = partsOf(await sign({ hmacKey: proofKey, keyInfo: STR, extraSecurity: ASSERTION }));
    await expect(verifyConfirmedKeySignature(p, assertionOf(p), { secret: crypto.getRandomValues(new Uint8Array(32)) }, false)).rejects.toThrow(/mismatch/);
    const other = partsOf(await sign({ hmacKey: proofKey, keyInfo: STR.replace(">_hok1<", ">_other<"), extraSecurity: ASSERTION }));
    await expect(verifyConfirmedKeySignature(other, assertionOf(other), { secret: proofKey }, false)).rejects.toThrow(/not the one the assertion confirms/);
    const rsa = partsOf(await sign({ keyInfo: STR, extraSecurity: ASSERTION }));
    await expect(verifyConfirmedKeySignature(rsa, assertionOf(rsa), { secret: proofKey }, false)).rejects.toThrow(/not allowed/);
    // An HMAC keyed with the public key's bytes is the key-confusion attack: never accepted.
    const alice = parseCertificate(pemToDer(ALICE_CERT, "CERTIFICATE"));
    const confused = partsOf(await sign({ hmacKey: alice.spki, keyInfo: STR, extraSecurity: ASSERTION }));
    const publicKey = { certificateDer: alice.der, publicKeyFor: () => crypto.subtle.importKey("spki", alice.spki as Uint8Array<ArrayBuffer>, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]) };
    await expect(verifyConfirmedKeySignature(confused, assertionOf(confused), { publicKey }, false)).rejects.toThrow(/HMAC signatures are not accepted/);
  });
});
