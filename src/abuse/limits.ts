/**
 * Abuse limits: failed authentications per subject and per client address, counted in fixed
 * windows by Durable Object counters (the sharded replay cache, {@link StateClient.hit}); and
 * renewals, per subject inside the subject's state object and per requestor in the isolate
 * (src/abuse/guard.ts `withRenewalLimit`), so a renewal stays one RPC.
 *
 * Cost model (why it looks like this):
 * - Successful requests never touch a counter: only a *failure* is counted, so issuance stays
 *   free of Durable Object calls.
 * - Once a counter is over its limit, this isolate remembers the block until the window ends
 *   and refuses the key *before* the PBKDF2 derivation — a locked-out user costs nothing.
 * - Another isolate learns of the block on its first failure for that key, so across N
 *   isolates an attacker gets at most limit + N guesses per window.
 */
import { isolateCaches } from "../cache.ts";
import { StsError } from "../errors.ts";
import type { StateClient } from "../state/client.ts";

/** The counter the limits need (one Durable Object RPC per call). */
export type Counter = Pick<StateClient, "hit">;

/**
 * Keys are a subject or client name (configuration-sized) or an address, with a prefix; the
 * oldest goes first when full: a forgotten block only costs one more counter round trip.
 */
const KEYED = { maxEntries: 10_000, maxKeyChars: 1100, maxTotalChars: 1024 * 1024, entryBytes: 120 };

/** key → epoch ms until which it is refused. Per isolate. */
const blocked = isolateCaches.cache<number>("abuse.blocked", KEYED);

function remember(key: string, until: number): void {
  blocked.set(key, until);
}

/** The `rate_limited` error (HTTP 429) with its Retry-After, in whole seconds (at least 1). */
export function rateLimited(message: string, untilMs: number, nowMs: number): StsError {
  const e = new StsError("rate_limited", message);
  e.retryAfterSeconds = Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
  return e;
}

/** The counter keys of one authentication attempt: the subject named, and the client address. */
export function failureKeys(username: string, clientAddress: string | undefined): string[] {
  const keys = [`auth-fail:user:${username}`];
  if (clientAddress) keys.push(`auth-fail:ip:${clientAddress}`);
  return keys;
}

/**
 * Refuses, without any I/O, a key this isolate knows to be over its limit.
 * @throws StsError rate_limited
 */
export function assertNotBlocked(keys: readonly string[], now: number): void {
  for (const k of keys) {
    const until = blocked.get(k);
    if (until === undefined) continue;
    if (until > now) throw rateLimited("Too many failed attempts; try again later.", until, now);
    blocked.delete(k);
  }
}

/**
 * Counts one event under each key; returns a rate_limited error when any count is now over
 * `limit` (and remembers the block in this isolate), else undefined.
 */
export async function countAndCheck(
  counter: Counter,
  keys: readonly string[],
  limit: number,
  windowMs: number,
  now: number,
  message: string,
): Promise<StsError | undefined> {
  const results = await Promise.all(keys.map((k) => counter.hit(k, windowMs)));
  let worst: number | undefined;
  results.forEach((r, i) => {
    if (r.count <= limit) return;
    remember(keys[i]!, r.resetAt);
    worst = Math.max(worst ?? 0, r.resetAt);
  });
  return worst === undefined ? undefined : rateLimited(message, worst, now);
}

/** Fixed-window counters kept in this isolate (no I/O). Bounded like `blocked`. */
const local = isolateCaches.cache<{ count: number; resetAt: number }>("abuse.local-counters", KEYED);

/** Counts one event under `key` in this isolate's fixed window of `windowMs`. */
export function localHit(key: string, windowMs: number, now: number): { count: number; resetAt: number } {
  let e = local.get(key);
  if (!e || e.resetAt <= now) {
    e = { count: 0, resetAt: now + windowMs };
    local.set(key, e);
  }
  e.count++;
  return { count: e.count, resetAt: e.resetAt };
}

/** Test hook: forget every block this isolate remembers. */
export function clearBlocks(): void {
  blocked.clear();
  local.clear();
}
