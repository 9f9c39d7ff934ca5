// Wrappers around the independent peers that judge our tokens: xmlsec1 (libxmlsec1/OpenSSL),
// Apache Santuario (Java), pysaml2 (Debian's, /usr/bin/python3) and, for XML Encryption and
// P_SHA1, pyca/cryptography with the standard library (xmlenc_check.py). Each returns
// { ok: boolean, detail: string } and never throws for a verification failure.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Signed-document kinds: the ID attribute and the root element each verifier must pin. */
export const DOC_KINDS = {
  saml2: { idAttr: "ID", ns: "urn:oasis:names:tc:SAML:2.0:assertion", local: "Assertion" },
  saml1: { idAttr: "AssertionID", ns: "urn:oasis:names:tc:SAML:1.0:assertion", local: "Assertion" },
  metadata: { idAttr: "ID", ns: "urn:oasis:names:tc:SAML:2.0:metadata", local: "EntityDescriptor" },
};

const JAVA_DEPS = ["xmlsec.jar", "commons-codec.jar", "slf4j-api.jar", "slf4j-nop.jar"].map((j) => `/usr/share/java/${j}`);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000, ...opts });
  if (r.error) return { status: -1, stdout: "", stderr: String(r.error.message) };
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const lastLines = (s, n = 3) => s.trim().split("\n").slice(-n).join(" | ");

/**
 * xmlsec1 --verify against pinned certificates. `--enabled-key-data key-name` stops xmlsec1 from
 * taking key material out of the document's KeyInfo, so only the pinned key can verify. Passes if
 * any certificate verifies (metadata may list the current and the next signing key).
 */
export function xmlsecVerify(file, certs, kind) {
  const k = DOC_KINDS[kind];
  const tried = [];
  for (const cert of certs) {
    const r = sh("xmlsec1", [
      "--verify",
      "--enabled-key-data", "key-name",
      "--enabled-reference-uris", "empty,same-doc",
      "--pubkey-cert-pem", cert,
      `--id-attr:${k.idAttr}`, `${k.ns}:${k.local}`,
      file,
    ]);
    if (r.status === 0 && /^OK$/m.test(r.stderr)) return { ok: true, detail: `verified with ${cert}` };
    // Keep the lines that say why (digest vs signature vs key), not the X.509 chain noise.
    const why = r.stderr
      .split("\n")
      .filter((l) => /do not match|verification failed|References \(ok\/all\)|^Error/.test(l) && !/x509/i.test(l))
      .map((l) => l.replace(/^func=.*?error=\d+:/, ""));
    tried.push(`${cert.replace(/^.*\//, "")}: ${why.join(" | ") || lastLines(r.stderr, 2)}`);
  }
  return { ok: false, detail: tried.join(" || ") || "no certificates" };
}

/** Compiles SantuarioVerify.java and SantuarioDecrypt.java into outDir; returns the java classpath to run them with. */
export function compileSantuario(outDir) {
  mkdirSync(outDir, { recursive: true });
  const r = sh("javac", ["-cp", JAVA_DEPS[0], "-d", outDir, join(HERE, "SantuarioVerify.java"), join(HERE, "SantuarioDecrypt.java")]);
  if (r.status !== 0) throw new Error(`javac failed: ${r.stderr}`);
  return [outDir, ...JAVA_DEPS].join(":");
}

/** Apache Santuario: signature + Reference-points-at-root checks (see SantuarioVerify.java). */
export function santuarioVerify(classpath, file, certs, kind) {
  const k = DOC_KINDS[kind];
  const tried = [];
  for (const cert of certs) {
    const r = sh("java", ["-cp", classpath, "SantuarioVerify", file, cert, k.idAttr, k.ns, k.local]);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status === 0 && line.startsWith("OK")) return { ok: true, detail: line };
    tried.push(line || lastLines(r.stderr));
  }
  return { ok: false, detail: tried.join(" || ") || "no certificates" };
}

/**
 * xmlsec1 --decrypt with the recipient's private key given on the command line (`keyPem`, plus
 * its certificate when the EncryptedKey names the recipient by certificate: xmlsec1 then looks
 * the key up by that certificate, and a key loaded with it is found). Writes what xmlsec1
 * outputs to `out`: the document with the EncryptedData replaced when its Type is Element, the
 * bare decrypted octets when it has no Type. `unsupported` is set when xmlsec1 refused an
 * algorithm it does not implement (xmlsec1 1.2 has no xmlenc11#rsa-oaep), so that the caller can
 * report a peer's limit apart from a failure.
 */
export function xmlsecDecrypt(file, out, keyPem, certPem) {
  const r = sh("xmlsec1", ["--decrypt", "--privkey-pem", certPem ? `${keyPem},${certPem}` : keyPem, "--output", out, file]);
  if (r.status === 0) return { ok: true, detail: "decrypted" };
  const href = /xmlSecTransformIdListFindByHref.*?href=(\S+)/.exec(r.stderr)?.[1];
  const why = r.stderr.split("\n").filter((l) => /error=|^Error/.test(l) && !/X509_verify_cert|x509-store/.test(l)).map((l) => l.replace(/^func=.*?error=\d+:/, ""));
  return { ok: false, unsupported: href, detail: href ? `xmlsec1 does not implement ${href}` : why.slice(0, 3).join(" | ") || lastLines(r.stderr) };
}

