/**
 * WS-Trust proof-of-possession keys end to end, against urn:example:secure-rp (development
 * configuration: SymmetricKey and PublicKey allowed, every token encrypted for its published key).
 * The relying party's side is played with its private key: the token is decrypted, its signature
 * verified, and the proof key inside opened and compared with what the requestor computes — with
 * a P_SHA1 written here on WebCrypto HMAC, not the STS's.
 */
import { describe, expect, it } from "vitest";
import { compactDecrypt } from "jose";
import type { Element } from "@xmldom/xmldom";
import { NS, TT, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, byTag, faultCode, postSoap, trust } from "../helpers/worker.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { decryptElement, decryptKey } from "../../src/xmlenc/decrypt.ts";
import { unb64url } from "../oauth/helpers.ts";
import { SECURE_RP_KEY, XENC, rootOf, secureRp, text } from "../xmlenc/helpers.ts";
import { b64u2b64, ecKeyInfo, rsaKeyInfo, unb64url_bytes } from "../helpers/key-info.ts";
import { signedEnvelope } from "../helpers/wss-sign.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";

const SECURE = "urn:example:secure-rp";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const DSIG11 = "http://www.w3.org/2009/xmldsig11#";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const alice = { user: "alice", password: "wonderland", appliesTo: SECURE };
const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s.replace(/\s/g, "")), (c) => c.charCodeAt(0));
const tns = (t: "13" | "2005") => (t === "13" ? NS.t13 : NS.t05);

