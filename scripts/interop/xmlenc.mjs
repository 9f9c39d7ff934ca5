// XML Encryption and P_SHA1 against independent implementations. The samples come from our
// TypeScript itself (src/xmlenc, src/keys — Node 22 strips the types), run in this process, so
// every algorithm combination is covered (the worker's own encrypted tokens, in the development
// relying party's one combination, are checked by encrypted-tokens.mjs): a SAML 2.0 assertion signed with the
// development signing key, encrypted for the published secure-rp certificate in every
// combination, then decrypted by xmlsec1, Apache Santuario and pyca/cryptography with the
// secure-rp private key; and proof keys, computed with P_SHA1 and put in an EncryptedKey,
// recovered and recomputed in Python.
//
// Part of scripts/interop/run.mjs; also runs alone, without a worker:
//   node scripts/interop/xmlenc.mjs [--work DIR]
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileSantuario, pythonXmlenc, santuarioDecrypt, santuarioVerify, tally, xmlsecDecrypt, xmlsecVerify } from "./verifiers.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const src = (p) => import(pathToFileURL(join(ROOT, "src", p)).href);

export const RP_KEY = join(ROOT, "test/fixtures/dev-credentials/secure-rp.key.pem");
export const RP_CERT = join(ROOT, "test/fixtures/dev-credentials/secure-rp.cert.pem");