/** Apache Santuario decrypts with the key given (SantuarioDecrypt.java), octets to `out`. */
export function santuarioDecrypt(classpath, file, keyPem, out) {
  const r = sh("java", ["-cp", classpath, "SantuarioDecrypt", file, keyPem, out]);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return { ok: r.status === 0 && line.startsWith("OK"), detail: line || lastLines(r.stderr) };
}

/** Our independent Python reader (xmlenc_check.py: ElementTree, hmac, pyca/cryptography). */
export function pythonXmlenc(args) {
  const r = sh("/usr/bin/python3", [join(HERE, "xmlenc_check.py"), ...args], { env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return { ok: r.status === 0 && line.startsWith("OK "), detail: line || lastLines(r.stderr), value: line.startsWith("OK ") ? line.slice(3) : undefined };
}

/**
 * pysaml2 (Debian's, /usr/bin/python3 — not whatever python3 is first on PATH): claims and,
 * for SAML 2.0, the signature via pysaml2's xmlsec1 backend and (with metadata) its
 * MetadataStore/SecurityContext.
 * @param {{ kind: "saml2"|"saml1", file: string, certs: string[], issuer: string,
 *   subject: string, audience: string, email: string, metadata?: string }} o
 */
export function pysaml2Check(o) {
  const args = [join(HERE, "pysaml2_check.py"), "--kind", o.kind, "--token", o.file];
  for (const c of o.certs) args.push("--cert", c);
  args.push("--issuer", o.issuer, "--subject", o.subject, "--audience", o.audience, "--email", o.email);
  if (o.metadata) args.push("--metadata", o.metadata);
  const r = sh("/usr/bin/python3", args, { env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } });
  const lines = r.stdout.trim().split("\n").filter(Boolean);
  const failed = lines.filter((l) => l.startsWith("FAIL"));
  const skipped = lines.filter((l) => l.startsWith("SKIP"));
  const passed = lines.filter((l) => l.startsWith("PASS"));
  const ok = r.status === 0 && failed.length === 0 && passed.length > 0;
  const note = skipped.length ? ` (${skipped.join("; ")})` : "";
  return { ok, detail: ok ? `${passed.length} checks${note}` : (failed.join("; ") || lastLines(r.stderr)) };
}

/** Signing certificates + entityID from metadata, extracted by metadata_certs.py (stdlib parser). */
export function metadataCerts(file, outDir) {
  const r = sh("/usr/bin/python3", [join(HERE, "metadata_certs.py"), file, outDir]);
  if (r.status !== 0) throw new Error(`metadata_certs.py: ${lastLines(r.stderr)}`);
  return JSON.parse(r.stdout);
}

/** xmllint well-formedness check (libxml2, independent of xmldom). */
export function xmllintWellFormed(file) {
  const r = sh("xmllint", ["--noout", "--nonet", file]);
  return { ok: r.status === 0, detail: r.status === 0 ? "well-formed" : lastLines(r.stderr) };
}

/**
 * The PASS / FAIL / SKIP lines every interop runner prints, counted: `report(name, ok, detail)`,
 * `skip(name, why)`, and `finish(suffix)` printing "N passed, M failed" and setting the exit code.
 */
export function tally() {
  let passed = 0;
  let failed = 0;
  return {
    report(name, ok, detail = "") {
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
    },
    skip(name, why) {
      console.log(`SKIP ${name} — ${why}`);
    },
    finish(suffix = "") {
      console.log(`${passed} passed, ${failed} failed${suffix}`);
      process.exitCode = failed > 0 ? 1 : 0;
    },
  };
}

/**
 * Runs one interop check module on its own when it is the script Node started
 * (`node scripts/interop/<name>.mjs --url URL [--work DIR]`): a work directory, a tally, the
 * STS's federation metadata with its signing certificates and entity ID, then `check` with
 * { base, work, report, skip, certs, issuer }. Does nothing when the module is imported.
 */
export async function runAlone(moduleUrl, name, check) {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? "").href) return;
  const arg = (n) => (process.argv.indexOf(n) > 0 ? process.argv[process.argv.indexOf(n) + 1] : undefined);
  const base = arg("--url") ?? "http://127.0.0.1:8788";
  const work = arg("--work") ?? mkdtempSync(join(tmpdir(), `sts-${name}-`));
  mkdirSync(work, { recursive: true });
  const { report, skip, finish } = tally();
  const md = await fetch(new URL("/FederationMetadata/2007-06/FederationMetadata.xml", base)).then((r) => r.text());
  writeFileSync(join(work, "FederationMetadata.xml"), md);
  const { certs, encryptionCerts, entityID } = metadataCerts(join(work, "FederationMetadata.xml"), join(work, "certs"));
  await check({ base, work, report, skip, certs, encryptionCerts, issuer: entityID });
  finish(` (work dir ${work})`);
}
