#!/usr/bin/env node
// Key and certificate tool for people (Node 22: imports the worker's own src/keys/*.ts, which
// Node runs by stripping types; system Node 20 cannot, so use `npx node` or an npm script).
//   npm run sts -- keys generate --type rsa|ec [--bits 2048] [--curve P-256] --cn NAME --days N --out DIR
//     writes DIR/private-key.pem (PKCS#8, mode 0600) and DIR/certificate.pem (self-signed X.509 v3)
//   npm run sts -- keys inspect --cert FILE.pem
//     prints subject CN, validity, key type, kid (RFC 7638 thumbprint) and x5t#S256
// `run(args)` is exported for the `npm run sts -- keys ...` dispatcher.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KeyRing } from "../../src/keys/keyring.ts";
import { UsageError, noPositional, parseArgs, withUsage } from "./input.mjs";
import { makeDirectory } from "./output.mjs";
import { readCertificateFile } from "./pem.mjs";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate, parseCertificate } from "../../src/keys/x509.ts";

/** Ten years: a longer certificate outlives every rotation plan. */
const MAX_DAYS = 3650;

const USAGE = `usage:
  keys generate --type rsa|ec [--bits 2048] [--curve P-256|P-384|P-521] --cn NAME [--days 365] --out DIR
  keys inspect --cert FILE.pem`;

/** Generates a key pair and a self-signed certificate; returns both as PEM strings. */
export async function generate({ type, bits = 2048, curve = "P-256", cn, days }) {
  const algorithm =
    type === "rsa"
      ? { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
      : { name: "ECDSA", namedCurve: curve };
  const { privateKey, publicKey } = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const hash = type === "ec" && curve === "P-384" ? "SHA-384" : type === "ec" && curve === "P-521" ? "SHA-512" : "SHA-256";
  // Back-date a minute so a verifier with a slightly slow clock accepts it at once.
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const der = await buildSelfSignedCertificate({ privateKey, publicKey, commonName: cn, notBefore, notAfter, hash });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey));
  return { privateKeyPem: derToPem(pkcs8, "PRIVATE KEY"), certificatePem: derToPem(der, "CERTIFICATE") };
}

/** Describes a PEM certificate the way the key ring will see it. */
export async function inspect(certificatePem) {
  const key = (await KeyRing.load([{ status: "previous", certificatePem }])).all()[0];
  const cert = parseCertificate(key.certificateDer);
  return {
    subjectCommonName: cert.subjectCommonName,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    kty: cert.kty,
    ...(cert.namedCurve ? { namedCurve: cert.namedCurve } : { modulusBits: cert.modulusBits }),
    kid: key.kid,
    x5tS256: key.x5tS256,
  };
}

/** The options of `keys generate` and `keys inspect`. */
const OPTIONS = { type: "value", bits: "value", curve: "value", cn: "value", days: "value", out: "value", cert: "value" };

/** CLI entry point; resolves to an exit code. */
export async function run(argv) {
  const [command, ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return 0;
  }
  return withUsage("sts keys", USAGE, () => keys(command, rest));
}

async function keys(command, rest) {
  const { opts, positional } = parseArgs(rest, OPTIONS);
  noPositional(positional);
  const values = { type: "rsa", bits: "2048", curve: "P-256", days: "365", ...opts };
  if (command === "inspect" && values.cert) {
    const pem = readCertificateFile(values.cert, "--cert");
    let described;
    try {
      described = await inspect(pem);
    } catch (e) {
      // The key ring names the configuration entry it loads; here there is one, the file.
      throw new Error(`--cert ${values.cert}: ${e.message.replace(/^keys\[0\]: key #0: /, "")}`);
    }
    console.log(JSON.stringify(described, null, 2));
    return 0;
  }
  const days = Number(values.days);
  const bits = Number(values.bits);
  // Each mistake named, so the caller knows which value to change.
  const wrong = [
    command === "inspect" && "--cert FILE.pem is required",
    command === undefined && "name a command: generate, or inspect --cert FILE",
    command !== undefined && command !== "generate" && command !== "inspect" && `unknown command "${command}" (generate or inspect --cert FILE)`,
    command === "generate" && !values.cn && "--cn NAME is required",
    command === "generate" && !values.out && "--out DIR is required",
    !["rsa", "ec"].includes(values.type) && `--type must be rsa or ec, not "${values.type}"`,
    // An X.509 date stops at 9999-12-31: a certificate beyond it cannot be written or read.
    !(Number.isInteger(days) && days >= 1 && days <= MAX_DAYS) && `--days must be a whole number from 1 to ${MAX_DAYS}`,
    !(values.type !== "rsa" || [2048, 3072, 4096].includes(bits)) && "--bits must be 2048, 3072 or 4096",
    !["P-256", "P-384", "P-521"].includes(values.curve) && "--curve must be P-256, P-384 or P-521",
  ].filter(Boolean);
  if (wrong.length) throw new UsageError(wrong.join("; "));
  const keyFile = join(values.out, "private-key.pem");
  // A key in use is not overwritten: losing it loses every signature's key.
  if (await readFile(keyFile).then(() => true, () => false)) {
    console.error(`sts keys: ${keyFile} exists; choose another --out (a key is never overwritten)`);
    return 1;
  }
  // Before the key is made (an RSA-4096 key takes seconds): a directory that cannot be made fails at once.
  makeDirectory(values.out, "--out");
  const { privateKeyPem, certificatePem } = await generate({ type: values.type, bits, curve: values.curve, cn: values.cn, days });
  await writeFile(keyFile, privateKeyPem, { mode: 0o600, flag: "wx" });
  await writeFile(join(values.out, "certificate.pem"), certificatePem);
  console.log(`wrote ${join(values.out, "private-key.pem")} (keep it secret) and ${join(values.out, "certificate.pem")}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await run(process.argv.slice(2));
