/**
 * Pairwise (pseudonymous) subjects: the cryptography, protocol-free.
 *
 * A relying party with pairwise subjects sees, instead of the subject's name, the pseudonym
 * base64url(HMAC-SHA256(secret, frame(issuer) ‖ frame(sector) ‖ frame(subject))), where
 * frame(s) is the 4-byte big-endian length of s's UTF-8 bytes followed by those bytes. The
 * length prefixes make the input unambiguous: no two different (issuer, sector, subject)
 * triples give the same bytes, whatever characters the parts contain.
 *
 * The token also carries its real subject sealed for us alone, in its random ID (see
 * `sealSubject`), so a pairwise token presented back (Validate, Renew, Cancel, introspection,
 * exchange) finds its subject without any stored mapping and issuance stays stateless.
 */
import { isolateCaches } from "../cache.ts";
import { fromBase64, fromBase64Url, toBase64Url, utf8, strictUtf8 } from "../bytes.ts";

/** The least a pairwise secret may hold, in bytes (HMAC-SHA256's own key size). */
export const PAIRWISE_SECRET_MIN_BYTES = 32;

/**
 * Decodes the configured secret: base64 or base64url of at least 32 bytes (e.g. the output of
 * `openssl rand -base64 32`). Returns the bytes, or why they are refused.
 */
export function decodePairwiseSecret(value: string): Uint8Array<ArrayBuffer> | string {
  const t = value.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? fromBase64(t) : /^[A-Za-z0-9_-]+$/.test(t) ? fromBase64Url(t) : undefined;
  if (!bytes) return "expected base64 or base64url of at least 32 random bytes (e.g. openssl rand -base64 32)";
  if (bytes.length < PAIRWISE_SECRET_MIN_BYTES) return `holds ${bytes.length} bytes; at least ${PAIRWISE_SECRET_MIN_BYTES} random bytes are needed`;
  // A typed-in placeholder (all one byte value) is no secret, however long.
  if (bytes.every((b) => b === bytes[0])) return "is one byte value repeated, not a random secret";
  return bytes;
}

/** The two keys one pairwise secret yields, imported once per isolate. */
export interface PairwiseKeys {
  /** HMAC-SHA256 over the framed (issuer, sector, subject): the pseudonym. */
  pseudonym: CryptoKey;
  /** AES-256-CTR, HKDF-derived from the secret: seals the real subject into the token ID. */
  seal: CryptoKey;
}

/** Per secret (an object of the validated configuration, so bounded by it). */
const imported = new WeakMap<Uint8Array, Promise<PairwiseKeys>>();

/** The keys of a configured secret, imported on first use and kept for the isolate's life. */
export function pairwiseKeys(secret: Uint8Array<ArrayBuffer>): Promise<PairwiseKeys> {
  let keys = imported.get(secret);
  if (!keys) {
    keys = importKeys(secret);
    imported.set(secret, keys);
  }
  return keys;
}

async function importKeys(secret: Uint8Array<ArrayBuffer>): Promise<PairwiseKeys> {
  const pseudonym = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  // HKDF with its own salt and info: the seal key is independent of the HMAC key, though both
  // come from one secret (RFC 5869 §3.1).
  const base = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  const seal = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8("sts pairwise subject seal"), info: utf8("aes-256-ctr v1") },
    base,
    { name: "AES-CTR", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  return { pseudonym, seal };
}

