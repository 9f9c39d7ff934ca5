// Tokens the worker encrypts for urn:example:secure-rp (development configuration), opened by
// independent implementations with the relying party's published key: xmlsec1 and Apache
// Santuario decrypt the SAML 2.0 EncryptedAssertion and the SAML 1.1 EncryptedData issued over
// WS-Trust (every SOAP version and WS-Trust namespace), and the assertion inside then verifies
// with the signing certificate from the federation metadata; jwcrypto decrypts the nested JWE
// from token exchange and verifies the JWT inside with the published JWKS, and Authlib opens the
// same JWE to the same octets.
//
// The development relying party uses one combination (AES-256-GCM, rsa-oaep-mgf1p); every other
// one its configuration allows (aes256-cbc, xmlenc11#rsa-oaep with SHA-256) is checked on the
// built bundle served again with that combination (encryptedTokenVariantsCheck), since the
// worker's issuance path, not only src/xmlenc (xmlenc.mjs), must write what the peers read.
//
// Part of scripts/interop/run.mjs; also runs alone against a running worker:
//   node scripts/interop/encrypted-tokens.mjs --url http://127.0.0.1:8788 [--work DIR]
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requestToken } from "../cli/token.mjs";
import { jwcrypto } from "./jwt.mjs";
import { proofKeyPython, show } from "./proof-keys.mjs";
import { compileSantuario, runAlone, santuarioDecrypt, santuarioVerify, xmlsecDecrypt, xmlsecVerify } from "./verifiers.mjs";
import { bundleBuilt, serveVariant } from "./variant.mjs";
import { RP_KEY } from "./xmlenc.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SECURE = "urn:example:secure-rp";
const XENC = "http://www.w3.org/2001/04/xmlenc#";
const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";
const CLIENT = "Basic " + Buffer.from("demo-client:demo-secret").toString("base64");
const TT = "urn:ietf:params:oauth:token-type:";

/** The root the encrypted form must have: EncryptedAssertion (SAML 2.0) or a bare EncryptedData (SAML 1.1). */
function encryptedRootOk(kind, token) {
  if (kind === "saml2") return new RegExp(`^<([\\w.-]+:)?EncryptedAssertion\\b[^>]*xmlns(:[\\w.-]+)?="${SAML2}"`).test(token) && token.includes(XENC);
  return new RegExp(`^<([\\w.-]+:)?EncryptedData\\b[^>]*xmlns(:[\\w.-]+)?="${XENC.replace(/[.#/]/g, "\\$&")}"`).test(token);
}

/** Runs the checks, reporting through the driver's report/skip callbacks. */
export async function encryptedTokensCheck({ base, work, report, skip, get, certs, javaCp }) {
  await encryptedSamlCheck({ base, work, report, skip, certs, javaCp }, [["1.1", "13"], ["1.1", "2005"], ["1.2", "13"], ["1.2", "2005"]]);
  await encryptedJwtCheck({ base, work, report, get });
}

/** The XML combinations the development relying party does not use, as `encryption` names them. */
const VARIANTS = [
  { dataAlgorithm: "aes256-cbc", keyTransport: "rsa-oaep-mgf1p" },
  { dataAlgorithm: "aes256-gcm", keyTransport: "rsa-oaep" },
  { dataAlgorithm: "aes256-cbc", keyTransport: "rsa-oaep" },
];

/**
 * Every other algorithm combination of `encryption`: the built bundle served again with
 * urn:example:secure-rp set to it (one port, one combination at a time), its SAML 2.0 and 1.1
 * tokens decrypted by xmlsec1 and Santuario and their assertions verified, and a symmetric proof
 * key's EncryptedKey opened in Python. xmlsec1 1.2 does not
 * implement xmlenc11#rsa-oaep; that is reported as the peer's limit, not a failure.
 */
export async function encryptedTokenVariantsCheck({ work, report, skip, certs, javaCp, port = Number(process.env.INTEROP_ENCRYPTION_PORT ?? 18896) }) {
  if (!bundleBuilt()) return skip("encrypted token variants", "no built bundle in dist/ to serve with another encryption combination");
  for (const v of VARIANTS) {
    const name = `${v.dataAlgorithm}+${v.keyTransport}`;
    let served;
    try {
      served = await serveVariant({
        work, name: `encryption-${name}`, port,
        change: (dev) => ({ ...dev, relyingParties: dev.relyingParties.map((rp) => (rp.identifier === SECURE ? { ...rp, encryption: { ...rp.encryption, ...v } } : rp)) }),
      });
    } catch (e) {
      report(`encrypted ${name}: the configuration serves`, false, e.message);
      continue;
    }
    try {
      await encryptedSamlCheck({ base: served.base, work, report, skip, certs, javaCp, variant: v }, [["1.2", "13"], ["1.1", "2005"]]);
      await symmetricProofKeyCheck({ base: served.base, work, report, skip, certs, javaCp, variant: v });
    } finally {
      served.stop();
    }
  }
}

