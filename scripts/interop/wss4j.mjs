// certificatemixed requests signed by Apache WSS4J 1.6 (Debian's libwss4j-java), not by our code
// (WssCertificateClient.java): a message signed with the development alice-client key gets a
// SAML 2.0 token for alice over SOAP 1.1 and 1.2 and both WS-Trust namespaces, and the token
// verifies in xmlsec1; copies altered after signing (Body changed, signature wrapped), signed
// with an expired Timestamp or with a self-signed certificate the STS does not trust, or sent a
// second time, get the fault each deserves and never a token.
//
// Holder-of-key issued tokens signed the same way (WssIssuedTokenClient.java): partner assertions
// signed by xmlsec1 that confirm a public key (an openssl-made key pair) or seal a symmetric proof
// key for the STS (sealed with `openssl pkeyutl`, RSA-OAEP, for the decryption certificate the
// STS publishes), put into the Security header by WSS4J, which signs the message with that key
// (RSA-SHA256 or HMAC-SHA256) and names the assertion by its ID. Each gets a token; a message
// signed with another key, an HMAC with another secret, and a second sending are refused.
//
// WS-SecurityPolicy's Basic256 suite, as old WCF clients sign (rsa-sha1 or HMAC-SHA1 over SHA-1
// digests): the server under test (SHA-1 off, the default) advertises Basic256Sha256 in every MEX
// policy and refuses such a certificatemixed message; the same bundle served again with
// requestorCertificates.allowSha1Signatures on (port INTEROP_SHA1_PORT, default 18895)
// advertises Basic256 and gives tokens for such messages over certificatemixed and both
// issued-token endpoints.
//
// WCF's TransportWithMessageCredential signature (the Timestamp and wsa:To, never the Body),
// made by WSS4J: the server under test refuses it at certificatemixed; the same bundle served
// with requestorCertificates.allowTimestampOnlySignatures on (port INTEROP_WCF_PORT, default
// 18897) gives tokens for it.
//
// A service validating its callers' credentials (WssValidateClient.java): a caller's
// UsernameToken made by WSS4J, sent as ValidateTarget by rp-validator, is valid with the right
// password, invalid with another, and refused when sent again; an X.509 BinarySecurityToken
// made by WSS4J is valid for alice-client and invalid for a self-signed certificate.
//
// Part of scripts/interop/run.mjs; also runs alone against a running worker:
//   node scripts/interop/wss4j.mjs --url http://127.0.0.1:8788 [--work DIR]
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isTrustFault, parseIssueResponse } from "../cli/rstr.mjs";
import { NS, parseXml, select } from "../cli/xml.mjs";
import { xmlsecSignAssertion } from "./partner-assertions.mjs";
import { bundleBuilt, serveVariant } from "./variant.mjs";
import { runAlone, xmlsecVerify } from "./verifiers.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const CREDENTIALS = join(HERE, "../../test/fixtures/dev-credentials");
const ALICE = { key: join(CREDENTIALS, "alice-client.key.pem"), cert: join(CREDENTIALS, "alice-client.cert.pem") };
const WSSE = NS.wsse;
const JARS = ["wss4j.jar", "xmlsec.jar", "commons-logging.jar", "commons-codec.jar", "slf4j-api.jar", "slf4j-nop.jar"].map((j) => `/usr/share/java/${j}`);

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000 });
  return { status: r.error ? -1 : r.status, stdout: r.stdout ?? "", stderr: r.error ? String(r.error.message) : (r.stderr ?? "") };
}

/** Compiles the WSS4J clients into outDir; returns the classpath to run them with. */
export function compileWss4j(outDir) {
  const missing = JARS.filter((j) => !existsSync(j));
  if (missing.length) throw new Error(`missing ${missing.join(", ")} (apt-get install libwss4j-java)`);
  mkdirSync(outDir, { recursive: true });
  const sources = ["WssCertificateClient.java", "WssIssuedTokenClient.java", "WssValidateClient.java"].map((f) => join(HERE, f));
  const r = sh("javac", ["-cp", JARS.join(":"), "-d", outDir, ...sources]);
  if (r.status !== 0) throw new Error(`javac failed: ${r.stderr}`);
  return [outDir, ...JARS].join(":");
}