/** 4-byte big-endian length, then the UTF-8 bytes, of each part. */
export function framed(parts: readonly string[]): Uint8Array<ArrayBuffer> {
  const encoded = parts.map((p) => utf8(p));
  const out = new Uint8Array(encoded.reduce((n, e) => n + 4 + e.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const e of encoded) {
    view.setUint32(at, e.length);
    out.set(e, at + 4);
    at += 4 + e.length;
  }
  return out;
}

/**
 * A pseudonym and an opened seal are pure functions of the keys and their inputs, so an isolate
 * keeps recent ones (src/cache.ts): a user's next token for a sector skips the HMAC, a pairwise
 * token presented again skips the decryption and the HMAC verification (~20 µs and ~65 µs in
 * workerd, measured). Keys are JSON arrays (injective whatever the parts contain, and fresh
 * strings that keep no request text alive) after a number per key set, so one memo serves every
 * configuration of the isolate and never answers for another secret.
 */
// A key is ~150 (pseudonym) to ~300 (opened seal) characters: a few hundred users and tokens
// each, ~150 KiB at most each. Small, because the isolate's cache budget is nearly spent: these
// serve the hot users and the tokens presented again and again, which is where the saving is.
const MEMO = { maxEntries: 256, maxKeyChars: 1024, maxTotalChars: 64 * 1024, entryBytes: 100 };
const pseudonyms = isolateCaches.cache<Promise<string>>("pairwise.pseudonyms", MEMO);
const openedSeals = isolateCaches.cache<SealedNames>("pairwise.opened-seals", MEMO);
const keySetIds = new WeakMap<PairwiseKeys, number>();
let nextKeySetId = 0;

function memoKey(keys: PairwiseKeys, parts: readonly string[]): string {
  let id = keySetIds.get(keys);
  if (id === undefined) keySetIds.set(keys, (id = nextKeySetId++));
  return id + JSON.stringify(parts);
}

/** What every pseudonym looks like: base64url of a 32-byte HMAC-SHA256, 43 characters. */
export const PSEUDONYM_FORM = /^[A-Za-z0-9_-]{43}$/;

/** The pseudonym of `subject` for relying parties of `sector`, under `issuer` (43 characters). */
export function pseudonym(keys: PairwiseKeys, issuer: string, sector: string, subject: string): Promise<string> {
  const key = memoKey(keys, [issuer, sector, subject]);
  let p = pseudonyms.get(key);
  if (p === undefined) {
    p = crypto.subtle.sign("HMAC", keys.pseudonym, framed([issuer, sector, subject])).then((mac) => toBase64Url(new Uint8Array(mac)));
    pseudonyms.set(key, p);
  }
  return p;
}

/** Whether `stated` is the pseudonym of `subject` (HMAC verification, constant time). */
export async function isPseudonymOf(keys: PairwiseKeys, stated: string, issuer: string, sector: string, subject: string): Promise<boolean> {
  const mac = fromBase64Url(stated);
  if (!mac || mac.length !== 32) return false;
  return crypto.subtle.verify("HMAC", keys.pseudonym, mac, framed([issuer, sector, subject]));
}

const IV_BYTES = 16;
/** Sealed subjects are padded to a multiple of this, so a token ID hints little at the name's length. */
const SEAL_BLOCK = 32;
/** The shortest sealed part: an IV and one padded block, base64url (64 characters). */
export const MIN_SEALED_CHARS = Math.ceil(((IV_BYTES + SEAL_BLOCK) * 4) / 3);

/** What a seal holds: the token's real subject, and the real names of its pseudonymous actors. */
export interface SealedNames {
  subject: string;
  /**
   * Per link of the token's actor chain, outermost first: the real subject of a link the token
   * names by its pseudonym, "" for a link named as itself; links past the last pseudonymous one
   * are left out (none at all for a token without such an actor).
   */
  actors: readonly string[];
}

/**
 * The real subject, sealed: base64url(IV ‖ AES-256-CTR(frame(subject) ‖ frame(actor₁) ‖ … ‖
 * zero padding)), at least {@link MIN_SEALED_CHARS} characters — longer than any random ID part
 * we mint, which is how a sealed ID is told apart. The actor frames name the real subjects of
 * the pseudonymous links of the token's delegation chain ("" for a link named as itself), so
 * that revoking such an actor reaches the token as it reaches one naming the actor; a token
 * without them seals its subject alone. The IV is a fresh random
 * 128-bit counter block, so keystreams of different tokens never overlap in practice (no 96-bit
 * nonce limit as with AES-GCM). The ciphertext needs no tag of its own: it is covered by the
 * token's signature, and whoever opens it checks the pseudonym the token states against the
 * subject it holds.
 */
export async function sealSubject(keys: PairwiseKeys, subject: string, actors: readonly string[] = []): Promise<string> {
  let last = actors.length;
  while (last > 0 && actors[last - 1] === "") last--;
  const frame = framed([subject, ...actors.slice(0, last)]);
  const plain = new Uint8Array(Math.ceil(frame.length / SEAL_BLOCK) * SEAL_BLOCK);
  plain.set(frame);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, keys.seal, plain);
  const out = new Uint8Array(IV_BYTES + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), IV_BYTES);
  return toBase64Url(out);
}

/**
 * The subject sealed in `sealed`, when the token that carries it states `stated` as its
 * pseudonym for `sector` under `issuer`: the seal opened and the pseudonym verified against it
 * (or exactly this check passed before). Undefined otherwise.
 */
export async function openSeal(keys: PairwiseKeys, sealed: string, stated: string, issuer: string, sector: string): Promise<SealedNames | undefined> {
  const key = memoKey(keys, [issuer, sector, stated, sealed]);
  const known = openedSeals.get(key);
  if (known !== undefined) return known;
  const names = await unsealNames(keys, sealed);
  if (names === undefined || !(await isPseudonymOf(keys, stated, issuer, sector, names.subject))) return undefined;
  openedSeals.set(key, names);
  return names;
}

/** The subject a {@link sealSubject} output holds; undefined when it is not one. */
export async function unsealSubject(keys: PairwiseKeys, sealed: string): Promise<string | undefined> {
  return (await unsealNames(keys, sealed))?.subject;
}

/** The actors of a seal that names none, shared: the opened-seal memo's entries stay a name's size. */
const NO_ACTORS: readonly string[] = Object.freeze([]);

/** The names a {@link sealSubject} output holds; undefined when it is not one. */
export async function unsealNames(keys: PairwiseKeys, sealed: string): Promise<SealedNames | undefined> {
  if (sealed.length < MIN_SEALED_CHARS || !/^[A-Za-z0-9_-]+$/.test(sealed)) return undefined;
  const bytes = fromBase64Url(sealed);
  if (!bytes || bytes.length < IV_BYTES + SEAL_BLOCK || (bytes.length - IV_BYTES) % SEAL_BLOCK !== 0) return undefined;
  const plain = new Uint8Array(
    await crypto.subtle.decrypt({ name: "AES-CTR", counter: bytes.slice(0, IV_BYTES), length: 64 }, keys.seal, bytes.slice(IV_BYTES)),
  );
  // Frames until only zero padding is left: the subject's, then each actor's.
  const view = new DataView(plain.buffer);
  const names: string[] = [];
  let at = 0;
  while (names.length === 0 || plain.subarray(at).some((b) => b !== 0)) {
    if (at + 4 > plain.length) return undefined;
    const n = view.getUint32(at);
    if (n > plain.length - at - 4) return undefined;
    try {
      names.push(strictUtf8.decode(plain.subarray(at + 4, at + 4 + n)));
    } catch {
      return undefined;
    }
    at += 4 + n;
  }
  return { subject: names[0]!, actors: names.length > 1 ? names.slice(1) : NO_ACTORS };
}