/**
 * A SymmetricKey token under `variant`: the proof key's EncryptedKey in the SubjectConfirmation
 * uses the relying party's keyTransport too. Santuario opens the token (xmlsec1 cannot open
 * xmlenc11#rsa-oaep) and verifies the assertion; pyca/cryptography opens the proof key and finds
 * P_SHA1 of both entropies, computed with hmac (proof_key_check.py).
 */
async function symmetricProofKeyCheck({ base, work, report, skip, certs, javaCp, variant }) {
  const tag = `encrypted ${variant.dataAlgorithm}+${variant.keyTransport} symmetric-key saml2 for ${SECURE}`;
  if (!javaCp || !certs.length) return skip(tag, "needs Santuario and a metadata certificate to pin");
  const entropy = randomBytes(32);
  const r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: SECURE, tokenType: "saml2", keyType: "symmetric", entropy, keySize: 256 });
  const issuer = r.ok ? r.proof?.issuerEntropy : undefined;
  report(`${tag}: issue, with the issuer's entropy in the RSTR`, !!issuer, r.ok ? show(r.proof) : `HTTP ${r.status} ${r.code}: ${r.reason}`);
  if (!issuer) return;
  const stem = join(work, `encrypted-${variant.dataAlgorithm}+${variant.keyTransport}-symmetric`);
  writeFileSync(`${stem}.xml`, r.token);
  const d = santuarioDecrypt(javaCp, `${stem}.xml`, RP_KEY, `${stem}.santuario.xml`);
  const v = d.ok ? santuarioVerify(javaCp, `${stem}.santuario.xml`, certs, "saml2") : { ok: false, detail: "" };
  report(`${tag}: Santuario decrypts; the holder-of-key assertion then verifies in Santuario`, d.ok && v.ok, `${d.detail}${v.detail ? ` | ${v.detail}` : ""}`);
  if (!d.ok) return;
  const p = proofKeyPython(["--assertion", `${stem}.santuario.xml`, "symmetric", "--key", RP_KEY, "--transport", variant.keyTransport,
    "--entropy", entropy.toString("base64"), "--issuer-entropy", issuer.toString("base64"), "--key-size", "256"]);
  report(`${tag}: python cryptography opens the SubjectConfirmation's EncryptedKey (${variant.keyTransport}) = P_SHA1(both entropies) by hmac`, p.ok, p.detail);
}

/** The two algorithm URIs a token encrypted with `variant` must name (the development defaults when none). */
function expectedAlgorithms(variant = { dataAlgorithm: "aes256-gcm", keyTransport: "rsa-oaep-mgf1p" }) {
  const data = variant.dataAlgorithm === "aes256-gcm" ? "http://www.w3.org/2009/xmlenc11#aes256-gcm" : `${XENC}aes256-cbc`;
  const transport = variant.keyTransport === "rsa-oaep" ? "http://www.w3.org/2009/xmlenc11#rsa-oaep" : `${XENC}rsa-oaep-mgf1p`;
  return [data, transport];
}

async function encryptedSamlCheck({ base, work, report, skip, certs, javaCp, variant }, combinations) {
  const label = variant ? ` ${variant.dataAlgorithm}+${variant.keyTransport}` : "";
  const [dataUri, transportUri] = expectedAlgorithms(variant);
  for (const kind of ["saml2", "saml1"]) {
    for (const [soap, trust] of combinations) {
      const tag = `encrypted${label} ${kind} soap${soap} trust${trust} for ${SECURE}`;
      let r;
      try {
        r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: SECURE, tokenType: kind, soap, trust });
      } catch (e) {
        report(`${tag}: issue`, false, e.message);
        continue;
      }
      const rootOk = r.ok && r.kind === "xml" && encryptedRootOk(kind, r.token) && !r.token.includes("alice@example.com")
        && r.token.includes(`Algorithm="${dataUri}"`) && r.token.includes(`Algorithm="${transportUri}"`);
      report(`${tag}: issue → ${kind === "saml2" ? "saml:EncryptedAssertion" : "xenc:EncryptedData"} in RequestedSecurityToken with the configured algorithms, no claim in the clear`, rootOk,
        r.ok ? `${r.token.length} bytes` : `HTTP ${r.status} ${r.code}: ${r.reason}`);
      if (!rootOk) continue;
      const stem = `encrypted${label.replace(/ /g, "-")}-${kind}-soap${soap}-trust${trust}`;
      const file = join(work, `${stem}.xml`);
      writeFileSync(file, r.token);
      if (!certs.length) {
        skip(`${tag}: decrypt and verify`, "no metadata certificate to pin");
        continue;
      }
      const decrypted = join(work, `${stem}.xmlsec1.xml`);
      const x = xmlsecDecrypt(file, decrypted, RP_KEY);
      if (x.unsupported) skip(`${tag}: xmlsec1 decrypts`, x.detail);
      else {
        const xv = x.ok ? xmlsecVerify(decrypted, certs, kind) : x;
        report(`${tag}: xmlsec1 --decrypt with secure-rp.key.pem; the assertion then verifies in xmlsec1`, x.ok && xv.ok, xv.detail);
      }
      if (javaCp) {
        const out = join(work, `${stem}.santuario.xml`);
        const s = santuarioDecrypt(javaCp, file, RP_KEY, out);
        const sv = s.ok ? santuarioVerify(javaCp, out, certs, kind) : { ok: false, detail: "" };
        report(`${tag}: Santuario decrypts; the assertion then verifies in Santuario`, s.ok && sv.ok, `${s.detail}${sv.detail ? ` | ${sv.detail}` : ""}`);
      }
    }
  }
}