/** A Renew of `token` signed with alice-client's key at certificatemixed (the requestor is alice). */
async function signedRenew(token: string): Promise<{ status: number; text: string }> {
  const path = "/trust/13/certificatemixed";
  const action = `${NS.t13}/RST/Renew`;
  const payload = `<wst:RequestSecurityToken xmlns:wst="${NS.t13}"><wst:RequestType>${NS.t13}/Renew</wst:RequestType><wst:RenewTarget>${token}</wst:RenewTarget></wst:RequestSecurityToken>`;
  const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, soap: "1.2", payload, action, to: ORIGIN + path });
  return postSoap({ path, headers: soapHeaders("1.2", action), body });
}
const aliceCertKeyInfo = () => `<ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data><ds:X509Certificate>${ALICE_CERT.replace(/-----[^-]+-----|\s/g, "")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;

/** P_SHA1 (RFC 2246 §5 P_hash over HMAC-SHA1), independent of src/keys/psha1.ts. */
async function pSha1(secret: Uint8Array, seed: Uint8Array, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const hmac = async (d: Uint8Array) => new Uint8Array(await crypto.subtle.sign("HMAC", key, d as Uint8Array<ArrayBuffer>));
  let a = seed;
  const out: number[] = [];
  while (out.length < bytes) {
    a = await hmac(a);
    out.push(...(await hmac(new Uint8Array([...a, ...seed]))));
  }
  return new Uint8Array(out.slice(0, bytes));
}

/** The assertion inside the RSTR's encrypted token, decrypted with the RP key and verified. */
async function tokenOf(responseText: string, samlNs: string): Promise<{ xml: string; root: Element }> {
  const ed = /<xenc:EncryptedData [\s\S]*?<\/xenc:EncryptedData>(?=(<\/saml:EncryptedAssertion>|<\/wst:RequestedSecurityToken>))/.exec(responseText);
  expect(ed).not.toBeNull();
  const { key } = await secureRp();
  const xml = text((await decryptElement(rootOf(ed![0]), key)).plaintext);
  const root = rootOf(xml);
  expect(root.namespaceURI).toBe(samlNs);
  const ring = await KeyRing.load(DEV_KEY_MATERIALS);
  expect((await verifyEnveloped(root, { keys: ring.all() })).ok).toBe(true);
  return { xml, root };
}

/** The holder-of-key ds:KeyInfo of a SAML 2.0 or 1.1 assertion (checking the method). */
function holderKeyInfo(root: Element): Element {
  if (root.namespaceURI === NS.saml2) {
    const sc = byTag(root, NS.saml2, "SubjectConfirmation");
    expect(sc).toHaveLength(1);
    expect(sc[0]!.getAttribute("Method")).toBe("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key");
    const data = byTag(sc[0]!, NS.saml2, "SubjectConfirmationData")[0]!;
    expect(data.getAttributeNS(XSI, "type")).toBe(`${data.prefix}:KeyInfoConfirmationDataType`);
    return byTag(data, DS, "KeyInfo")[0]!;
  }
  const methods = byTag(root, NS.saml1, "ConfirmationMethod");
  expect(methods.length).toBeGreaterThanOrEqual(1);
  for (const m of methods) expect(m.textContent).toBe("urn:oasis:names:tc:SAML:1.0:cm:holder-of-key");
  const kis = byTag(root, NS.saml1, "SubjectConfirmation").map((sc) => byTag(sc, DS, "KeyInfo")[0]!);
  expect(new Set(kis.map((k) => k.toString())).size).toBe(1); // every Subject states the same key
  return kis[0]!;
}

/** Opens the proof key inside the token with the RP's private key. */
async function proofKeyIn(root: Element): Promise<Uint8Array> {
  const ek = byTag(holderKeyInfo(root), XENC, "EncryptedKey");
  expect(ek).toHaveLength(1);
  return decryptKey(ek[0]!, (await secureRp()).key);
}

function entropyXml(t: "13" | "2005", entropy: Uint8Array, keySize?: number): string {
  const ns = tns(t);
  return `<wst:Entropy><wst:BinarySecret Type="${ns}/Nonce">${b64(entropy)}</wst:BinarySecret></wst:Entropy>` +
    (keySize ? `<wst:KeySize>${keySize}</wst:KeySize>` : "") + `<wst:ComputedKeyAlgorithm>${ns}/CK/PSHA1</wst:ComputedKeyAlgorithm>`;
}

async function rsaPublic(bits = 2048): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
}
async function ecPublic(crv = "P-256"): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: crv }, true, ["sign", "verify"])) as CryptoKeyPair;
  return (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
}
describe("SymmetricKey proof keys", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`with requestor entropy: the RP's key is P_SHA1(requestor, issuer entropy); SOAP ${soap}, WS-Trust ${t}`, async () => {
        const ns = tns(t);
        const mine = crypto.getRandomValues(new Uint8Array(32));
        const r = await trust({ ...alice, soap, trust: t, keyType: `${ns}/SymmetricKey`, extra: entropyXml(t, mine, 256) });
        expect(r.status, r.text).toBe(200);
        expect(byTag(byTag(r.doc, ns, "RequestedProofToken")[0]!, ns, "ComputedKey")[0]!.textContent).toBe(`${ns}/CK/PSHA1`);
        const issuerSecret = byTag(byTag(r.doc, ns, "Entropy")[0]!, ns, "BinarySecret")[0]!;
        expect(issuerSecret.getAttribute("Type")).toBe(`${ns}/Nonce`);
        const issuerEntropy = unb64(issuerSecret.textContent!);
        expect(issuerEntropy).toHaveLength(32);
        expect(byTag(r.doc, ns, "KeySize")[0]!.textContent).toBe("256");
        expect(byTag(r.doc, ns, "KeyType")[0]!.textContent).toBe(`${ns}/SymmetricKey`);
        // The key itself never travels to the requestor.
        expect(byTag(byTag(r.doc, ns, "RequestedProofToken")[0]!, ns, "BinarySecret")).toHaveLength(0);
        const { root } = await tokenOf(r.text, NS.saml2);
        expect(await proofKeyIn(root)).toEqual(await pSha1(mine, issuerEntropy, 32));
        // Attached and unattached references name the inner assertion, as for bearer tokens.
        for (const ref of ["RequestedAttachedReference", "RequestedUnattachedReference"]) {
          expect(byTag(r.doc, ns, ref)[0]!.textContent).toBe(root.getAttribute("ID"));
        }
      });
    }
  }

  it("without entropy: the STS's key, in RequestedProofToken/BinarySecret, is the one inside the token (SAML 2.0 and 1.1; KeySize honoured)", async () => {
    for (const [tokenType, samlNs, bits] of [[TT.saml2, NS.saml2, 256], [TT.saml1, NS.saml1, 128]] as const) {
      const r = await trust({ ...alice, tokenType, keyType: `${NS.t13}/SymmetricKey`, extra: `<wst:KeySize>${bits}</wst:KeySize>` });
      expect(r.status, r.text).toBe(200);
      const secret = byTag(byTag(r.doc, NS.t13, "RequestedProofToken")[0]!, NS.t13, "BinarySecret")[0]!;
      expect(secret.getAttribute("Type")).toBe(`${NS.t13}/SymmetricKey`);
      const key = unb64(secret.textContent!);
      expect(key).toHaveLength(bits / 8);
      expect(byTag(r.doc, NS.t13, "Entropy")).toHaveLength(0);
      const { root } = await tokenOf(r.text, samlNs);
      expect(await proofKeyIn(root)).toEqual(key);
    }
  });

  it("SAML 1.1 with entropy over WS-Trust 2005 (WCF's WSTrustFeb2005 default shape)", async () => {
    const mine = crypto.getRandomValues(new Uint8Array(24));
    const r = await trust({ ...alice, trust: "2005", soap: "1.1", tokenType: TT.saml1, keyType: `${NS.t05}/SymmetricKey`, extra: entropyXml("2005", mine) });
    expect(r.status, r.text).toBe(200);
    const issuerEntropy = unb64(byTag(byTag(r.doc, NS.t05, "Entropy")[0]!, NS.t05, "BinarySecret")[0]!.textContent!);
    const { root } = await tokenOf(r.text, NS.saml1);
    expect(await proofKeyIn(root)).toEqual(await pSha1(mine, issuerEntropy, 32)); // default KeySize 256
  });

  it("a relying party's template passed on in wst:SecondaryParameters (Apache CXF's client): its TokenType, KeyType and KeySize are used when the request has none", async () => {
    // The shape CXF's STSClient sends for WS-Trust 1.3 when the relying party's IssuedToken policy
    // carries a RequestSecurityTokenTemplate: the template's elements only in SecondaryParameters,
    // the requestor's entropy and ComputedKeyAlgorithm in the request itself.
    const template = (tokenType: string) =>
      `<wst:SecondaryParameters><wst:TokenType>${tokenType}</wst:TokenType><wst:KeyType>${NS.t13}/SymmetricKey</wst:KeyType><wst:KeySize>128</wst:KeySize>` +
      `<wst:KeyWrapAlgorithm>http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p</wst:KeyWrapAlgorithm><wst:EncryptWith>http://www.w3.org/2001/04/xmlenc#aes256-cbc</wst:EncryptWith>` +
      `<wst:SignWith>http://www.w3.org/2000/09/xmldsig#hmac-sha1</wst:SignWith></wst:SecondaryParameters>`;
    const mine = crypto.getRandomValues(new Uint8Array(16));
    const entropy = `<wst:Entropy><wst:BinarySecret Type="${NS.t13}/Nonce">${b64(mine)}</wst:BinarySecret></wst:Entropy><wst:ComputedKeyAlgorithm>${NS.t13}/CK/PSHA1</wst:ComputedKeyAlgorithm>`;
    const r = await trust({ ...alice, extra: template(TT.saml1) + entropy });
    expect(r.status, r.text).toBe(200);
    expect(byTag(r.doc, NS.t13, "KeyType").map((k) => k.textContent)).toContain(`${NS.t13}/SymmetricKey`);
    const issuerEntropy = unb64(byTag(byTag(r.doc, NS.t13, "Entropy")[0]!, NS.t13, "BinarySecret")[0]!.textContent!);
    expect(issuerEntropy).toHaveLength(16);
    const { root } = await tokenOf(r.text, NS.saml1);
    expect(await proofKeyIn(root)).toEqual(await pSha1(mine, issuerEntropy, 16));

    // The request's own values win over the template's.
    const own = await trust({ ...alice, tokenType: TT.saml2, keyType: `${NS.t13}/Bearer`, extra: template(TT.saml1) });
    expect(own.status, own.text).toBe(200);
    const ownRoot = (await tokenOf(own.text, NS.saml2)).root;
    expect(byTag(ownRoot, NS.saml2, "SubjectConfirmation")[0]!.getAttribute("Method")).toBe("urn:oasis:names:tc:SAML:2.0:cm:bearer");

    // A template asking for what this STS cannot issue is refused, naming where it came from.
    const bad = await trust({ ...alice, extra: template("urn:example:no-such-token") + entropy });
    expect(faultCode(bad.text)).toBe("wst:InvalidRequest");
    expect(bad.text).toContain("Unsupported wst:SecondaryParameters/wst:TokenType");
    expect(bad.text).not.toContain("EncryptedData");
  });

  it("Validate and Cancel work on a symmetric-key token; Renew is refused, as no request can prove a key sealed for the relying party", async () => {
    const mine = crypto.getRandomValues(new Uint8Array(32));
    const r = await trust({ ...alice, keyType: `${NS.t13}/SymmetricKey`, extra: entropyXml("13", mine) });
    const { xml, root } = await tokenOf(r.text, NS.saml2);
    const key = await proofKeyIn(root);
    const status = `${NS.t13}/RSTR/Status`;
    const ok = await trust({ ...validator, requestType: "Validate", tokenType: status, extra: `<wst:ValidateTarget>${xml}</wst:ValidateTarget>` });
    expect(ok.text).toContain(`<wst:Code>${NS.t13}/status/valid</wst:Code>`);

    for (const renewed of [await trust({ ...validator, requestType: "Renew", tokenType: TT.saml2, extra: `<wst:RenewTarget>${xml}</wst:RenewTarget>` }), await signedRenew(xml)]) {
      expect(faultCode(renewed.text)).toBe("wst:InvalidRequest");
      expect(renewed.text).toContain("The token to renew is bound to a symmetric proof key");
      expect(renewed.text).not.toContain("RequestedSecurityToken");
    }
    // Transformation (by the subject) into a token for another relying party: a bearer token
    // (see docs/security.md).
    const other = await trust({ ...alice, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: `<wst:ValidateTarget>${xml}</wst:ValidateTarget>` });
    expect(other.status, other.text).toBe(200);
    expect(byTag(other.doc, NS.saml2, "SubjectConfirmation")[0]!.getAttribute("Method")).toBe("urn:oasis:names:tc:SAML:2.0:cm:bearer");
    // ... unless the Validate asks for a key type, as an Issue would.
    const hok = await trust({ ...alice, requestType: "Validate", tokenType: TT.saml1, keyType: `${NS.t13}/SymmetricKey`, extra: `<wst:ValidateTarget>${xml}</wst:ValidateTarget>` });
    expect(hok.status, hok.text).toBe(200);
    const newKey = unb64(byTag(byTag(hok.doc, NS.t13, "RequestedProofToken")[0]!, NS.t13, "BinarySecret")[0]!.textContent!);
    expect(newKey).not.toEqual(key);
    expect(await proofKeyIn((await tokenOf(hok.text, NS.saml1)).root)).toEqual(newKey);

    const cancelled = await trust({ ...validator, requestType: "Cancel", extra: `<wst:CancelTarget>${xml}</wst:CancelTarget>` });
    expect(cancelled.text).toContain("RequestedTokenCancelled");
    const gone = await trust({ ...validator, requestType: "Validate", tokenType: status, extra: `<wst:ValidateTarget>${xml}</wst:ValidateTarget>` });
    expect(gone.text).toContain(`<wst:Code>${NS.t13}/status/invalid</wst:Code>`);
  });
});

