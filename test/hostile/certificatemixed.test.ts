/**
 * certificatemixed under attack, black box over HTTP: messages whose signature is wrapped,
 * re-pointed or incomplete, certificates that must not authenticate anyone (expired, a CA, an
 * unknown critical extension, trusted but mapped to nobody), legacy algorithms behind their
 * switch, mixed credentials, garbage in the BinarySecurityToken, and guessing at signatures from
 * one address. Each gets a clear SOAP fault: never a token, never a 500 without a fault.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { PW_HASH } from "../config/helpers.ts";
import { UserDirectory } from "../../src/state/directory.ts";
import { certificateThumbprint } from "../../src/keys/cert-path.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate, parseCertificate } from "../../src/keys/x509.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import CA_CERT from "../fixtures/dev-credentials/dev-ca.cert.pem?raw";
import CA_KEY from "../fixtures/dev-credentials/dev-ca.key.pem?raw";
import CRITICAL_LEAF from "../fixtures/pki/critical-leaf.pem?raw";
import PKI_ROOT from "../fixtures/pki/root.pem?raw";
import { bitString, oid, seq } from "../../src/keys/asn1.ts";
import { EKU, LEAF_EXTENSIONS, authority, certificate, certificateDer, extendedKeyUsage } from "../helpers/certificates.ts";
import { NS, TT, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, call, faultCode } from "../helpers/worker.ts";
import { signedEnvelope, type SignedEnvelopeOptions } from "../helpers/wss-sign.ts";
import { MAX_MESSAGE_REFERENCES } from "../../src/soap/message-signature.ts";
import type { Fetcher } from "../oauth/helpers.ts";
import { workerWith } from "./configured.ts";

const PATH = "/trust/13/certificatemixed";
const ACTION = `${NS.t13}/RST/Issue`;
const RST = (inner = "") =>
  `<t:RequestSecurityToken xmlns:t="${NS.t13}"${inner}><t:TokenType>${TT.saml2}</t:TokenType><t:RequestType>${NS.t13}/Issue</t:RequestType>` +
  `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>urn:example:rp</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken>`;
const HEADERS = soapHeaders("1.2", ACTION);

let nextAddress = 1;
/** A client address no other test uses, so failure counters of one test never reach another. */
const freshAddress = () => `2001:db8:cd:${(nextAddress++).toString(16)}::1`;

function sign(o: Partial<SignedEnvelopeOptions> = {}): Promise<string> {
  return signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, payload: RST(), action: ACTION, to: ORIGIN + PATH, ...o });
}

interface Reply {
  status: number;
  text: string;
  fault: string | undefined;
}

async function send(body: string, via: Fetcher = call, address = freshAddress()): Promise<Reply> {
  const res = await via(PATH, { method: "POST", headers: { ...HEADERS, "CF-Connecting-IP": address }, body });
  const text = await res.text();
  expect(res.headers.get("content-type")).toMatch(/^application\/soap\+xml/);
  return { status: res.status, text, fault: faultCode(text) };
}

/** A protocol fault, no token anywhere in it. */
function refused(r: Reply, code?: string | RegExp, reason?: RegExp): void {
  expect([400, 429, 500], r.text).toContain(r.status);
  expect(r.text).toContain("<s:Fault");
  expect(r.text).not.toMatch(/<([\w.-]+:)?(Assertion|RequestedSecurityToken|BinarySecurityToken)\b/);
  expect(r.fault).not.toMatch(/Receiver|InternalError/);
  if (code !== undefined) expect(r.fault, r.text).toMatch(code);
  if (reason !== undefined) expect(r.text).toMatch(reason);
}

async function rsaPair(): Promise<{ keyPem: string; pair: CryptoKeyPair }> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const keyPem = derToPem(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer), "PRIVATE KEY");
  return { keyPem, pair };
}