/**
 * Token exchange → nested JWE (always RSA-OAEP-256 + A256GCM, whatever the XML algorithms),
 * opened by jwcrypto and Authlib, the JWT inside verified with the JWKS.
 */
async function encryptedJwtCheck({ base, work, report, get }) {
  const meta = await get("/.well-known/oauth-authorization-server");
  let m;
  try {
    m = JSON.parse(meta.text);
  } catch {
    report("encrypted jwt: RFC 8414 metadata", false, `HTTP ${meta.status}`);
    return;
  }
  const subject = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: "https://api.example.com/", tokenType: "jwt" });
  if (!subject.ok) {
    report("encrypted jwt: a subject token to exchange", false, subject.reason);
    return;
  }
  const res = await fetch(m.token_endpoint, {
    method: "POST",
    headers: { authorization: CLIENT, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: subject.token, subject_token_type: `${TT}jwt`,
      audience: SECURE, requested_token_type: `${TT}jwt`,
    }),
  });
  const body = await res.json().catch(() => ({}));
  const jwe = typeof body.access_token === "string" ? body.access_token : "";
  report(`encrypted jwt: token exchange for ${SECURE} → a compact JWE, issued_token_type jwt`, res.status === 200 && jwe.split(".").length === 5 && body.issued_token_type === `${TT}jwt`,
    `HTTP ${res.status} ${body.error ?? ""} ${body.error_description ?? ""}`.trim());
  if (jwe.split(".").length !== 5) return;
  const jweFile = join(work, "encrypted.jwe");
  const innerFile = join(work, "encrypted-inner.jwt");
  writeFileSync(jweFile, jwe);
  const p = spawnSync("/usr/bin/python3", [join(HERE, "jwe_check.py"), "--token", jweFile, "--key", RP_KEY, "--out", innerFile], {
    encoding: "utf8", env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  const lines = (p.stdout ?? "").split("\n").filter(Boolean);
  report("encrypted jwt: jwcrypto and Authlib decrypt the JWE with secure-rp.key.pem to the same JWT (RSA-OAEP-256, A256GCM, cty JWT)", p.status === 0,
    p.status === 0 ? `${lines.length} checks` : lines.filter((l) => l.startsWith("FAIL")).join("; ") || (p.stderr ?? "").slice(-300));
  if (p.status !== 0) return;
  const jwks = await get(m.jwks_uri);
  const jwksFile = join(work, "encrypted-jwks.json");
  writeFileSync(jwksFile, jwks.text);
  const v = jwcrypto(["--token", innerFile, "--jwks", jwksFile, "--audience", SECURE, "--subject", "alice"]);
  report("encrypted jwt: jwcrypto verifies the inner JWT with the JWKS", v.ok, v.detail);
}

// Alone: node scripts/interop/encrypted-tokens.mjs --url URL [--work DIR]
// (the other combinations need a built bundle, npm run build, and port INTEROP_ENCRYPTION_PORT free)
await runAlone(import.meta.url, "encrypted", async (o) => {
  let javaCp;
  try {
    javaCp = compileSantuario(join(o.work, "java"));
  } catch (e) {
    o.report("santuario: compile", false, e.message);
  }
  const get = async (path) => {
    const res = await fetch(new URL(path, o.base));
    return { status: res.status, text: await res.text() };
  };
  await encryptedTokensCheck({ ...o, get, javaCp });
  await encryptedTokenVariantsCheck({ ...o, javaCp });
});
