#!/usr/bin/env node
// In-process micro-benchmarks: the same RSA-2048 key and the same SAML 2.0 assertion
// signed and verified by our code (src/, imported directly — Node 22 strips the types), by
// xml-crypto and by xmldsigjs; our exclusive c14n alone; the raw RSA-2048 sign as the floor.
// The signed assertion encrypted for the same RSA-2048 encryption certificate (secure-rp's) by
// our XML Encryption and by xml-encryption, aes256-gcm + rsa-oaep-mgf1p, with the WebCrypto
// floor (content-key import, AES-GCM, RSA-OAEP and nothing else).
// Realm selection (src/http/realm.ts), the one per-request step realms add: 1,000 selections of
// the same request URL under the development configuration without its second realm and with it.
//
// Usage: node scripts/bench/micro.mjs [--time-ms 1500] [--rounds 5] [--json]
//   (or via `npm run bench -- --micro-only`). Runs single-threaded, one case after another.
//   `npm run bench` runs it twice in processes of its own: pinned to one CPU, which it judges
//   (as `taskset -c 0 node scripts/bench/micro.mjs`), and on all CPUs, which it reports beside
//   (why: runMicroChild in scripts/bench/run.mjs).
//
// Fairness: every "sign" case goes string in → signed string out (parse, canonicalize, digest,
// sign, serialize), and every "verify" case string in → boolean out, so no library gets to
// skip the parse. "ours: build+sign" is what the STS actually does per Issue (DOM built
// directly, never parsed) and is reported for information.
import { createPublicKey, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { DOMImplementation, DOMParser, XMLSerializer } from "@xmldom/xmldom";
import xpath from "xpath";
import { SignedXml as XmlCryptoSignedXml } from "xml-crypto";
import * as xmldsigjs from "xmldsigjs";
// xmldsigjs 2.8's README imports setNodeDependencies from "xmldsigjs", but 2.8.8 only exports it
// from its own dependency xml-core (installed with it): register xmldom there.
import { setNodeDependencies } from "xml-core";
import xmlEncryption from "xml-encryption";

import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { signEnveloped } from "../../src/xmldsig/sign.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { prescanXml } from "../../src/xml/prescan.ts";
import { assertionInput } from "../../test/helpers/assertion-input.ts";
import { C14N_10, canonicalize, EXC_C14N } from "../../src/xml/c14n.ts";
import { parseXsDateTime } from "../../src/xml/datetime.ts";
import { loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import { encryptElement } from "../../src/xmlenc/encrypt.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { selectRealm } from "../../src/http/realm.ts";

const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";

function parseArgs(argv) {
  const o = { timeMs: 1500, rounds: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--time-ms") o.timeMs = Number(argv[++i]);
    else if (argv[i] === "--rounds") o.rounds = Number(argv[++i]);
    else if (argv[i] === "--json") o.json = true;
    else throw new Error(`micro: unknown argument ${argv[i]}`);
  }
  return o;
}

/**
 * Runs `fn` (sync or async) one call at a time for about `timeMs` after a warm-up. Returns wall
 * ms/op (latency of one call) and CPU ms/op (user+system of the whole process, so the libuv
 * threads that run Node's asynchronous WebCrypto jobs are counted too).
 */
async function measure(name, fn, timeMs) {
  const warmEnd = performance.now() + Math.min(300, timeMs / 4);
  while (performance.now() < warmEnd) await fn();
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < timeMs) {
    for (let i = 0; i < 10; i++) await fn();
    n += 10;
    t1 = performance.now();
  }
  const c = process.cpuUsage(c0);
  const msPerOp = (t1 - t0) / n;
  return { name, ops: n, msPerOp, cpuMsPerOp: (c.user + c.system) / 1000 / n, opsPerSec: 1000 / msPerOp };
}

/** The input every library signs: our SAML 2.0 assertion for alice, with the signature cut out. */
async function fixtures() {
  const ring = await KeyRing.load(DEV_KEY_MATERIALS);
  const key = ring.current("RSA");
  const rsaMaterial = DEV_KEY_MATERIALS.find((m) => m.status === "current" && m.privateKeyPem?.length > 1000);
  const input = assertionInput({
    at: new Date("2026-01-01T00:00:00Z"),
    claims: { email: ["alice@example.com"], given_name: ["Alice"], name: ["alice"], role: ["admin", "user"] },
  });
  const signedOurs = await buildSaml2Assertion(input, ring);
  const doc = parseXml(signedOurs);
  const sig = doc.documentElement.getElementsByTagNameNS(DSIG, "Signature")[0];
  sig.parentNode.removeChild(sig);
  const unsigned = new XMLSerializer().serializeToString(doc);
  const privateKey = await key.privateKeyFor("RS256");
  // Extractable: xmldsigjs re-exports the verification key on every Verify().
  const { kty, n, e } = key.publicJwk;
  const publicKey = await webcrypto.subtle.importKey("jwk", { kty, n, e }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
  const certPem = rsaMaterial.certificatePem;
  return { ring, key, input, unsigned, signedOurs, id: input.id, privateKey, publicKey, privatePem: rsaMaterial.privateKeyPem, certPem };
}

// ---- signers: string in, signed string out -------------------------------------------------

async function oursSign(f) {
  const doc = parseXml(f.unsigned);
  const root = doc.documentElement;
  const issuer = root.getElementsByTagNameNS(SAML2, "Issuer")[0];
  await signEnveloped(root, { key: f.key, signatureAlgorithm: RSA_SHA256, digestAlgorithm: SHA256, referenceId: f.id, insertAfter: issuer });
  return new XMLSerializer().serializeToString(doc);
}

async function oursBuildSign(f) {
  return buildSaml2Assertion(f.input, f.ring);
}

function xmlCryptoSign(f) {
  const sig = new XmlCryptoSignedXml({
    privateKey: f.privatePem,
    publicCert: f.certPem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({ xpath: "/*[local-name(.)='Assertion']", digestAlgorithm: SHA256, transforms: [ENVELOPED, EXC_C14N] });
  sig.computeSignature(f.unsigned, { location: { reference: "/*/*[local-name(.)='Issuer']", action: "after" } });
  return sig.getSignedXml();
}

async function xmldsigjsSign(f) {
  const doc = xmldsigjs.Parse(f.unsigned);
  const signed = new xmldsigjs.SignedXml(doc);
  const signature = await signed.Sign({ name: "RSASSA-PKCS1-v1_5" }, f.privateKey, doc, {
    references: [{ hash: "SHA-256", transforms: ["enveloped", "exc-c14n"], uri: `#${f.id}` }],
    x509: [f.key.certificateBase64],
  });
  const root = doc.documentElement;
  const issuer = root.getElementsByTagNameNS(SAML2, "Issuer")[0];
  root.insertBefore(signature.GetXml(), issuer.nextSibling);
  return new XMLSerializer().serializeToString(doc);
}

// ---- encryptors: the signed assertion in, EncryptedData out -------------------------------

const AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
const RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RP_CERT_PEM = readFileSync(new URL("../../test/fixtures/dev-credentials/secure-rp.cert.pem", import.meta.url), "utf8");
const RP_KEY_PEM = readFileSync(new URL("../../test/fixtures/dev-credentials/secure-rp.key.pem", import.meta.url), "utf8");

/**
 * Each library as it is meant to be used: ours with the recipient certificate loaded once (the
 * STS keeps it with the configuration, its RSA key imported on first use); xml-encryption with
 * the PEM options its README shows, which it reads on every call (it has no other form).
 */
async function encryptionFixtures() {
  const cert = await loadEncryptionCertificate(RP_CERT_PEM);
  const spkiPem = createPublicKey(RP_CERT_PEM).export({ type: "spki", format: "pem" });
  const theirOptions = { rsa_pub: spkiPem, pem: RP_CERT_PEM, encryptionAlgorithm: AES256_GCM, keyEncryptionAlgorithm: RSA_OAEP_MGF1P, warnInsecureAlgorithm: false };
  const rsa = await cert.publicKeyFor("SHA-1");
  return { cert, key: await loadDecryptionKey(RP_KEY_PEM, RP_CERT_PEM), theirOptions, rsa };
}

function oursEncrypt(e, xml) {
  return encryptElement(xml, e.cert, { dataAlgorithm: AES256_GCM, keyTransport: RSA_OAEP_MGF1P });
}

function xmlEncryptionEncrypt(e, xml) {
  return new Promise((resolve, reject) => xmlEncryption.encrypt(xml, e.theirOptions, (err, out) => (err ? reject(err) : resolve(out))));
}

function xmlEncryptionDecrypt(xml) {
  return new Promise((resolve, reject) => xmlEncryption.decrypt(xml, { key: RP_KEY_PEM }, (err, out) => (err ? reject(err) : resolve(out))));
}

/** What any WebCrypto XML encryptor must at least do: import a fresh content key, AES-GCM, RSA-OAEP. */
async function encryptFloor(e, payload) {
  const raw = webcrypto.getRandomValues(new Uint8Array(32));
  const cek = await webcrypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const iv = webcrypto.getRandomValues(new Uint8Array(12));
  await webcrypto.subtle.encrypt({ name: "AES-GCM", iv }, cek, payload);
  return webcrypto.subtle.encrypt({ name: "RSA-OAEP" }, e.rsa, raw);
}

// ---- verifiers: string in, boolean out -----------------------------------------------------

async function oursVerify(f, xml) {
  const doc = parseXml(xml);
  const r = await verifyEnveloped(doc.documentElement, { keys: [f.key] });
  return r.ok;
}

function xmlCryptoVerify(f, xml) {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const sigNode = xpath.select1("/*/*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']", doc);
  const v = new XmlCryptoSignedXml({ publicCert: f.certPem, getCertFromKeyInfo: () => null });
  v.loadSignature(sigNode);
  return v.checkSignature(xml);
}

async function xmldsigjsVerify(f, xml) {
  const doc = xmldsigjs.Parse(xml);
  const signed = new xmldsigjs.SignedXml(doc);
  signed.LoadXml(doc.getElementsByTagNameNS(DSIG, "Signature")[0]);
  return signed.Verify(f.publicKey);
}

/** Runs every case; returns { cases, ratios, inputBytes }. Verifies cross-compatibility first. */
export async function runMicro({ timeMs = 1500, rounds = 5 } = {}) {
  xmldsigjs.Application.setEngine("NodeJS", webcrypto);
  setNodeDependencies({ XMLSerializer, DOMParser, DOMImplementation, xpath });
  const f = await fixtures();
  // Sanity: each library's output verifies with ours and with xml-crypto, so all do the same work.
  const outputs = { ours: await oursSign(f), "xml-crypto": xmlCryptoSign(f), xmldsigjs: await xmldsigjsSign(f) };
  for (const [who, xml] of Object.entries(outputs)) {
    if (!(await oursVerify(f, xml))) throw new Error(`micro: ${who}'s signature does not verify with ours`);
    if (!xmlCryptoVerify(f, xml)) throw new Error(`micro: ${who}'s signature does not verify with xml-crypto`);
  }
  if (!(await xmldsigjsVerify(f, outputs.ours))) throw new Error("micro: ours does not verify with xmldsigjs");
  const signed = outputs.ours;
  const doc = parseXml(signed);
  const payload = new Uint8Array(new TextEncoder().encode(f.unsigned));
  // Sanity: each encryptor's output decrypts with the other to the signed assertion itself.
  const e = await encryptionFixtures();
  const signedBytes = new TextEncoder().encode(signed);
  const theirs = await xmlEncryptionEncrypt(e, signed);
  const back = await decryptElement(parseXml(theirs).documentElement, e.key);
  if (Buffer.compare(Buffer.from(back.plaintext), Buffer.from(signedBytes)) !== 0) throw new Error("micro: xml-encryption's EncryptedData does not decrypt with ours");
  if ((await xmlEncryptionDecrypt(await oursEncrypt(e, signed))) !== signed) throw new Error("micro: our EncryptedData does not decrypt with xml-encryption");

  // Realm selection: the same URLs under one configuration without further realms and under the
  // development configuration (two realms); 1,000 selections per call, so the call's own await
  // does not drown them.
  const { realms: _realms, ...oneRealm } = DEV_CONFIG;
  const single = validateConfig(oneRealm, DEV_SECRETS, { mode: "development" });
  const two = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
  const TOKEN_URL = "http://127.0.0.1:8787/oauth2/token";
  const select = (config, url, origin) => () => {
    let last;
    for (let i = 0; i < 1000; i++) last = selectRealm(config, url, origin);
    return last;
  };
  if (select(two, "http://127.0.0.1:8787/realms/realm2/oauth2/token", "http://127.0.0.1:8787")().config.realm !== "realm2") throw new Error("micro: realm selection by prefix did not select realm2");

  // Hostile inputs read before any signature is checked, each beside a benign twin of the same
  // size: what the sender's choice of markup costs over plain text of that length. A cost that
  // grew with the square of the input would make these ratios grow with the size.
  const nsDecls = (level, n) => Array.from({ length: n }, (_, i) => `xmlns:p${i}="urn:${level}:${i}"`).join(" ");
  let deep = "";
  for (let level = 0; level < 40; level++) deep += `<x ${nsDecls(level, 60)}>`;
  const deepScopes = parseXml(deep + "<p1:y/>".repeat(8_000) + "</x>".repeat(40)).documentElement;
  const flat = parseXml(`<x ${nsDecls(0, 60)}>` + "<y/>".repeat(5_000) + "</x>").documentElement;
  const longList = Array.from({ length: 2_000 }, (_, i) => `p${i}`);
  const innerSpaces = "2027-01-01T00:00:00Z" + " ".repeat(40_000) + "x";
  // The parser's pre-scan over 8 × the markup (comments, CDATA, '>' and '<' in attribute values).
  const scanUnit = '<e a="x>y" b=\'<\'>text &amp; more<!-- c > <a> --><![CDATA[ < > ]]></e>';
  const scanLimits = { maxBytes: 16 << 20, maxDepth: 64, maxElements: 1e7, maxAttributesPerElement: 64 };
  const [scanSmall, scanBig] = [16_000, 128_000].map((n) => "<r>" + scanUnit.repeat(n) + "</r>");
  const leadingSpaces = " ".repeat(40_000) + "2027-01-01T00:00:00Z";

  // Cases run interleaved in rounds and each reports its median round: on a shared 2-core machine
  // a burst of someone else's load then hits every case alike instead of one.
  const defs = [
    ["raw RSA-2048 sign", () => webcrypto.subtle.sign("RSASSA-PKCS1-v1_5", f.privateKey, payload)],
    // What any WebCrypto XML signer must at least do: digest the Reference, then sign.
    ["floor: WebCrypto SHA-256 + RSA sign", async () => {
      await webcrypto.subtle.digest("SHA-256", payload);
      return webcrypto.subtle.sign("RSASSA-PKCS1-v1_5", f.privateKey, payload);
    }],
    ["ours: exc-c14n of the assertion", () => canonicalize(doc.documentElement, { algorithm: EXC_C14N })],
    ["ours: parseXml of the assertion", () => parseXml(signed)],
    ["ours: sign (string→string)", () => oursSign(f)],
    ["ours: build+sign (as Issue does)", () => oursBuildSign(f)],
    ["xml-crypto: sign", () => xmlCryptoSign(f)],
    ["xmldsigjs: sign", () => xmldsigjsSign(f)],
    ["ours: verify (string→bool)", () => oursVerify(f, signed)],
    ["xml-crypto: verify", () => xmlCryptoVerify(f, signed)],
    ["xmldsigjs: verify", () => xmldsigjsVerify(f, signed)],
    ["encrypt floor: WebCrypto AES-GCM + RSA-OAEP", () => encryptFloor(e, signedBytes)],
    ["ours: encrypt (aes256-gcm, mgf1p)", () => oursEncrypt(e, signed)],
    ["xml-encryption: encrypt", () => xmlEncryptionEncrypt(e, signed)],
    ["hostile: inclusive c14n, 40 levels × 60 namespaces, 8,000 leaves", () => canonicalize(deepScopes, { algorithm: C14N_10 })],
    ["hostile twin: exclusive c14n of the same", () => canonicalize(deepScopes, { algorithm: EXC_C14N })],
    ["hostile: exc-c14n, a 2,000-prefix PrefixList, 5,000 leaves", () => canonicalize(flat, { algorithm: EXC_C14N, inclusivePrefixes: longList })],
    ["hostile twin: the same with a 2-prefix PrefixList", () => canonicalize(flat, { algorithm: EXC_C14N, inclusivePrefixes: ["p0", "p1"] })],
    ["hostile: xs:dateTime, 40,000 spaces inside", () => parseXsDateTime(innerSpaces)],
    ["hostile twin: xs:dateTime, 40,000 leading spaces", () => parseXsDateTime(leadingSpaces)],
    ["parse pre-scan: 128,000 elements", () => prescanXml(scanBig, scanLimits, false)],
    ["parse pre-scan: 16,000 elements", () => prescanXml(scanSmall, scanLimits, false)],
    ["realms: 1,000 selections, single-realm configuration", select(single, TOKEN_URL, "http://127.0.0.1:8787")],
    ["realms: 1,000 selections, two realms, first realm", select(two, TOKEN_URL, "http://127.0.0.1:8787")],
    ["realms: 1,000 selections, two realms, second by host", select(two, "http://realm2.localhost:8787/oauth2/token", "http://realm2.localhost:8787")],
    ["realms: 1,000 selections, two realms, second by prefix", select(two, "http://127.0.0.1:8787/realms/realm2/oauth2/token", "http://127.0.0.1:8787")],
  ];
  const perRound = defs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < defs.length; i++) perRound[i].push(await measure(defs[i][0], defs[i][1], timeMs / rounds));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const cases = defs.map(([name], i) => {
    const ms = median(perRound[i].map((x) => x.msPerOp));
    return {
      name,
      ops: perRound[i].reduce((a, x) => a + x.ops, 0),
      msPerOp: ms,
      cpuMsPerOp: median(perRound[i].map((x) => x.cpuMsPerOp)),
      opsPerSec: 1000 / ms,
      rounds: perRound[i].map((x) => Number(x.msPerOp.toFixed(4))),
    };
  });

  const ms = (n) => cases.find((c) => c.name.startsWith(n)).msPerOp;
  const ratios = {
    signVsXmlCrypto: ms("xml-crypto: sign") / ms("ours: sign"),
    signVsXmldsigjs: ms("xmldsigjs: sign") / ms("ours: sign"),
    verifyVsXmlCrypto: ms("xml-crypto: verify") / ms("ours: verify"),
    verifyVsXmldsigjs: ms("xmldsigjs: verify") / ms("ours: verify"),
    buildSignVsXmlCrypto: ms("xml-crypto: sign") / ms("ours: build+sign"),
    buildSignVsXmldsigjs: ms("xmldsigjs: sign") / ms("ours: build+sign"),
    signOverRawRsa: ms("ours: sign") / ms("raw RSA-2048 sign"),
    buildSignOverFloor: ms("ours: build+sign") / ms("floor: WebCrypto"),
    floorVsXmlCrypto: ms("xml-crypto: sign") / ms("floor: WebCrypto"),
    floorVsXmldsigjs: ms("xmldsigjs: sign") / ms("floor: WebCrypto"),
    encryptVsXmlEncryption: ms("xml-encryption: encrypt") / ms("ours: encrypt"),
    encryptOverFloor: ms("ours: encrypt") / ms("encrypt floor"),
    encryptFloorVsXmlEncryption: ms("xml-encryption: encrypt") / ms("encrypt floor"),
    // Each hostile input's time over its benign twin's.
    hostileInclusiveC14n: ms("hostile: inclusive c14n") / ms("hostile twin: exclusive c14n"),
    hostilePrefixList: ms("hostile: exc-c14n, a 2,000") / ms("hostile twin: the same with a 2-prefix"),
    hostileDateTime: ms("hostile: xs:dateTime") / ms("hostile twin: xs:dateTime"),
    // 8 × the markup over 1 ×: about 8 when the pre-scan is linear, 64 when quadratic.
    prescanGrowth: ms("parse pre-scan: 128,000") / ms("parse pre-scan: 16,000"),
    // Nanoseconds one realm selection takes (each case makes 1,000).
    realmSelectNsSingle: ms("realms: 1,000 selections, single") * 1000,
    realmSelectNsTwoFirst: ms("realms: 1,000 selections, two realms, first") * 1000,
    realmSelectNsTwoHost: ms("realms: 1,000 selections, two realms, second by host") * 1000,
    realmSelectNsTwoPrefix: ms("realms: 1,000 selections, two realms, second by prefix") * 1000,
  };
  return { cases, ratios, assertionBytes: signed.length, unsignedBytes: f.unsigned.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(process.argv.slice(2));
  const r = await runMicro(o);
  if (o.json) console.log(JSON.stringify(r, null, 2));
  else {
    for (const c of r.cases) console.log(`${c.name.padEnd(36)} ${c.msPerOp.toFixed(3).padStart(8)} ms/op ${c.cpuMsPerOp.toFixed(3).padStart(8)} cpu-ms/op ${Math.round(c.opsPerSec).toString().padStart(7)} ops/s`);
    for (const [k, v] of Object.entries(r.ratios)) console.log(`${k.padEnd(20)} ${v.toFixed(2)}×`);
    console.log(`assertion: ${r.unsignedBytes} bytes unsigned, ${r.assertionBytes} signed`);
  }
}