/** The development configuration with other requestor-certificate settings. */
const withCertificates = (requestorCertificates: object) => workerWith({ ...DEV_CONFIG, requestorCertificates });
const DEV_TRUST = { authorities: [CA_CERT], principals: [{ subjectCommonName: "alice", principal: "alice" }] };

describe("certificatemixed: wrapping and coverage", () => {
  it("control: the unaltered message gets alice a token", async () => {
    const r = await send(await sign());
    expect(r.status, r.text).toBe(200);
    expect(r.text).toMatch(/<saml:NameID[^>]*>alice</);
  });

  it("refuses a wsu:Id that occurs twice (a decoy carrying the Body's Id)", async () => {
    const text = await sign();
    const decoy = text.replace("</s:Header>", `<x:Decoy xmlns:x="urn:example:decoy" u:Id="_body">${RST()}</x:Decoy></s:Header>`);
    refused(await send(decoy), "wst:FailedAuthentication", /more than once/);
    const twoTimestamps = text.replace(/(<u:Timestamp[\s\S]*?<\/u:Timestamp>)/, "$1$1");
    refused(await send(twoTimestamps));
  });

  it("refuses a second Body, before or after the signed one", async () => {
    const text = await sign();
    const body = /<s:Body[\s\S]*<\/s:Body>/.exec(text)![0];
    const forged = `<s:Body>${RST().replace("urn:example:rp", "https://api.example.com/")}</s:Body>`;
    refused(await send(text.replace(body, body + forged)));
    refused(await send(text.replace(body, forged + body)));
  });

  it("refuses a signature that references an element inside the Body, with or without the Body", async () => {
    const inner = ` u:Id="_inner"`;
    refused(await send(await sign({ payload: RST(inner), sign: ["_body", "_ts", "_to", "_action", "_inner"] })), "wst:FailedAuthentication", /may not cover/);
    refused(await send(await sign({ payload: RST(inner), sign: ["_inner", "_ts", "_to", "_action"] })), "wst:FailedAuthentication", /may not cover|soap:Body/);
  });

  it("refuses a signature that does not cover the Timestamp (or To, or Action)", async () => {
    refused(await send(await sign({ sign: ["_body", "_to", "_action"] })), "wst:FailedAuthentication", /Timestamp/);
    refused(await send(await sign({ sign: ["_body", "_ts", "_action"] })), "wst:FailedAuthentication", /wsa:To/);
    refused(await send(await sign({ sign: ["_body", "_ts", "_to"] })), "wst:FailedAuthentication", /wsa:Action/);
  });

  it("refuses a signature with more references than a message has parts to sign, before any digest (17 wsa:RelatesTo signed; 12 pass)", async () => {
    const relatesTo = (n: number) => Array.from({ length: n }, (_, i) => `<a:RelatesTo u:Id="_r${i}">urn:uuid:${i}</a:RelatesTo>`).join("");
    const ids = (n: number) => ["_body", "_ts", "_to", "_action", ...Array.from({ length: n }, (_, i) => `_r${i}`)];
    expect((await send(await sign({ extraHeaders: relatesTo(12), sign: ids(12) }))).status).toBe(200);
    const r = await send(await sign({ extraHeaders: relatesTo(13), sign: ids(13) }));
    refused(r, "wst:BadRequest", new RegExp(`at most ${MAX_MESSAGE_REFERENCES} references .* has 17`));
  });

  it("refuses a UsernameToken next to the signature", async () => {
    const ut = `<wsse:UsernameToken><wsse:Username>alice</wsse:Username><wsse:Password>wonderland</wsse:Password></wsse:UsernameToken>`;
    refused(await send(await sign({ extraSecurity: ut })), undefined, /UsernameToken/);
  });
});