/** A self-signed RSA certificate made here with OpenSSL: valid, but issued by nobody the STS trusts. */
function selfSigned(work, name = "untrusted", cn = "alice") {
  const key = join(work, `${name}.key.pem`);
  const cert = join(work, `${name}.cert.pem`);
  const r = sh("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
    "-subj", `/O=Edge STS development/CN=${cn}`, "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature"]);
  if (r.status !== 0) throw new Error(`openssl req: ${r.stderr.slice(-300)}`);
  return { key, cert };
}

/** Runs one of the WSS4J clients: the HTTP status and the parsed answer. */
function runClient(classpath, mainClass, args) {
  const r = sh("java", ["-cp", classpath, mainClass, ...args]);
  const m = /^HTTP (\d+)\n/.exec(r.stdout);
  if (r.status !== 0 || !m) return { status: 0, result: { ok: false, code: "client:wss4j", reason: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") }, text: "" };
  const text = r.stdout.slice(m[0].length);
  return { status: Number(m[1]), result: parseIssueResponse(text), text };
}

/** A certificatemixed request signed by WssCertificateClient. */
function wss4jRequest(classpath, { endpoint, soap, trust, variant, creds, out }) {
  return runClient(classpath, "WssCertificateClient", [endpoint, soap, trust, variant, creds.key, creds.cert, out]);
}

const nameIdOf = (x) => (x.result.ok ? /<(?:[\w.-]+:)?NameID\b[^>]*>([^<]*)</.exec(x.result.token)?.[1] : undefined);
const describe = (x) => `HTTP ${x.status} ${x.result.ok ? "token issued!" : `${x.result.code} ${x.result.subcode ?? ""}: ${x.result.reason.slice(0, 160)}`}`;
const isWsseFault = (r, local) => !r.ok && [r.code, r.subcode].includes(`{${WSSE}}${local}`);
const noToken = (x) => !x.result.ok && !/RequestedSecurityToken/.test(x.text) && (x.status === 400 || x.status === 500);

/** Runs the checks, reporting through the driver's report/skip callbacks. */
export async function wss4jCheck({ base, work, report, skip, certs, encryptionCerts, issuer }) {
  let classpath;
  try {
    classpath = compileWss4j(join(work, "wss4j-java"));
  } catch (e) {
    report("wss4j: compile WssCertificateClient.java", false, e.message);
    return;
  }
  const dir = join(work, "wss4j");
  mkdirSync(dir, { recursive: true });
  const endpointOf = (trust) => new URL(`/trust/${trust}/certificatemixed`, base).href;

  for (const soap of ["1.1", "1.2"]) {
    for (const trust of ["13", "2005"]) {
      const tag = `wss4j soap${soap} trust${trust}`;
      const x = wss4jRequest(classpath, { endpoint: endpointOf(trust), soap, trust, variant: "good", creds: ALICE, out: join(dir, `request-good-${soap}-${trust}.xml`) });
      const token = x.result.ok ? x.result.token : "";
      const nameId = nameIdOf(x);
      report(`${tag}: signed with alice-client.key.pem → 200, a SAML 2.0 assertion for alice`, x.status === 200 && nameId === "alice",
        x.result.ok ? `NameID ${nameId}` : describe(x));
      if (!token) continue;
      const file = join(dir, `token-${soap}-${trust}.xml`);
      writeFileSync(file, token);
      if (!certs.length) {
        skip(`${tag}: xmlsec1 verifies the assertion`, "no metadata certificate to pin");
        continue;
      }
      const v = xmlsecVerify(file, certs, "saml2");
      report(`${tag}: xmlsec1 verifies the assertion`, v.ok, v.detail);
    }
  }

  let untrusted;
  try {
    untrusted = selfSigned(dir);
  } catch (e) {
    report("wss4j: a self-signed certificate from openssl", false, e.message);
  }
  for (const [soap, trust] of [["1.2", "13"], ["1.1", "2005"]]) {
    const tag = `wss4j negative soap${soap} trust${trust}`;
    const run = (variant, creds = ALICE, name = variant) =>
      wss4jRequest(classpath, { endpoint: endpointOf(trust), soap, trust, variant, creds, out: join(dir, `request-${name}-${soap}-${trust}.xml`) });
    const changed = run("body-changed");
    report(`${tag}: Body changed after signing → wst:FailedAuthentication`, noToken(changed) && isTrustFault(changed.result, "FailedAuthentication"), describe(changed));
    const expired = run("expired");
    report(`${tag}: Timestamp expired (signed) → wsse:MessageExpired`, noToken(expired) && isWsseFault(expired.result, "MessageExpired"), describe(expired));
    const wrapped = run("wrapped");
    report(`${tag}: signed Body wrapped into a header, new Body → fault`, noToken(wrapped) && !wrapped.result.code.startsWith("client:"), describe(wrapped));
    if (untrusted) {
      const u = run("good", untrusted, "untrusted");
      report(`${tag}: signed with a self-signed certificate → wst:FailedAuthentication`, noToken(u) && isTrustFault(u.result, "FailedAuthentication"), describe(u));
    }
    const replay = run("replay");
    report(`${tag}: the good message sent twice → wsse:MessageExpired`, noToken(replay) && isWsseFault(replay.result, "MessageExpired"), describe(replay));
  }

  await wss4jIssuedTokenCheck({ base, work, report, skip, certs, encryptionCerts, classpath, issuer });
  wss4jValidateCheck({ base, work, report, classpath, untrusted });
  await wss4jBasic256Check({ base, work, report, skip, encryptionCerts, classpath });
  await wss4jTimestampOnlyCheck({ base, work, report, skip, classpath });
}

/**
 * A certificatemixed message signed as WCF signs under TransportWithMessageCredential: the
 * Timestamp and wsa:To, not the Body. The server under test (the switch off, the default)
 * refuses it naming the Body; the same bundle served with
 * requestorCertificates.allowTimestampOnlySignatures on gives alice a token for it.
 */
async function wss4jTimestampOnlyCheck({ base, work, report, skip, classpath }) {
  const tag = "wss4j Timestamp-and-To signature (WCF's TransportWithMessageCredential shape)";
  const dir = join(work, "wss4j-timestamp-only");
  mkdirSync(dir, { recursive: true });
  const certificatemixed = (at, soap, trust, name) =>
    wss4jRequest(classpath, { endpoint: new URL(`/trust/${trust}/certificatemixed`, at).href, soap, trust, variant: "timestamp-only", creds: ALICE, out: join(dir, `request-${name}.xml`) });
  const off = certificatemixed(base, "1.2", "13", "off");
  report(`${tag}: allowTimestampOnlySignatures off → wst:FailedAuthentication naming the Body`,
    noToken(off) && isTrustFault(off.result, "FailedAuthentication") && off.text.includes("soap:Body"), describe(off));
  await withSwitchOn({ work, report, skip, tag, name: "wcf-signature", port: Number(process.env.INTEROP_WCF_PORT ?? 18897), field: "allowTimestampOnlySignatures" }, async (at) => {
    for (const [soap, trust] of [["1.2", "13"], ["1.1", "2005"]]) {
      const x = certificatemixed(at, soap, trust, `on-${soap}-${trust}`);
      report(`${tag}: soap${soap} trust${trust}, allowTimestampOnlySignatures on → a token for alice`, x.status === 200 && nameIdOf(x) === "alice", x.result.ok ? `NameID ${nameIdOf(x)}` : describe(x));
    }
  });
}

/**
 * Runs `checks` against the built bundle served again with the development configuration plus
 * one `requestorCertificates` switch on (`field`), stopping it after; reported as a skip when
 * there is no built bundle, and as a failure when that server does not come up.
 */
async function withSwitchOn({ work, report, skip, tag, name, port, field }, checks) {
  if (!bundleBuilt()) return skip(`${tag}: ${field} on`, `no built bundle in dist/ to serve with ${field}`);
  let served;
  try {
    served = await serveVariant({ work, name, port, change: (dev) => ({ ...dev, requestorCertificates: { ...dev.requestorCertificates, [field]: true } }) });
  } catch (e) {
    return report(`${tag}: the configuration with ${field} serves`, false, e.message);
  }
  try {
    await checks(served.base);
  } finally {
    served.stop();
  }
}

/** The wst:Status code of a Validate answer: "valid", "invalid", or undefined (no status); and its reason. */
const statusOf = (text) => /<(?:[\w.-]+:)?Code>[^<]*\/status\/(valid|invalid)<\//.exec(text)?.[1];
const reasonOf = (text) => /<(?:[\w.-]+:)?Reason>([^<]*)<\//.exec(text)?.[1];

/**
 * A service validating its callers' credentials (WssValidateClient.java), as CXF's
 * STSTokenValidator does: rp-validator sends alice's UsernameToken, made by WSS4J, as
 * ValidateTarget — valid with her password, invalid with another, and refused when the same
 * message (same Nonce and Created) comes a second time — and X.509 BinarySecurityTokens made by
 * WSS4J: alice-client (issued by the development CA) valid, acting as alice; a self-signed one
 * invalid.
 */
function wss4jValidateCheck({ base, work, report, classpath, untrusted }) {
  const dir = join(work, "wss4j-validate");
  mkdirSync(dir, { recursive: true });
  const validator = ["rp-validator", "rp-validator-secret-0f1e2d3c4b5a6978"];
  const run = (soap, trust, args, name) =>
    runClient(classpath, "WssValidateClient", [new URL(`/trust/${trust}/usernamemixed`, base).href, soap, trust, ...validator, ...args, join(dir, `request-${name}.xml`)]);
  const shown = (x) => `HTTP ${x.status} ${statusOf(x.text) ?? x.text.slice(0, 200)}${reasonOf(x.text) ? `: ${reasonOf(x.text)}` : ""}`;
  for (const [soap, trust] of [["1.2", "13"], ["1.1", "2005"]]) {
    const tag = `wss4j credentials as ValidateTarget, soap${soap} trust${trust}`;
    const good = run(soap, trust, ["ut", "alice", "wonderland"], `ut-good-${soap}-${trust}`);
    report(`${tag}: alice's UsernameToken with her password → status valid`, good.status === 200 && statusOf(good.text) === "valid", shown(good));
    const wrong = run(soap, trust, ["ut", "alice", "wonderlanD"], `ut-wrong-${soap}-${trust}`);
    report(`${tag}: a wrong password → status invalid`, wrong.status === 200 && statusOf(wrong.text) === "invalid", shown(wrong));
    const replay = run(soap, trust, ["ut-replay", "alice", "wonderland"], `ut-replay-${soap}-${trust}`);
    report(`${tag}: the same UsernameToken (Nonce, Created) a second time → wsse:MessageExpired`,
      replay.status >= 400 && statusOf(replay.text) === undefined && isWsseFault(replay.result, "MessageExpired"), describe(replay));
    const cert = run(soap, trust, ["x509", ALICE.cert], `x509-good-${soap}-${trust}`);
    report(`${tag}: alice-client's certificate → status valid, acting as alice`,
      cert.status === 200 && statusOf(cert.text) === "valid" && /acts as alice/.test(reasonOf(cert.text) ?? ""), shown(cert));
    if (untrusted) {
      const self = run(soap, trust, ["x509", untrusted.cert], `x509-untrusted-${soap}-${trust}`);
      report(`${tag}: a self-signed certificate → status invalid`, self.status === 200 && statusOf(self.text) === "invalid", shown(self));
    }
  }
}

const DS = "http://www.w3.org/2000/09/xmldsig#";
const pemBody = (pem) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");

/** A ds:KeyInfo sealing `secret` for `certFile` with OpenSSL's RSA-OAEP (SHA-1, MGF1-SHA1): rsa-oaep-mgf1p. */
function sealedKeyInfo(work, secret, certFile) {
  const inFile = join(work, "proof-key.bin");
  const outFile = join(work, "proof-key.sealed");
  writeFileSync(inFile, secret);
  const r = sh("openssl", ["pkeyutl", "-encrypt", "-certin", "-inkey", certFile, "-pkeyopt", "rsa_padding_mode:oaep", "-in", inFile, "-out", outFile]);
  if (r.status !== 0) throw new Error(`openssl pkeyutl -encrypt: ${r.stderr.slice(-300)}`);
  const sealed = readFileSync(outFile).toString("base64");
  return `<ds:KeyInfo xmlns:ds="${DS}"><xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">` +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod><xenc:CipherData><xenc:CipherValue>${sealed}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>`;
}

/**
 * Holder-of-key partner assertions (xmlsec1-signed) for `audience`, each with the key arguments
 * WssIssuedTokenClient signs with: one confirming the public key of an OpenSSL-made device
 * certificate (`ds:X509Data`), and a SAML 2.0 and a SAML 1.1 one sealing a random 32-byte proof
 * key for `stsCert` (the decryption certificate the STS's federation metadata publishes).
 */
function holderOfKeyCases(dir, audience, stsCert) {
  if (!stsCert) throw new Error("federation metadata names no encryption certificate");
  const device = selfSigned(dir, "device", "carol's device");
  const deviceKeyInfo = `<ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data><ds:X509Certificate>${pemBody(readFileSync(device.cert, "utf8"))}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  const secret = randomBytes(32);
  const assertionFile = (kind, holderOfKey, name) => {
    const file = join(dir, `${name}.xml`);
    writeFileSync(file, xmlsecSignAssertion(dir, kind, { audience, holderOfKey }));
    return file;
  };
  return [
    { mode: "rsa", kind: "saml2", soap: "1.2", trust: "13", file: assertionFile("saml2", deviceKeyInfo, "hok-rsa-saml2"), keyArgs: [device.key, device.cert] },
    { mode: "hmac", kind: "saml2", soap: "1.1", trust: "13", file: assertionFile("saml2", sealedKeyInfo(dir, secret, stsCert), "hok-hmac-saml2"), keyArgs: [secret.toString("hex")] },
    { mode: "hmac", kind: "saml1", soap: "1.2", trust: "2005", file: assertionFile("saml1", sealedKeyInfo(dir, secret, stsCert), "hok-hmac-saml1"), keyArgs: [secret.toString("hex")] },
  ];
}

/** An issuedtokenmixed request to `base` endorsed by the case's assertion, signed by WssIssuedTokenClient with `keyArgs`. */
function wss4jIssuedRequest(classpath, base, dir, c, variant, keyArgs, name) {
  const endpoint = new URL(`/trust/${c.trust}/issuedtokenmixed${c.mode === "hmac" ? "symmetric" : "asymmetric"}basic256`, base).href;
  return runClient(classpath, "WssIssuedTokenClient", [endpoint, c.soap, c.trust, c.mode, c.file, ...keyArgs, variant, join(dir, `request-${name}.xml`)]);
}

/**
 * Holder-of-key partner assertions (xmlsec1-signed) endorsing a WSS4J-signed message; the proof
 * key is sealed for the STS's decryption certificate as its federation metadata publishes it
 * (`encryptionCerts`, read by metadata_certs.py).
 */
async function wss4jIssuedTokenCheck({ base, work, report, skip, certs, encryptionCerts = [], classpath, issuer }) {
  const dir = join(work, "wss4j-issued");
  mkdirSync(dir, { recursive: true });
  let cases;
  try {
    cases = holderOfKeyCases(dir, issuer ?? base, encryptionCerts[0]);
  } catch (e) {
    report("wss4j issued token: a device key pair, the STS's published decryption certificate, holder-of-key assertions signed by xmlsec1", false, e.message);
    return;
  }
  const run = (c, variant, keyArgs, name) => wss4jIssuedRequest(classpath, base, dir, c, variant, keyArgs, name);
  for (const c of cases) {
    const tag = `wss4j ${c.mode === "rsa" ? "RSA-SHA256 with the confirmed public key" : "HMAC-SHA256 with the sealed proof key"}, ${c.kind} holder-of-key, soap${c.soap} trust${c.trust}`;
    const name = `${c.mode}-${c.kind}-${c.soap}-${c.trust}`;
    const x = run(c, "good", c.keyArgs, name);
    const token = x.result.ok ? x.result.token : "";
    const nameId = nameIdOf(x);
    report(`${tag}: → 200, a SAML 2.0 assertion for urn:example:partner-idp#carol`, x.status === 200 && nameId === "urn:example:partner-idp#carol", x.result.ok ? `NameID ${nameId}` : describe(x));
    if (!token) continue;
    const file = join(dir, `token-${name}.xml`);
    writeFileSync(file, token);
    if (!certs.length) skip(`${tag}: xmlsec1 verifies the assertion`, "no metadata certificate to pin");
    else {
      const v = xmlsecVerify(file, certs, "saml2");
      report(`${tag}: xmlsec1 verifies the assertion`, v.ok, v.detail);
    }
  }
  const [rsa, hmac] = cases;
  const otherKey = run(rsa, "good", [ALICE.key, ALICE.cert], "rsa-other-key");
  report("wss4j issued token: the message signed with a key the assertion does not confirm → wst:FailedAuthentication", noToken(otherKey) && isTrustFault(otherKey.result, "FailedAuthentication"), describe(otherKey));
  const otherSecret = run(hmac, "good", [randomBytes(32).toString("hex")], "hmac-other-secret");
  report("wss4j issued token: an HMAC with another secret → wst:FailedAuthentication", noToken(otherSecret) && isTrustFault(otherSecret.result, "FailedAuthentication"), describe(otherSecret));
  const replay = run(hmac, "replay", hmac.keyArgs, "hmac-replay");
  report("wss4j issued token: the good HMAC-signed message sent twice → wsse:MessageExpired", noToken(replay) && isWsseFault(replay.result, "MessageExpired"), describe(replay));
}

/** The algorithm suite each WS-SecurityPolicy of the server's WSDL names (WS-SP 1.2 §6.1). */
async function advertisedSuites(base) {
  const wsdl = parseXml(await fetch(new URL("/trust/mex", base)).then((r) => r.text()));
  return select("//*[local-name()='AlgorithmSuite']/wsp:Policy/*", wsdl).map((n) => n.localName);
}

/**
 * WS-SecurityPolicy's Basic256 suite, as old WCF clients sign (rsa-sha1 or HMAC-SHA1 over SHA-1
 * digests). The server under test (the development configuration: SHA-1 off) advertises
 * Basic256Sha256 in every policy and refuses a WSS4J certificatemixed message signed that way;
 * the same bundle served with requestorCertificates.allowSha1Signatures on advertises Basic256
 * and gives tokens for such messages: certificatemixed, and holder-of-key assertions over both
 * issued-token endpoints.
 */
async function wss4jBasic256Check({ base, work, report, skip, encryptionCerts = [], classpath }) {
  const tag = "wss4j Basic256 (rsa-sha1 / HMAC-SHA1, SHA-1 digests)";
  const dir = join(work, "wss4j-basic256");
  mkdirSync(dir, { recursive: true });
  const suites = async (at, expected, what) => {
    const named = await advertisedSuites(at);
    report(`${tag}: ${what}, every MEX policy names ${expected}`, named.length > 0 && named.every((n) => n === expected), `${named.length} policies: ${[...new Set(named)].join(", ")}`);
  };
  const certificatemixed = (at, soap, trust, name) =>
    wss4jRequest(classpath, { endpoint: new URL(`/trust/${trust}/certificatemixed`, at).href, soap, trust, variant: "basic256", creds: ALICE, out: join(dir, `request-${name}.xml`) });

  await suites(base, "Basic256Sha256", "allowSha1Signatures off");
  const off = certificatemixed(base, "1.2", "13", "off");
  report(`${tag}: certificatemixed with allowSha1Signatures off → wst:FailedAuthentication`, noToken(off) && isTrustFault(off.result, "FailedAuthentication"), describe(off));

  await withSwitchOn({ work, report, skip, tag, name: "sha1", port: Number(process.env.INTEROP_SHA1_PORT ?? 18895), field: "allowSha1Signatures" }, async (at) => {
    await suites(at, "Basic256", "allowSha1Signatures on");
    for (const [soap, trust] of [["1.2", "13"], ["1.1", "2005"]]) {
      const x = certificatemixed(at, soap, trust, `on-${soap}-${trust}`);
      report(`${tag}: certificatemixed soap${soap} trust${trust}, allowSha1Signatures on → a token for alice`, x.status === 200 && nameIdOf(x) === "alice", x.result.ok ? `NameID ${nameIdOf(x)}` : describe(x));
    }
    let cases;
    try {
      // The development configuration names no issuer: the variant's is its own origin.
      cases = holderOfKeyCases(dir, at, encryptionCerts[0]);
    } catch (e) {
      return report(`${tag}: holder-of-key assertions for the allowSha1Signatures server`, false, e.message);
    }
    for (const c of cases) {
      const x = wss4jIssuedRequest(classpath, at, dir, c, "basic256", c.keyArgs, `on-${c.mode}-${c.kind}`);
      const how = c.mode === "rsa" ? "rsa-sha1 with the confirmed public key" : "HMAC-SHA1 with the sealed proof key";
      report(`${tag}: ${how}, ${c.kind} holder-of-key, soap${c.soap} trust${c.trust}, allowSha1Signatures on → a token for urn:example:partner-idp#carol`,
        x.status === 200 && nameIdOf(x) === "urn:example:partner-idp#carol", x.result.ok ? `NameID ${nameIdOf(x)}` : describe(x));
    }
  });
}

// Alone: node scripts/interop/wss4j.mjs --url URL [--work DIR]
await runAlone(import.meta.url, "wss4j", wss4jCheck);
