#!/usr/bin/env node
// Key and certificate tool for people (Node 22: imports the worker's own src/keys/*.ts, which
// Node runs by stripping types). Usage:
//   node scripts/keys.mjs generate --type rsa|ec [--bits 2048] [--curve P-256] --cn NAME --days N --out DIR
// Writes DIR/private-key.pem (PKCS#8) and DIR/certificate.pem (self-signed X.509 v3).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { derToPem } from "../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../src/keys/x509.ts";

/** Generates a key pair and a self-signed certificate; returns both as PEM strings. */
export async function generate({ type, bits = 2048, curve = "P-256", cn, days }) {
  const algorithm =
    type === "rsa"
      ? { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
      : { name: "ECDSA", namedCurve: curve };
  const { privateKey, publicKey } = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const hash = type === "ec" && curve === "P-384" ? "SHA-384" : type === "ec" && curve === "P-521" ? "SHA-512" : "SHA-256";
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const der = await buildSelfSignedCertificate({ privateKey, publicKey, commonName: cn, notBefore, notAfter, hash });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey));
  return { privateKeyPem: derToPem(pkcs8, "PRIVATE KEY"), certificatePem: derToPem(der, "CERTIFICATE") };
}

async function main(argv) {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      type: { type: "string", default: "rsa" },
      bits: { type: "string", default: "2048" },
      curve: { type: "string", default: "P-256" },
      cn: { type: "string" },
      days: { type: "string", default: "365" },
      out: { type: "string" },
    },
  });
  if (command !== "generate" || !values.cn || !values.out || !["rsa", "ec"].includes(values.type)) {
    console.error("usage: keys.mjs generate --type rsa|ec [--bits 2048] [--curve P-256|P-384|P-521] --cn NAME --days N --out DIR");
    process.exit(2);
  }
  const { privateKeyPem, certificatePem } = await generate({
    type: values.type,
    bits: Number(values.bits),
    curve: values.curve,
    cn: values.cn,
    days: Number(values.days),
  });
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, "private-key.pem"), privateKeyPem, { mode: 0o600 });
  await writeFile(join(values.out, "certificate.pem"), certificatePem);
  console.log(`wrote ${join(values.out, "private-key.pem")} and ${join(values.out, "certificate.pem")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