describe("certificatemixed: certificates that authenticate nobody", () => {
  it("refuses an expired certificate, even pinned by thumbprint (a fresh pinned one works)", async () => {
    const old = await rsaPair();
    const day = 86400_000;
    const expiredDer = await buildSelfSignedCertificate({ privateKey: old.pair.privateKey, publicKey: old.pair.publicKey, commonName: "alice", notBefore: new Date(Date.now() - 3 * day), notAfter: new Date(Date.now() - day) });
    const fresh = await rsaPair();
    const freshDer = await buildSelfSignedCertificate({ privateKey: fresh.pair.privateKey, publicKey: fresh.pair.publicKey, commonName: "alice", notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + day) });
    const f = withCertificates({
      ...DEV_TRUST,
      principals: [
        ...DEV_TRUST.principals,
        { sha256: await certificateThumbprint(parseCertificate(expiredDer)), principal: "alice" },
        { sha256: await certificateThumbprint(parseCertificate(freshDer)), principal: "bob" },
      ],
    });
    refused(await send(await sign({ keyPem: old.keyPem, certPem: derToPem(expiredDer, "CERTIFICATE") }), f), "wst:FailedAuthentication", /expired/);
    const ok = await send(await sign({ keyPem: fresh.keyPem, certPem: derToPem(freshDer, "CERTIFICATE") }), f);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.text).toMatch(/<saml:NameID[^>]*>bob</);
  });

  it("refuses the development CA's own certificate as signer (a CA, not an end entity)", async () => {
    refused(await send(await sign({ keyPem: CA_KEY, certPem: CA_CERT })), "wst:FailedAuthentication", /CA certificate/);
  });

  it("refuses a certificate with a critical extension the STS does not understand", async () => {
    const f = withCertificates({ authorities: [PKI_ROOT], principals: [{ subjectCommonName: "unknown critical extension", principal: "alice" }] });
    // The path is judged before the signature: the certificate alone decides this refusal.
    refused(await send(await sign({ certPem: CRITICAL_LEAF }), f), "wst:FailedAuthentication", /critical extension/);
  });

  it("refuses a certificate whose extendedKeyUsage leaves client authentication out (a control with clientAuth gets a token)", async () => {
    const root = await authority("EKU Root");
    const f = withCertificates({ authorities: [root.pem], principals: [{ subjectCommonName: "alice", principal: "alice" }] });
    const leaf = (purposes: string[], critical = false) => certificate({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extendedKeyUsage(purposes, critical)] });
    const signedWith = async (c: Awaited<ReturnType<typeof leaf>>) => sign({ keyPem: c.keyPem, certPem: c.pem, ecdsa: true });
    const ok = await send(await signedWith(await leaf([EKU.clientAuth])), f);
    expect(ok.status, ok.text).toBe(200);
    refused(await send(await signedWith(await leaf([EKU.serverAuth])), f), "wst:FailedAuthentication", /extended key usage/);
    refused(await send(await signedWith(await leaf([EKU.emailProtection, EKU.codeSigning], true)), f), "wst:FailedAuthentication", /extended key usage/);
  });

  it("refuses a certificate with an RSA key under 2,048 bits, naming its size", async () => {
    const root = await authority("Strength Root");
    const f = withCertificates({ authorities: [root.pem], principals: [{ subjectCommonName: "alice", principal: "alice" }] });
    const weak = await certificate({ subject: "alice", issuer: root, key: { rsaBits: 1024 } });
    refused(await send(await sign({ keyPem: weak.keyPem, certPem: weak.pem }), f), "wst:FailedAuthentication", /RSA key of 1024 bits; at least 2048/);
  });

  it("refuses a certificate mapped to a disabled account, saying so (the account enabled, the same certificate gets a token)", async () => {
    const bobOff = workerWith({ ...DEV_CONFIG, requestorCertificates: { ...DEV_TRUST, principals: [{ subjectCommonName: "alice", principal: "bob" }] }, users: DEV_CONFIG.users!.map((u) => (u.username === "bob" ? { ...u, enabled: false } : u)) });
    const bobOn = withCertificates({ ...DEV_TRUST, principals: [{ subjectCommonName: "alice", principal: "bob" }] });
    const ok = await send(await sign(), bobOn);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.text).toMatch(/<saml:NameID[^>]*>bob</);
    refused(await send(await sign(), bobOff), "wst:FailedAuthentication", /the account it is mapped to is disabled/);
  });

  it("names what a certificate uses that the STS does not support (a P-192 key)", async () => {
    const root = await authority("Curve Root");
    const p192 = seq(seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.1")), bitString(Uint8Array.of(4, ...new Uint8Array(48).fill(7))));
    const cert = await certificateDer({ subject: "alice", issuer: root, spki: p192 });
    const f = withCertificates({ authorities: [root.pem], principals: [{ subjectCommonName: "alice", principal: "alice" }] });
    refused(await send(await sign({ certPem: cert.pem }), f), "wst:FailedAuthentication", /does not hold a readable X\.509 certificate: its EC curve P-192 \(1\.2\.840\.10045\.3\.1\.1\) is not supported/);
  });

  it("a certificate mapped to a directory user signs in as that user; the user disabled or absent, it is refused saying so", async () => {
    const name = `cert-${crypto.randomUUID().slice(0, 8)}`;
    const directory = new UserDirectory(env.USERS_DB, "");
    // A hash of its own: under a production configuration a published one holds the user disabled.
    await directory.create({ username: name, passwordHash: PW_HASH, enabled: true, claims: { role: ["cert-user"] } }, Date.now());
    const f = withCertificates({ ...DEV_TRUST, principals: [{ subjectCommonName: "alice", principal: name }] });
    const ok = await send(await sign(), f);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.text).toContain(`>${name}</saml:NameID>`);
    expect(ok.text).toContain("urn:oasis:names:tc:SAML:2.0:ac:classes:X509");
    await directory.update(name, { enabled: false }, Date.now());
    refused(await send(await sign(), f), "wst:FailedAuthentication", /the account it is mapped to is disabled/);
    await directory.delete(name);
    refused(await send(await sign(), f), "wst:FailedAuthentication", /the user it is mapped to does not exist/);
  });

  it("refuses a trusted certificate that is mapped to no principal", async () => {
    const f = withCertificates({ authorities: [CA_CERT], principals: [{ subjectCommonName: "bob", principal: "bob" }] });
    refused(await send(await sign(), f), "wst:FailedAuthentication", /not mapped to any principal/);
  });

  it("refuses rsa-sha1 unless the deployment turns allowSha1Signatures on", async () => {
    refused(await send(await sign({ sha1: true })), "wst:FailedAuthentication", /sha1|algorithm/i);
    const legacy = withCertificates({ ...DEV_TRUST, allowSha1Signatures: true });
    const r = await send(await sign({ sha1: true }), legacy);
    expect(r.status, r.text).toBe(200);
    expect(r.text).toMatch(/<saml:NameID[^>]*>alice</);
  });

  it("refuses WCF's Timestamp-and-To signature unless the deployment turns allowTimestampOnlySignatures on; even then once only, and never without the Timestamp", async () => {
    // WCF under TransportWithMessageCredential: an endorsing signature over wsu:Timestamp and wsa:To.
    const wcf = () => sign({ sign: ["_ts", "_to"] });
    refused(await send(await wcf()), "wst:FailedAuthentication", /does not cover the soap:Body/);
    const legacy = withCertificates({ ...DEV_TRUST, allowTimestampOnlySignatures: true });
    const body = await wcf();
    const r = await send(body, legacy);
    expect(r.status, r.text).toBe(200);
    expect(r.text).toMatch(/<saml:NameID[^>]*>alice</);
    refused(await send(body, legacy), undefined, /already|replay|before/i);
    refused(await send(await sign({ sign: ["_body", "_to", "_action"] }), legacy), "wst:FailedAuthentication", /does not cover the wsu:Timestamp/);
    // The Body is still only what the signature does not reach: a reference elsewhere is refused.
    const inner = RST(' u:Id="_inner" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"');
    refused(await send(await sign({ payload: inner, sign: ["_ts", "_inner"] }), legacy), "wst:FailedAuthentication", /may not cover/);
  });
});

