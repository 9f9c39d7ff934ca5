/** Hashing and shard naming shared by the state client and its tests. */
import { type BoundedCache, isolateCaches } from "../cache.ts";
import { sha256, toBase64Url } from "../bytes.ts";

export { sha256 };

/** base64url without padding (RFC 4648 §5). */
export const base64url = toBase64Url;

/**
 * The storage key of a token: base64url(SHA-256(token ID)). Rows hold this, never the raw
 * ID or token, so a storage dump names no token.
 * @param id SAML `ID` / `AssertionID`, or JWT `jti`.
 */
export function tokenIdHash(id: string): Promise<string> {
  return remembered(idHashes, id, () => hashId(id));
}

/**
 * {@link tokenIdHash} for an ID this isolate is unlikely to see again — the audit line of a
 * token just issued: a remembered hash is used, a new one is not kept. Keeping one per issued
 * token would fill the memo with entries never read again, and each kept entry outlives the
 * request (promoted out of V8's young generation), a garbage-collection cost on every issuance.
 */
export function tokenIdHashOnce(id: string): Promise<string> {
  return idHashes.get(id) ?? hashId(id);
}

async function hashId(id: string): Promise<string> {
  return base64url(await sha256(id));
}

/**
 * The same token ID is hashed by the state client and again by the audit line of one request,
 * and a token presented repeatedly is hashed on each presentation: one SHA-256 each, ~10 µs in
 * workerd (measured). The hashes are pure functions of public identifiers, so an isolate keeps
 * recent ones, the oldest forgotten first (src/cache.ts).
 */
// A pending or settled 43-character hash per key; keys are token IDs and issuer + subject.
const MEMO = { maxEntries: 4096, maxKeyChars: 2048, maxTotalChars: 512 * 1024, entryBytes: 200 };
const idHashes = isolateCaches.cache<Promise<string>>("state.token-id-hashes", MEMO);
const shardNames = isolateCaches.cache<Promise<string>>("state.shard-names", MEMO);

function remembered(memo: BoundedCache<Promise<string>>, key: string, compute: () => Promise<string>): Promise<string> {
  let v = memo.get(key);
  if (v === undefined) {
    v = compute();
    memo.set(key, v);
  }
  return v;
}

/**
 * Who a token is about: the shard key of {@link TokenStateObject}. The subject alone, within its
 * realm (the client prefixes a further realm's names): not the issuer, which an operator may set,
 * change or roll back (and without a configured one is whatever origin a request came to), while
 * a cancellation or revocation must hold for every token of the realm's subject all the same.
 */
export interface SubjectKey {
  /** SAML NameID value / JWT `sub` (a trusted issuer's subject qualified as `<issuer>#<name>`). */
  subject: string;
}

/**
 * Object name of the subject's token-state shard: `sub:` + base64url(SHA-256("\n" subject)) (the
 * newline once separated an issuer that no longer takes part; the names stay as they were for
 * deployments without a configured issuer).
 */
export function subjectShardName(key: SubjectKey): Promise<string> {
  const joined = "\n" + key.subject;
  return remembered(shardNames, joined, async () => "sub:" + base64url(await sha256(joined)));
}

/** Number of replay-cache shards; see docs/storage.md before changing it. */
export const REPLAY_SHARDS = 64;

/**
 * Replay shard of an already-hashed key: the low 6 bits of the hash's first byte, as two
 * decimal digits (`replay:00` … `replay:63`). Uniform because the key is a SHA-256 output.
 */
export function replayShardName(keyHashBytes: Uint8Array): string {
  const n = (keyHashBytes[0] ?? 0) % REPLAY_SHARDS;
  return "replay:" + String(n).padStart(2, "0");
}
