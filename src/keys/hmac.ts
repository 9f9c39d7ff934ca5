/**
 * HMAC-SHA256 under a configured secret, for the stateless values the STS hands out and takes
 * back (browser sessions, sign-in form tokens, DPoP nonces). Each MAC covers a purpose label
 * before its payload, so a value made for one purpose never passes for another even under the
 * same secret.
 */
import { fromBase64Url, toBase64Url, utf8 } from "../bytes.ts";
import { isolateCaches } from "../cache.ts";

// One imported key per secret value, per isolate: importing costs more than a MAC.
const keys = isolateCaches.cache<Promise<CryptoKey>>("keys.hmac", { maxEntries: 8, maxKeyChars: 1024, entryBytes: 1024 });

// The last key imported, once ready: a request on the hot path (the sign-in page) then skips
// the await of an already-settled promise.
let ready: { secret: string; key: CryptoKey } | undefined;

function hmacKey(secret: string): CryptoKey | Promise<CryptoKey> {
  if (ready?.secret === secret) return ready.key;
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, k);
  }
  return k.then((key) => ((ready = { secret, key }), key));
}

/** The MAC of `payload` for `purpose`, base64url (43 characters). */
export async function macOf(secret: string, purpose: string, payload: string): Promise<string> {
  const k = hmacKey(secret);
  const sig = await crypto.subtle.sign("HMAC", k instanceof CryptoKey ? k : await k, utf8(`${purpose}\n${payload}`));
  return toBase64Url(new Uint8Array(sig));
}

/** Whether `tag` is the MAC of `payload` for `purpose` (compared by WebCrypto, in constant time). */
export async function macValid(secret: string, purpose: string, payload: string, tag: string): Promise<boolean> {
  const sig = fromBase64Url(tag);
  if (!sig || sig.byteLength !== 32) return false;
  const k = hmacKey(secret);
  return crypto.subtle.verify("HMAC", k instanceof CryptoKey ? k : await k, sig, utf8(`${purpose}\n${payload}`));
}