describe("certificatemixed: what the BinarySecurityToken holds", () => {
  const withToken = async (content: string) => (await sign()).replace(/(<wsse:BinarySecurityToken [^>]*>)[^<]*(<\/wsse:BinarySecurityToken>)/, `$1${content}$2`);

  it("refuses a BinarySecurityToken over 16 KiB", async () => {
    const big = btoa(String.fromCharCode(...new Uint8Array(17 * 1024).fill(0x30)));
    refused(await send(await withToken(big)), "wst:FailedAuthentication");
  });

  it("refuses a BinarySecurityToken that is not base64, or not a certificate", async () => {
    refused(await send(await withToken("%%% not base64 %%%")), "wst:FailedAuthentication");
    refused(await send(await withToken(btoa("a certificate, honestly"))), "wst:FailedAuthentication");
    // DER that starts like a certificate and stops.
    refused(await send(await withToken("MIIDcDCCAligAwIBAgIRShHOAAAA")), "wst:FailedAuthentication");
  });
});

describe("certificatemixed: a signed message is accepted once, however its signature is spelt", () => {
  it("an ECDSA signature (r, s) re-sent as (r, n − s), which verifies too, is the same message: refused as a replay", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const day = 86400_000;
    const der = await buildSelfSignedCertificate({ privateKey: pair.privateKey, publicKey: pair.publicKey, commonName: "ec-alice", notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + day) });
    const keyPem = derToPem(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer), "PRIVATE KEY");
    const f = withCertificates({ ...DEV_TRUST, principals: [...DEV_TRUST.principals, { sha256: await certificateThumbprint(parseCertificate(der)), principal: "alice" }] });
    const body = await sign({ keyPem, certPem: derToPem(der, "CERTIFICATE"), ecdsa: true });
    const address = freshAddress();
    const first = await send(body, f, address);
    expect(first.status, first.text).toBe(200);
    refused(await send(body, f, address), "wsse:MessageExpired", /received before/);
    // The other spelling: s' = n − s over P-256's group order n.
    const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const value = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(body)![1]!;
    const raw = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
    const s = BigInt("0x" + Array.from(raw.subarray(32), (b) => b.toString(16).padStart(2, "0")).join(""));
    const flipped = (N - s).toString(16).padStart(64, "0");
    const respelt = Uint8Array.of(...raw.subarray(0, 32), ...Array.from({ length: 32 }, (_, i) => parseInt(flipped.slice(2 * i, 2 * i + 2), 16)));
    const replay = body.replace(value, btoa(String.fromCharCode(...respelt)));
    expect(replay).not.toBe(body);
    refused(await send(replay, f, address), "wsse:MessageExpired", /received before/);
  });
});

describe("certificatemixed: guessing", () => {
  let forged: string;
  beforeAll(async () => {
    forged = (await sign()).replace("urn:example:rp", "https://api.example.com/");
  });

  it("the 11th failed signature from one address is 429 with Retry-After; another address is unaffected", async () => {
    const address = freshAddress();
    for (let i = 0; i < 10; i++) {
      const r = await send(forged, call, address);
      refused(r, "wst:FailedAuthentication");
    }
    const res = await call(PATH, { method: "POST", headers: { ...HEADERS, "CF-Connecting-IP": address }, body: forged });
    const text = await res.text();
    expect(res.status, text).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(text).not.toMatch(/Assertion/);
    // Even a good message from that address waits out the window; another address is served.
    refused(await send(await sign(), call, address));
    expect((await send(await sign())).status).toBe(200);
  });
});
