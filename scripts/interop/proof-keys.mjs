// WS-Trust proof-of-possession keys for urn:example:secure-rp (development configuration),
// checked by independent implementations with the relying party's published key:
//   - SymmetricKey: xmlsec1 --decrypt opens the token, xmlsec1 then verifies the holder-of-key
//     assertion; Python (pyca/cryptography RSA-OAEP, stdlib hmac P_SHA1; proof_key_check.py)
//     opens the proof key in the SubjectConfirmation and finds it equal to P_SHA1(requestor
//     entropy, issuer entropy) — or to the key the RSTR sent, when the requestor sent no entropy;
//   - PublicKey: the token's KeyInfo states exactly the RSA key, EC key or certificate sent.
// The requests are the CLI client's (`sts token --key-type …`), over every SOAP version and
// WS-Trust namespace.
//
// Part of scripts/interop/run.mjs; also runs alone against a running worker:
//   node scripts/interop/proof-keys.mjs --url http://127.0.0.1:8788 [--work DIR]
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requestToken } from "../cli/token.mjs";
import { useKeyFromPem } from "../cli/proof-key.mjs";
import { runAlone, xmlsecDecrypt, xmlsecVerify } from "./verifiers.mjs";
import { RP_KEY } from "./xmlenc.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SECURE = "urn:example:secure-rp";
const RP_CERT = join(HERE, "../../test/fixtures/dev-credentials/secure-rp.cert.pem");

/** The RSTR's proof facts for a report line, secrets as base64. */
export const show = (proof) => JSON.stringify(proof ?? null, (_k, v) => (v && v.type === "Buffer" ? Buffer.from(v.data).toString("base64") : v));

export function proofKeyPython(args) {
  const p = spawnSync("/usr/bin/python3", [join(HERE, "proof_key_check.py"), ...args], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } });
  const lines = (p.stdout ?? "").split("\n").filter(Boolean);
  return { ok: p.status === 0, detail: p.status === 0 ? `${lines.length} checks` : lines.filter((l) => l.startsWith("FAIL")).join("; ") || (p.stderr ?? "").slice(-300) };
}

/** Issues, decrypts with xmlsec1 and verifies; returns the decrypted file or undefined. */
async function issueAndOpen({ base, work, report, certs }, tag, kind, opts) {
  let r;
  try {
    r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: SECURE, tokenType: kind, ...opts });
  } catch (e) {
    report(`${tag}: issue`, false, e.message);
    return undefined;
  }
  const ok = r.ok && r.kind === "xml";
  report(`${tag}: issue`, ok, r.ok ? `${r.token.length} bytes` : `HTTP ${r.status} ${r.code}: ${r.reason}`);
  if (!ok) return undefined;
  const file = join(work, `${tag.replace(/[^\w.-]+/g, "_")}.xml`);
  writeFileSync(file, r.token);
  const out = file.replace(/\.xml$/, ".xmlsec1.xml");
  const d = xmlsecDecrypt(file, out, RP_KEY);
  const v = d.ok ? xmlsecVerify(out, certs, kind) : d;
  report(`${tag}: xmlsec1 --decrypt with secure-rp.key.pem; the holder-of-key assertion then verifies in xmlsec1`, d.ok && v.ok, v.detail);
  return d.ok && v.ok ? { file: out, r } : undefined;
}

/** Runs the checks, reporting through the driver's report/skip callbacks. */
export async function proofKeysCheck({ base, work, report, skip, certs }) {
  if (!certs.length) {
    skip("proof keys", "no metadata certificate to pin");
    return;
  }
  const ctx = { base, work, report, certs };
  for (const soap of ["1.1", "1.2"]) {
    for (const trust of ["13", "2005"]) {
      const kind = soap === "1.1" && trust === "2005" ? "saml1" : "saml2";
      const tag = `symmetric ${kind} soap${soap} trust${trust}`;
      const entropy = randomBytes(32);
      const o = await issueAndOpen(ctx, tag, kind, { soap, trust, keyType: "symmetric", entropy, keySize: 256 });
      if (!o) continue;
      const issuer = o.r.proof?.issuerEntropy;
      report(`${tag}: RSTR has wst:ComputedKey P_SHA1 and the issuer's entropy`, /\/CK\/PSHA1$/.test(o.r.proof?.computedKey ?? "") && issuer?.length === 32, show(o.r.proof));
      if (!issuer) continue;
      const p = proofKeyPython(["--assertion", o.file, "symmetric", "--key", RP_KEY, "--entropy", entropy.toString("base64"), "--issuer-entropy", issuer.toString("base64"), "--key-size", "256"]);
      report(`${tag}: python cryptography opens the SubjectConfirmation's EncryptedKey = P_SHA1(both entropies) by hmac`, p.ok, p.detail);
      // The requestor's side: the key the CLI computed from the RSTR is the one the RP opens.
      const c = o.r.proofKey ? proofKeyPython(["--assertion", o.file, "symmetric", "--key", RP_KEY, "--secret", o.r.proofKey.toString("base64")]) : { ok: false, detail: "the CLI computed no key" };
      report(`${tag}: the CLI's proof key (sts token --key-type symmetric) is that same key`, c.ok, c.detail);
    }
  }
  {
    const tag = "symmetric saml2 without entropy";
    const o = await issueAndOpen(ctx, tag, "saml2", { keyType: "symmetric" });
    if (o) {
      const secret = o.r.proof?.binarySecret;
      report(`${tag}: RSTR has RequestedProofToken/BinarySecret`, secret?.length === 32, show(o.r.proof));
      if (secret) {
        const p = proofKeyPython(["--assertion", o.file, "symmetric", "--key", RP_KEY, "--secret", secret.toString("base64")]);
        report(`${tag}: python cryptography opens the EncryptedKey = the BinarySecret sent`, p.ok, p.detail);
      }
    }
  }
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" });
  const cert = readFileSync(RP_CERT, "utf8");
  for (const [name, pem, kind, trust] of [["RSA-2048 KeyValue", rsa, "saml2", "13"], ["EC P-256 KeyValue", ec, "saml1", "2005"], ["X.509 BinarySecurityToken", cert, "saml2", "2005"]]) {
    const tag = `public-key ${name} ${kind} trust${trust}`;
    const o = await issueAndOpen(ctx, tag, kind, { trust, keyType: "public-key", useKey: useKeyFromPem(pem) });
    if (!o) continue;
    report(`${tag}: no proof token in the RSTR`, o.r.proof === undefined, show(o.r.proof));
    const pemFile = join(work, `${tag.replace(/[^\w.-]+/g, "_")}.pem`);
    writeFileSync(pemFile, pem);
    const p = proofKeyPython(["--assertion", o.file, "public-key", "--public-key", pemFile]);
    report(`${tag}: python cryptography finds the key sent in the holder-of-key KeyInfo`, p.ok, p.detail);
  }
}

// Alone: node scripts/interop/proof-keys.mjs --url URL [--work DIR]
await runAlone(import.meta.url, "proof-keys", proofKeysCheck);