describe("PublicKey proof keys", () => {
  const pk = `${NS.t13}/PublicKey`;

  it("RSA KeyValue: the token states the same key; no proof token; KeyType echoed", async () => {
    const jwk = await rsaPublic();
    const r = await trust({ ...alice, keyType: pk, extra: `<wst:UseKey>${rsaKeyInfo(jwk)}</wst:UseKey>` });
    expect(r.status, r.text).toBe(200);
    expect(byTag(r.doc, NS.t13, "RequestedProofToken")).toHaveLength(0);
    expect(byTag(r.doc, NS.t13, "KeyType")[0]!.textContent).toBe(pk);
    const { root } = await tokenOf(r.text, NS.saml2);
    const ki = holderKeyInfo(root);
    expect(byTag(ki, DS, "Modulus")[0]!.textContent).toBe(b64u2b64(jwk.n!));
    expect(byTag(ki, DS, "Exponent")[0]!.textContent).toBe(b64u2b64(jwk.e!));
  });

  it("EC P-256, P-384 and P-521 ECKeyValue, in SAML 2.0 and SAML 1.1 (WS-Trust 2005, SOAP 1.1)", async () => {
    for (const [crv, oid] of [["P-256", "1.2.840.10045.3.1.7"], ["P-384", "1.3.132.0.34"], ["P-521", "1.3.132.0.35"]] as const) {
      const jwk = await ecPublic(crv);
      for (const [tokenType, samlNs] of [[TT.saml2, NS.saml2], [TT.saml1, NS.saml1]] as const) {
        const r = await trust({ ...alice, trust: "2005", soap: "1.1", tokenType, keyType: `${NS.t05}/PublicKey`, extra: `<wst:UseKey>${ecKeyInfo(jwk, oid)}</wst:UseKey>` });
        expect(r.status, r.text).toBe(200);
        const ki = holderKeyInfo((await tokenOf(r.text, samlNs)).root);
        expect(byTag(ki, DSIG11, "NamedCurve")[0]!.getAttribute("URI")).toBe(`urn:oid:${oid}`);
        const point = unb64(byTag(ki, DSIG11, "PublicKey")[0]!.textContent!);
        expect(point).toEqual(new Uint8Array([4, ...unb64url_bytes(jwk.x!), ...unb64url_bytes(jwk.y!)]));
      }
    }
  });

  it("an X.509 certificate (BinarySecurityToken or X509Data) is stated as that certificate", async () => {
    const certB64 = (await import("../fixtures/dev-credentials/secure-rp.cert.pem?raw")).default.replace(/-----[^-]+-----|\s/g, "");
    const bst = `<wsse:BinarySecurityToken ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${certB64}</wsse:BinarySecurityToken>`;
    const x509 = `<ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data><ds:X509Certificate>${certB64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
    for (const useKey of [bst, x509]) {
      const r = await trust({ ...alice, keyType: pk, extra: `<wst:UseKey>${useKey}</wst:UseKey>` });
      expect(r.status, r.text).toBe(200);
      const ki = holderKeyInfo((await tokenOf(r.text, NS.saml2)).root);
      expect(byTag(ki, DS, "X509Certificate")[0]!.textContent).toBe(certB64);
    }
  });

  it("ds:X509Data naming its certificate again by issuer and serial, SKI and subject name (as Santuario and .NET write it) is that certificate", async () => {
    const pem = (await import("../fixtures/dev-credentials/secure-rp.cert.pem?raw")).default;
    const certB64 = pem.replace(/-----[^-]+-----|\s/g, "");
    // Read here with OpenSSL's figures (openssl x509 -serial -ext subjectKeyIdentifier), not the STS's parser.
    const serial = BigInt("0x79200322557D3732FD3144BB683E5C61974EE866").toString();
    const ski = b64(Uint8Array.from("C69F159DC7CCD46355AA90D0054528D8308219A0".match(/../g)!, (h) => parseInt(h, 16)));
    const ids = `<ds:X509IssuerSerial><ds:X509IssuerName>CN=urn:example:secure-rp</ds:X509IssuerName><ds:X509SerialNumber>${serial}</ds:X509SerialNumber></ds:X509IssuerSerial>`;
    for (const inner of [ids + `<ds:X509Certificate>${certB64}</ds:X509Certificate>`, `<ds:X509Certificate>${certB64}</ds:X509Certificate><ds:X509SKI>${ski}</ds:X509SKI><ds:X509SubjectName>CN=urn:example:secure-rp</ds:X509SubjectName>` + ids]) {
      const r = await trust({ ...alice, keyType: pk, extra: `<wst:UseKey><ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data>${inner}</ds:X509Data></ds:KeyInfo></wst:UseKey>` });
      expect(r.status, r.text).toBe(200);
      const ki = holderKeyInfo((await tokenOf(r.text, NS.saml2)).root);
      expect(byTag(ki, DS, "X509Certificate")[0]!.textContent).toBe(certB64);
    }
  });

  it("a JWT gets cnf.jwk with the public members only (RFC 7800)", async () => {
    const jwk = await rsaPublic();
    const r = await trust({ ...alice, tokenType: TT.jwt, keyType: pk, extra: `<wst:UseKey>${rsaKeyInfo(jwk)}</wst:UseKey>` });
    expect(r.status, r.text).toBe(200);
    const jwe = atob(byTag(r.doc, NS.wsse ?? "", "BinarySecurityToken")[0]!.textContent!);
    const der = unb64(SECURE_RP_KEY.replace(/-----[^-]+-----|\s/g, ""));
    const key = await crypto.subtle.importKey("pkcs8", der as Uint8Array<ArrayBuffer>, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
    const inner = new TextDecoder().decode((await compactDecrypt(jwe, key)).plaintext);
    const payload = JSON.parse(unb64url(inner.split(".")[1]!)) as { cnf: unknown };
    expect(payload.cnf).toEqual({ jwk: { kty: "RSA", n: jwk.n, e: jwk.e } });
  });

  // Apache CXF's SAMLTokenRenewer: a holder-of-key assertion renews only for a request signed
  // with its key. Neither its subject over usernamemixed nor a service account allowed to renew
  // for the party holds the key.
  it("Renew needs the request signed with the token's key, and keeps the key; Validate sees it valid", async () => {
    const r = await trust({ ...alice, keyType: pk, extra: `<wst:UseKey>${aliceCertKeyInfo()}</wst:UseKey>` });
    const { xml, root } = await tokenOf(r.text, NS.saml2);
    const before = holderKeyInfo(root).toString();
    for (const who of [validator, { user: "alice", password: "wonderland" }]) {
      const unproved = await trust({ ...who, requestType: "Renew", tokenType: TT.saml2, extra: `<wst:RenewTarget>${xml}</wst:RenewTarget>` });
      expect(faultCode(unproved.text)).toBe("wst:InvalidRequest");
      expect(unproved.text).toContain("The token to renew is bound to a key: a renewal needs the request signed with that key");
      expect(unproved.text).not.toContain("RequestedSecurityToken");
    }
    const renewed = await signedRenew(xml);
    expect(renewed.status, renewed.text).toBe(200);
    const again = await tokenOf(renewed.text, NS.saml2);
    expect(again.root.getAttribute("ID")).not.toBe(root.getAttribute("ID"));
    expect(holderKeyInfo(again.root).toString()).toBe(before);
    const ok = await trust({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${again.xml}</wst:ValidateTarget>` });
    expect(ok.text).toContain(`<wst:Code>${NS.t13}/status/valid</wst:Code>`);
    // A message signed with another key (alice's, at certificatemixed) proves nothing for this one.
    const other = await trust({ ...alice, keyType: pk, extra: `<wst:UseKey>${ecKeyInfo(await ecPublic())}</wst:UseKey>` });
    const refused = await signedRenew((await tokenOf(other.text, NS.saml2)).xml);
    expect(faultCode(refused.text)).toBe("wst:InvalidRequest");
    expect(refused.text).toContain("The token to renew is bound to a key: a renewal needs the request signed with that key");
  });

  // WS-Trust 1.3 §7.4: a renewal MUST NOT alter the key semantics. A Renew naming another key, or
  // bringing entropy for a new one, is refused rather than answered with a token bound to the old
  // key that the requestor would take for bound to the new one.
  it("a Renew whose wst:UseKey names another key, or that brings wst:Entropy, is refused; the token's own key still needs its proof", async () => {
    const jwk = await ecPublic();
    const r = await trust({ ...alice, keyType: pk, extra: `<wst:UseKey>${ecKeyInfo(jwk)}</wst:UseKey>` });
    const { xml } = await tokenOf(r.text, NS.saml2);
    const renew = (extra: string) => trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${xml}</wst:RenewTarget>${extra}` });
    const other = await renew(`<wst:UseKey>${ecKeyInfo(await ecPublic())}</wst:UseKey>`);
    expect(faultCode(other.text)).toBe("wst:InvalidRequest");
    expect(other.text).toContain("wst:UseKey names a key the token to renew is not bound to (it is a public-key token)");
    const withEntropy = await renew(`<wst:Entropy><wst:BinarySecret Type="${NS.t13}/Nonce">${b64(crypto.getRandomValues(new Uint8Array(32)))}</wst:BinarySecret></wst:Entropy>`);
    expect(faultCode(withEntropy.text)).toBe("wst:InvalidRequest");
    expect(withEntropy.text).toContain("wst:Entropy asks for a new proof key computed from it, but a renewal keeps the token's proof key");
    // The token's own key, named again, is the token's: only the missing proof of it is refused.
    const own = await renew(`<wst:UseKey>${ecKeyInfo(jwk)}</wst:UseKey>`);
    expect(faultCode(own.text)).toBe("wst:InvalidRequest");
    expect(own.text).toContain("The token to renew is bound to a key: a renewal needs the request signed with that key");
  });

  it("a Renew naming a key for a bearer token is refused: the token is bound to none", async () => {
    const bearer = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const tok = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(bearer.text)![0];
    const renewed = await trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${tok}</wst:RenewTarget><wst:UseKey>${rsaKeyInfo(await rsaPublic())}</wst:UseKey>` });
    expect(faultCode(renewed.text)).toBe("wst:InvalidRequest");
    expect(renewed.text).toContain("wst:UseKey names a key the token to renew is not bound to (it is a bearer token)");
    expect((await trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${tok}</wst:RenewTarget>` })).status).toBe(200);
  });

  it("a UseKey with no KeyType binds that key (WS-Trust 1.3 §9.2: the key type is the key's), on Issue and on a Validate transformation", async () => {
    const jwk = await ecPublic();
    for (const [t, ns] of [["13", NS.t13], ["2005", NS.t05]] as const) {
      const r = await trust({ ...alice, trust: t, extra: `<wst:UseKey>${ecKeyInfo(jwk)}</wst:UseKey>` });
      expect(r.status, r.text).toBe(200);
      expect(byTag(r.doc, ns, "KeyType")[0]!.textContent).toBe(`${ns}/PublicKey`);
      const point = unb64(byTag(holderKeyInfo((await tokenOf(r.text, NS.saml2)).root), DSIG11, "PublicKey")[0]!.textContent!);
      expect(point).toEqual(new Uint8Array([4, ...unb64url_bytes(jwk.x!), ...unb64url_bytes(jwk.y!)]));
    }
    const bearer = await tokenOf((await trust({ ...alice })).text, NS.saml2);
    const v = await trust({ ...alice, requestType: "Validate", tokenType: TT.saml2, extra: `<wst:ValidateTarget>${bearer.xml}</wst:ValidateTarget><wst:UseKey>${ecKeyInfo(jwk)}</wst:UseKey>` });
    expect(v.status, v.text).toBe(200);
    expect(byTag(v.doc, NS.t13, "KeyType")[0]!.textContent).toBe(pk);
    holderKeyInfo((await tokenOf(v.text, NS.saml2)).root);
  });

  it("Entropy with no KeyType makes a SymmetricKey proof key from it", async () => {
    const mine = crypto.getRandomValues(new Uint8Array(32));
    const r = await trust({ ...alice, extra: entropyXml("13", mine) });
    expect(r.status, r.text).toBe(200);
    expect(byTag(r.doc, NS.t13, "KeyType")[0]!.textContent).toBe(`${NS.t13}/SymmetricKey`);
    const issuerEntropy = unb64(byTag(byTag(r.doc, NS.t13, "Entropy")[0]!, NS.t13, "BinarySecret")[0]!.textContent!);
    expect(await proofKeyIn((await tokenOf(r.text, NS.saml2)).root)).toEqual(await pSha1(mine, issuerEntropy, 32));
  });

  it("a relying party whose keyTypes do not include it refuses the key type clearly", async () => {
    const jwk = await ecPublic();
    const r = await trust({ ...alice, appliesTo: "urn:example:rp", keyType: pk, extra: `<wst:UseKey>${ecKeyInfo(jwk)}</wst:UseKey>` });
    expect(r.status).toBe(400);
    expect(faultCode(r.text)).toContain("InvalidRequest");
    expect(r.text).toContain("does not accept public-key proof keys");
  });
});

/**
 * WCF's IssuedSecurityTokenProvider (System.ServiceModel, Security/Tokens/IssuedSecurityTokenProvider.cs,
 * GetFirstOutgoingMessageBody), asked for an AsymmetricKey token — ws2007FederationHttpBinding with
 * issuedKeyType="AsymmetricKey", its issuer binding TransportWithMessageCredential / UserName —
 * sends wst:UseKey with its fresh RSA key as ds:KeyValue and endorses the request with that key:
 * a ds:Signature beside the UsernameToken over the wsu:Timestamp alone (transport security: the
 * endorsing token signs the Timestamp), its KeyInfo the same KeyValue. The RST below is the shape
 * that method writes (AppliesTo as a WS-Addressing 1.0 EndpointReference in the default
 * namespace, KeySize, KeyType first among the request properties, the binding's
 * SecondaryParameters, UseKey).
 */
describe("WCF's endorsed AsymmetricKey request at usernamemixed", () => {
  const pk = `${NS.t13}/PublicKey`;
  const path = "/trust/13/usernamemixed";
  const issue = `${NS.t13}/RST/Issue`;

  async function rsaPair(): Promise<{ pem: string; jwk: JsonWebKey }> {
    const pair = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    return { pem: `-----BEGIN PRIVATE KEY-----\n${b64(pkcs8)}\n-----END PRIVATE KEY-----\n`, jwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey };
  }
  /** The ds:KeyValue inside rsaKeyInfo's ds:KeyInfo (the signature's KeyInfo wraps it itself). */
  const keyValueOf = (jwk: JsonWebKey) => /<ds:KeyValue>[\s\S]*<\/ds:KeyValue>/.exec(rsaKeyInfo(jwk))![0];
  const usernameToken = (user: string, password: string) =>
    `<wsse:UsernameToken u:Id="uuid-7c1a9d3e-1"><wsse:Username>${user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password></wsse:UsernameToken>`;
  const wcfRst = (useKey: JsonWebKey) =>
    `<trust:RequestSecurityToken xmlns:trust="${NS.t13}">` +
    `<wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>${SECURE}</Address></EndpointReference></wsp:AppliesTo>` +
    `<trust:RequestType>${NS.t13}/Issue</trust:RequestType><trust:KeySize>2048</trust:KeySize><trust:KeyType>${pk}</trust:KeyType>` +
    `<trust:SecondaryParameters><trust:TokenType>${TT.saml2}</trust:TokenType><trust:KeyType>${pk}</trust:KeyType>` +
    `<trust:KeyWrapAlgorithm>http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p</trust:KeyWrapAlgorithm><trust:EncryptWith>http://www.w3.org/2001/04/xmlenc#aes256-cbc</trust:EncryptWith>` +
    `<trust:SignWith>http://www.w3.org/2001/04/xmldsig-more#rsa-sha256</trust:SignWith><trust:CanonicalizationAlgorithm>http://www.w3.org/2001/10/xml-exc-c14n#</trust:CanonicalizationAlgorithm>` +
    `<trust:EncryptionAlgorithm>http://www.w3.org/2001/04/xmlenc#aes256-cbc</trust:EncryptionAlgorithm></trust:SecondaryParameters>` +
    `<trust:UseKey>${rsaKeyInfo(useKey).replace(/ xmlns:ds="[^"]*"/, "").replace(/ds:/g, "").replace("<KeyInfo>", `<KeyInfo xmlns="${DS}">`)}</trust:UseKey></trust:RequestSecurityToken>`;
  /** The request signed by `signer` over the Timestamp only, the key stated as its KeyValue. */
  const endorsed = (payload: string, signer: { pem: string; jwk: JsonWebKey }, action = issue, user = alice) =>
    signedEnvelope({ keyPem: signer.pem, certPem: "", soap: "1.2", payload, action, to: ORIGIN + path, sign: ["_ts"], keyInfo: keyValueOf(signer.jwk), extraSecurity: usernameToken(user.user, user.password) });

  it("is answered with a token bound to the endorsing key, which then renews with that key's endorsement", async () => {
    const key = await rsaPair();
    const r = await postSoap({ path, headers: soapHeaders("1.2", issue), body: await endorsed(wcfRst(key.jwk), key) });
    expect(r.status, r.text).toBe(200);
    expect(byTag(r.doc, NS.t13, "KeyType")[0]!.textContent).toBe(pk);
    expect(byTag(r.doc, NS.t13, "RequestedProofToken")).toHaveLength(0);
    const { xml, root } = await tokenOf(r.text, NS.saml2);
    expect(byTag(holderKeyInfo(root), DS, "Modulus")[0]!.textContent).toBe(b64u2b64(key.jwk.n!));
    // The endorsement proved the key, so a Renew it endorses proves it too (as a signed Renew does at certificatemixed).
    const renew = `${NS.t13}/RST/Renew`;
    const payload = `<wst:RequestSecurityToken xmlns:wst="${NS.t13}"><wst:RequestType>${NS.t13}/Renew</wst:RequestType><wst:RenewTarget>${xml}</wst:RenewTarget></wst:RequestSecurityToken>`;
    const renewed = await postSoap({ path, headers: soapHeaders("1.2", renew), body: await endorsed(payload, key, renew) });
    expect(renewed.status, renewed.text).toBe(200);
    expect(byTag(holderKeyInfo((await tokenOf(renewed.text, NS.saml2)).root), DS, "Modulus")[0]!.textContent).toBe(b64u2b64(key.jwk.n!));
  });

  it("is refused when the endorsing key is not the UseKey, the signature does not verify, or the message comes again", async () => {
    const key = await rsaPair();
    const other = await rsaPair();
    const mismatch = await postSoap({ path, headers: soapHeaders("1.2", issue), body: await endorsed(wcfRst(key.jwk), other) });
    expect(faultCode(mismatch.text)).toBe("wst:InvalidRequest");
    expect(mismatch.text).toContain("wst:UseKey must be the key that signed this request");
    // Signed by one key, stating another as its KeyValue: the stated key does not verify it.
    const forged = (await endorsed(wcfRst(other.jwk), key)).replace(keyValueOf(key.jwk), keyValueOf(other.jwk));
    const bad = await postSoap({ path, headers: soapHeaders("1.2", issue), body: forged });
    expect(faultCode(bad.text)).toBe("wst:FailedAuthentication");
    expect(bad.text).not.toContain("RequestedSecurityToken");
    const body = await endorsed(wcfRst(key.jwk), key);
    expect((await postSoap({ path, headers: soapHeaders("1.2", issue), body })).status).toBe(200);
    const again = await postSoap({ path, headers: soapHeaders("1.2", issue), body });
    expect(again.text).toContain("This signed message has been received before.");
    expect(again.text).not.toContain("RequestedSecurityToken");
  });
});
