// PEM files the CLI reads keys and certificates from: each problem names the option and the
// file and says what the file should hold, never a decoder's own wording.
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { readInputFile } from "./input.mjs";

const PRIVATE_KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/**
 * The text of a PEM file the option names, when it holds a block `shape` matches; else an
 * error naming the option and the file, saying what it should hold, what it holds instead and,
 * from `advice` (by the label found), what to do.
 * @param {Record<string, string>} [advice]  PEM label → what to do when the file holds that
 */
export function readPemFile(path, option, shape, what, advice = {}) {
  const text = readInputFile(path, option);
  if (shape.test(text)) return text;
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  const holds = label === undefined ? "no PEM block" : withArticle(label);
  const todo = label !== undefined && Object.hasOwn(advice, label) ? ` (${advice[label]})` : "";
  throw new Error(`${option} ${path}: ${what} expected, but it holds ${holds}${todo}`);
}

/**
 * A private key to sign with, from a PEM file (PKCS#8, or RSA PKCS#1 / EC SEC 1): RSA, or EC on
 * P-256, what both the certificatemixed request's signature (sign.mjs) and DPoP proofs use.
 * @returns {{ pem: string, key: import("node:crypto").KeyObject }}
 */
export function readSigningKey(path, option) {
  const pem = readPemFile(path, option, /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/, "a PEM private key", {
    "ENCRYPTED PRIVATE KEY": "decrypt it first: openssl pkey -in FILE -out PLAIN.pem",
    CERTIFICATE: option === "--key" ? "are --cert and --key swapped?" : "give the private key, not its certificate",
    "PUBLIC KEY": "give the private key, not its public half",
  });
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${option} ${path}: its PEM private key does not decode`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== "rsa" && !(key.asymmetricKeyType === "ec" && curve === "prime256v1")) {
    const kind = key.asymmetricKeyType === "ec" ? `EC ${curve}` : String(key.asymmetricKeyType).toUpperCase();
    throw new Error(`${option} ${path}: ${withArticle(kind)} key, where RSA or EC P-256 is expected`);
  }
  return { pem, key };
}

/** A certificate from a PEM file (the first, when it holds a chain). */
export function readCertificateFile(path, option, { swapWith } = {}) {
  const swapped = swapWith ? `are ${swapWith} and ${option} swapped?` : "give the certificate";
  return readPemFile(path, option, /-----BEGIN CERTIFICATE-----/, "a PEM certificate", Object.fromEntries(PRIVATE_KEY_LABELS.map((l) => [l, swapped])));
}

/** A public key (RSA or EC) or a certificate carrying one, from a PEM file: its text, decoded once to be sure. */
export function readPublicKeyFile(path, option) {
  const publicHalf = "give its public half: openssl pkey -in FILE -pubout";
  const pem = readPemFile(path, option, /-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY)-----/, "a PEM public key or certificate", Object.fromEntries(PRIVATE_KEY_LABELS.map((l) => [l, publicHalf])));
  const certificate = /-----BEGIN CERTIFICATE-----/.test(pem);
  try {
    if (certificate) new X509Certificate(pem);
    else createPublicKey(pem);
  } catch {
    throw new Error(`${option} ${path}: its PEM ${certificate ? "certificate" : "public key"} does not decode`);
  }
  return pem;
}

/** "a CERTIFICATE", "an EC PRIVATE KEY". */
function withArticle(name) {
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}