const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";
const DATA = ["http://www.w3.org/2009/xmlenc11#aes256-gcm", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"];
const TRANSPORTS = ["http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2009/xmlenc11#rsa-oaep"];
const REFERENCES = ["thumbprint", "certificate"];
const short = (uri) => uri.slice(uri.indexOf("#") + 1);
const b64 = (u8) => Buffer.from(u8).toString("base64");
const hex = (u8) => Buffer.from(u8).toString("hex");

/** A signed SAML 2.0 assertion as the STS issues it (development signing key), and its certificate. */
async function signedAssertion(dir) {
  const { DEV_KEY_MATERIALS } = await src("config/dev-keys.ts");
  const { KeyRing } = await src("keys/keyring.ts");
  const { buildSaml2Assertion } = await src("saml/saml2.ts");
  const { assertionInput } = await import(pathToFileURL(join(ROOT, "test/helpers/assertion-input.ts")).href);
  const ring = await KeyRing.load(DEV_KEY_MATERIALS);
  const xml = await buildSaml2Assertion(
    assertionInput({
      issuer: "http://127.0.0.1:8788",
      audience: "urn:example:secure-rp",
      // Non-ASCII on purpose: the octets must come back as UTF-8, not as character references.
      claims: { email: ["alice@example.com"], given_name: ["Alïce 日本"] },
    }),
    ring,
  );
  const signingCert = join(dir, "dev-signing-cert.pem");
  writeFileSync(signingCert, ring.current("RSA").certificateBase64.replace(/(.{64})/g, "$1\n").replace(/^/, "-----BEGIN CERTIFICATE-----\n").replace(/\n?$/, "\n-----END CERTIFICATE-----\n"));
  return { xml, signingCert };
}

const sameBytes = (file, expected) => Buffer.compare(readFileSync(file), Buffer.from(expected)) === 0;

/**
 * Runs every XML Encryption / P_SHA1 check and reports each through `report(name, ok, detail)`;
 * `skip(name, why)` for a peer's known limit. `javaCp` is the compiled Santuario classpath (or
 * undefined when javac failed, reported by the caller).
 */
export async function xmlencCheck({ work, report, skip, javaCp }) {
  const dir = join(work, "xmlenc");
  mkdirSync(dir, { recursive: true });
  const { loadEncryptionCertificate } = await src("keys/encryption-keys.ts");
  const { encryptElement, encryptKey } = await src("xmlenc/encrypt.ts");
  const { writeExclusive } = await src("xml/tree-writer.ts");
  const { pSha1 } = await src("keys/psha1.ts");
  const rp = await loadEncryptionCertificate(readFileSync(RP_CERT, "utf8"), "secure-rp");
  const { xml: assertion, signingCert } = await signedAssertion(dir);
  const plaintext = Buffer.from(assertion, "utf8");
  writeFileSync(join(dir, "assertion.xml"), assertion);

  let gcmSample;
  for (const data of DATA) {
    for (const keyTransport of TRANSPORTS) {
      for (const recipientReference of REFERENCES) {
        const tag = `xmlenc ${short(data)} ${short(keyTransport)} ${recipientReference}`;
        const name = `${short(data)}-${short(keyTransport)}-${recipientReference}`;
        const ed = await encryptElement(assertion, rp, { dataAlgorithm: data, keyTransport, recipientReference });
        // As a relying party receives it: the EncryptedData inside saml:EncryptedAssertion.
        const file = join(dir, `${name}.xml`);
        writeFileSync(file, `<saml:EncryptedAssertion xmlns:saml="${SAML2}">${ed}</saml:EncryptedAssertion>`);
        // Without Type, xmlsec1 writes the bare decrypted octets instead of a document.
        const bareFile = join(dir, `${name}.bare.xml`);
        writeFileSync(bareFile, ed.replace(/ Type="[^"]*"/, ""));
        if (data === DATA[0] && keyTransport === TRANSPORTS[0] && recipientReference === REFERENCES[0]) gcmSample = file;
        const cert = recipientReference === "certificate" ? RP_CERT : undefined;

        const inPlace = xmlsecDecrypt(file, join(dir, `${name}.xmlsec1.xml`), RP_KEY, cert);
        if (inPlace.unsupported) {
          skip(`${tag}: xmlsec1 decrypts`, `${inPlace.detail} (xmlsec 1.3 does)`);
        } else {
          const v = inPlace.ok ? xmlsecVerify(join(dir, `${name}.xmlsec1.xml`), [signingCert], "saml2") : inPlace;
          report(`${tag}: xmlsec1 decrypts the EncryptedAssertion in place; the assertion's signature then verifies in xmlsec1`, inPlace.ok && v.ok, v.detail);
          const bare = xmlsecDecrypt(bareFile, join(dir, `${name}.xmlsec1.bin`), RP_KEY, cert);
          const exact = bare.ok && sameBytes(join(dir, `${name}.xmlsec1.bin`), plaintext);
          report(`${tag}: xmlsec1's decrypted octets are the signed assertion's, byte for byte`, exact, bare.ok ? `${plaintext.length} bytes${exact ? "" : " — differ"}` : bare.detail);
        }

        if (javaCp) {
          const out = join(dir, `${name}.santuario.bin`);
          const s = santuarioDecrypt(javaCp, file, RP_KEY, out);
          const exact = s.ok && sameBytes(out, plaintext);
          const v = exact ? santuarioVerify(javaCp, out, [signingCert], "saml2") : { ok: false, detail: "" };
          report(`${tag}: Santuario decrypts (octets byte for byte, and in place); the assertion verifies in Santuario`, exact && v.ok, `${s.detail}${exact ? "" : s.ok ? " — octets differ" : ""}${v.detail ? ` | ${v.detail}` : ""}`);
        }

        const out = join(dir, `${name}.python.bin`);
        const p = pythonXmlenc(["data", file, RP_KEY, out]);
        const exact = p.ok && sameBytes(out, plaintext);
        report(`${tag}: pyca/cryptography decrypts to the same octets`, exact, `${p.detail}${p.ok && !exact ? " — octets differ" : ""}`);
      }
    }
  }

  // The peers must refuse a tampered sample, or their agreement above would mean nothing.
  if (gcmSample) {
    const text = readFileSync(gcmSample, "utf8");
    const values = [...text.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)].map((m) => m[1]);
    const bytes = Buffer.from(values[1], "base64");
    bytes[40] ^= 0x01;
    const tampered = join(dir, "tampered-gcm.xml");
    writeFileSync(tampered, text.replace(values[1], bytes.toString("base64")));
    const x = xmlsecDecrypt(tampered, join(dir, "tampered.xmlsec1.xml"), RP_KEY);
    const s = javaCp ? santuarioDecrypt(javaCp, tampered, RP_KEY, join(dir, "tampered.santuario.bin")) : { ok: false };
    const p = pythonXmlenc(["data", tampered, RP_KEY, join(dir, "tampered.python.bin")]);
    report("xmlenc aes256-gcm with one ciphertext bit flipped: xmlsec1, Santuario and pyca/cryptography all refuse it", !x.ok && !s.ok && !p.ok,
      `xmlsec1 ${x.ok ? "decrypted!" : "refused"}, Santuario ${s.ok ? "decrypted!" : javaCp ? "refused" : "not run"}, python ${p.ok ? "decrypted!" : "refused"}`);
  }

  // Proof keys: P_SHA1 of both entropies (ours), in an EncryptedKey (ours); Python recovers the
  // key with its own RSA-OAEP and recomputes P_SHA1 with hmac from the same entropies.
  for (const keyTransport of TRANSPORTS) {
    for (const [reqBytes, issBytes, bits] of [[16, 16, 128], [32, 32, 256], [64, 24, 512]]) {
      const requestor = crypto.getRandomValues(new Uint8Array(reqBytes));
      const issuer = crypto.getRandomValues(new Uint8Array(issBytes));
      const proof = await pSha1(requestor, issuer, bits);
      const file = join(dir, `proof-${short(keyTransport)}-${bits}.xml`);
      writeFileSync(file, writeExclusive(await encryptKey(proof, rp, { keyTransport })));
      const recovered = pythonXmlenc(["key", file, RP_KEY]);
      const recomputed = pythonXmlenc(["psha1", b64(requestor), b64(issuer), String(bits)]);
      const key = recovered.value?.split(" ")[0];
      const ok = recovered.ok && recomputed.ok && key === hex(proof) && recomputed.value === hex(proof);
      report(`proof key ${bits} bits, ${short(keyTransport)}: Python's RSA-OAEP recovers it from the EncryptedKey and Python's P_SHA1 (hmac) of both entropies equals it`, ok,
        ok ? recovered.detail.slice(3 + key.length + 1) : `ours ${hex(proof)}; EncryptedKey → ${recovered.detail}; P_SHA1 → ${recomputed.detail}`);
    }
  }
}

// Alone: node scripts/interop/xmlenc.mjs [--work DIR]
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--work");
  const work = i > 0 ? process.argv[i + 1] : mkdtempSync(join(tmpdir(), "sts-xmlenc-"));
  const { report, skip, finish } = tally();
  let javaCp;
  try {
    javaCp = compileSantuario(join(work, "java"));
  } catch (e) {
    report("santuario: compile SantuarioVerify.java and SantuarioDecrypt.java", false, e.message);
  }
  await xmlencCheck({ work, report, skip, javaCp });
  finish(` (work dir ${work})`);
}
