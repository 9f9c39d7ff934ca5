/**
 * Abuse limits: failed authentications, counted in fixed windows by Durable Object counters
 * (the sharded replay cache, {@link StateClient.hit}); and renewals, per subject inside the
 * subject's state object and per requestor in the isolate (src/abuse/guard.ts
 * `withRenewalLimit`), so a renewal stays one RPC.
 *
 * Failed authentications are counted under three keys, so that the limits fall on whoever
 * fails rather than on everyone who shares a name or an address with them (docs/security.md,
 * "Credentials and the admin door"):
 * - the pair (address, name): over `limit`, this address may not try this name again;
 * - the name: over `limit`, only an address with no failures in the window may still try it
 *   (the real owner, from a clean address, signs in while guesses from failing addresses are
 *   refused); over `limit × HARD_FACTOR`, nobody may;
 * - the address: over `limit`, it may still try names it has not failed on (the other people
 *   behind a shared address); over `limit × HARD_FACTOR`, nothing.
 *
 * Cost model (why it looks like this):
 * - Successful requests never touch a counter: only a *failure* is counted, so issuance stays
 *   free of Durable Object calls; every refusal below is decided from what this isolate
 *   already knows.
 * - What the counters said is remembered in this isolate until their window ends, so a
 *   refused attempt is refused *before* the PBKDF2 derivation — a locked-out key costs nothing.
 * - Within an isolate the limits are exact, also for attempts sent together: each is counted
 *   in flight until the counters have answered for it ({@link admit}).
 * - Another isolate learns of a count on its first failure for that key: one after another,
 *   across N isolates an attacker gets at most N attempts more per window than one isolate
 *   would allow; sent at once to N isolates that know nothing of the key yet, each may check a
 *   limit's worth before its first failure is answered (best effort across isolates).
 */
import { isolateCaches } from "../cache.ts";
import { StsError } from "../errors.ts";
import type { StateClient } from "../state/client.ts";
import { stateKey } from "../state/state-key.ts";

/** The counter the limits need (one Durable Object RPC per call). */
export type Counter = Pick<StateClient, "hit">;

/**
 * Beyond `limit × HARD_FACTOR` failures in a window, a name or an address is refused outright.
 * The soft zone below it is what a distributed guesser gains (one guess per fresh address at a
 * name) and what a sprayer gains (one guess per fresh name from an address); the factor bounds
 * both, and is what an attacker must exceed, per window, to lock a name or an address out.
 */
export const HARD_FACTOR = 10;

/** The counter keys one authentication attempt is judged by. */
export interface FailureKeys {
  /** Failures for the name presented, from anywhere. */
  readonly name: string;
  /** Failures from the client's address, for any name (absent when the address is unknown). */
  readonly address: string | undefined;
  /** Failures for this name from this address (absent when the address is unknown). */
  readonly pair: string | undefined;
}

/**
 * Keys are a name (configuration-sized, or whatever a guesser sends) or an address, with a
 * prefix; the oldest goes first when full: a forgotten count only costs one more counter round
 * trip (and one more derivation) for that key.
 */
const KEYED = { maxEntries: 10_000, maxKeyChars: 1100, maxTotalChars: 1024 * 1024, entryBytes: 120 };

/** key → the count the counter last reported in this window, and when the window ends. Per isolate. */
const known = isolateCaches.cache<{ count: number; resetAt: number }>("abuse.failures", KEYED);

/**
 * The same, for keys over the limit: a lockout in force. Kept apart from `known`, whose entries
 * are mostly single failures (an address or a pair becomes "not clean" at its first), so that a
 * flood of cheap first failures under fresh long names cannot push a lockout out and buy a
 * locked name another checked guess: only other keys over the limit, each paid for with more
 * than `limit` failures, compete for this room. Its keys are those of real names (a username
 * is at most 256 characters; a pair key adds an address): a longer one is nobody's, and waits
 * in `known`.
 */
const BLOCKED = { maxEntries: 4_000, maxKeyChars: 400, maxTotalChars: 320 * 1024, entryBytes: 120 };
const blocked = isolateCaches.cache<{ count: number; resetAt: number }>("abuse.blocked", BLOCKED);

/** The `rate_limited` error (HTTP 429) with its Retry-After, in whole seconds (at least 1). */
export function rateLimited(message: string, untilMs: number, nowMs: number): StsError {
  const e = new StsError("rate_limited", message);
  e.retryAfterSeconds = Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
  return e;
}

/**
 * What a failed authentication presented: a principal's name and password or secret (`user`:
 * users and service accounts, one namespace), an OAuth client's id, or a credential without a
 * name, counted under the address it came from (a message signature, an issued token, a
 * partner's sign-in answer).
 */
export type CredentialKind = "user" | "client" | "x509" | "saml" | "wsfed-partner";

/**
 * The counter keys of one authentication attempt: the name presented, the address, the pair.
 * Each kind counts in its own key space: a UsernameToken's name is whatever a guesser types, so
 * it must never spell another kind's key (a Username `x509@<address>` failing a hundred times
 * would otherwise lock that address out of certificate sign-in).
 */
export function failureKeys(name: string, clientAddress: string | undefined, kind: CredentialKind = "user"): FailureKeys {
  const named = stateKey("auth-fail", kind, name);
  if (!clientAddress) return { name: named, address: undefined, pair: undefined };
  return {
    name: named,
    address: stateKey("auth-fail", "ip", clientAddress),
    // A user's pair key is as it always was (the address's length stays in it, so an IPv4
    // pair's key is the same string); the other kinds' are their own.
    pair: stateKey("auth-fail", kind === "user" ? "pair" : `${kind}-pair`, String(clientAddress.length), clientAddress, name),
  };
}

/**
 * The keys of a realm: each realm counts its own failures and renewals (the same name in two
 * realms is two principals, and one realm's lockout never locks another's). The first realm's
 * keys are unchanged.
 */
export function inRealm(realm: string | undefined, keys: FailureKeys): FailureKeys {
  if (realm === undefined) return keys;
  const at = (k: string | undefined) => (k === undefined ? undefined : realmKey(realm, k));
  return { name: realmKey(realm, keys.name), address: at(keys.address), pair: at(keys.pair) };
}

/** One counter key of a realm (see `inRealm`). */
export function realmKey(realm: string | undefined, key: string): string {
  return realm === undefined ? key : stateKey("realm", realm, key);
}

function current(key: string | undefined, now: number): { count: number; resetAt: number } | undefined {
  return key === undefined ? undefined : (inWindow(blocked, key, now) ?? inWindow(known, key, now));
}

/**
 * key → attempts of this isolate under that key whose outcome the counters do not know yet: a
 * password being checked, or a failure whose counter write has not answered. Each may be a
 * failure the counters have not seen, so an attempt is admitted only if the limits would still
 * let it in with all of them counted as failures ({@link admit}); this is what makes the limit
 * exact within the isolate when attempts arrive together, since every attempt of a burst starts
 * before the first one's failure is counted. Not a cache (an attempt forgotten while it runs
 * would let another in): an entry lives while its attempts do, or {@link IN_FLIGHT_MAX_MS}.
 */
const inFlight = new Map<string, Set<Attempt>>();

interface Attempt {
  /** When it stops counting even if it never ends. */
  readonly until: number;
}

/**
 * Longer than any attempt lasts (a password check and a counter write). An attempt whose
 * request is cancelled mid-way (workerd drops a request's pending work, `finally` blocks
 * included, when its client goes away) never ends: it stops counting after this, rather than
 * holding its keys for good — a client hanging up on purpose gains no attempt by it, and cannot
 * wedge a name for longer than this.
 */
export const IN_FLIGHT_MAX_MS = 30_000;

/** Past this many keys in flight, each admission sweeps out the attempts that stopped counting. */
const IN_FLIGHT_SWEEP_KEYS = 10_000;

/** The attempts in flight under `key` that still count, forgetting those that stopped. */
function inFlightCount(key: string, now: number): number {
  const set = inFlight.get(key);
  if (set === undefined) return 0;
  for (const a of set) if (a.until <= now) set.delete(a);
  if (set.size === 0) inFlight.delete(key);
  return set.size;
}

/**
 * How often an attempt held back by attempts in flight looks again. It polls: workerd lets no
 * request resolve a promise another request waits on, so an ending attempt cannot wake it. An
 * attempt in flight lasts a password check and a counter write, tens of milliseconds.
 */
const RECHECK_MS = 5;

/** The keys of an attempt that are present. */
function present(keys: FailureKeys): string[] {
  return [keys.name, keys.address, keys.pair].filter((k): k is string => k !== undefined);
}

/** What this isolate knows of `key` with its attempts in flight counted as failures. */
function withInFlight(key: string | undefined, now: number, windowMs: number): { count: number; resetAt: number } | undefined {
  const e = current(key, now);
  const n = key === undefined ? 0 : inFlightCount(key, now);
  if (n === 0) return e;
  return { count: (e?.count ?? 0) + n, resetAt: e?.resetAt ?? now + windowMs };
}

/**
 * Admits one attempt past the limits, counting it in flight under its keys until `release`:
 * refused (rate_limited) when what the counters said refuses it; made to wait while only the
 * attempts in flight, were they all failures, would refuse it, and judged again as they end.
 * So within one isolate a burst gets exactly the password checks the same attempts one after
 * another would get, and a burst of good sign-ins (which are never counted) only waits a moment.
 * @throws StsError rate_limited
 */
export async function admit(keys: FailureKeys, limit: number, windowMs: number, clock: () => number): Promise<() => void> {
  for (;;) {
    const now = clock();
    assertNotRefused(keys, limit, now);
    if (judge(keys, limit, (k) => withInFlight(k, now, windowMs)) === undefined) break;
    await new Promise((r) => setTimeout(r, RECHECK_MS));
  }
  const now = clock();
  if (inFlight.size > IN_FLIGHT_SWEEP_KEYS) for (const k of [...inFlight.keys()]) inFlightCount(k, now);
  const list = present(keys);
  const mine: Attempt = { until: now + IN_FLIGHT_MAX_MS };
  for (const k of list) {
    let set = inFlight.get(k);
    if (set === undefined) inFlight.set(k, (set = new Set()));
    set.add(mine);
  }
  return () => {
    for (const k of list) {
      const set = inFlight.get(k);
      if (set === undefined) continue;
      set.delete(mine);
      if (set.size === 0) inFlight.delete(k);
    }
  };
}

/** `memo`'s entry for `key` while its window lasts; an ended one is forgotten. */
function inWindow(memo: typeof known, key: string, now: number): { count: number; resetAt: number } | undefined {
  const e = memo.get(key);
  if (e === undefined || e.resetAt > now) return e;
  memo.delete(key);
  return undefined;
}

/**
 * Until when this attempt is refused, from what this isolate knows of the counters (no I/O),
 * or undefined when it may be verified. Each rule lifts when the first of its conditions
 * does; the attempt waits for the last rule that holds.
 */
export function refusedUntil(keys: FailureKeys, limit: number, now: number): number | undefined {
  return judge(keys, limit, (k) => current(k, now));
}

/** The rules of {@link refusedUntil} over the counts `count` gives. */
function judge(
  keys: FailureKeys,
  limit: number,
  count: (key: string | undefined) => { count: number; resetAt: number } | undefined,
): number | undefined {
  const name = count(keys.name);
  const address = count(keys.address);
  const pair = count(keys.pair);
  const hard = limit * HARD_FACTOR;
  let until: number | undefined;
  const refuse = (t: number) => (until = Math.max(until ?? 0, t));
  // This address has guessed at this name often enough.
  if (pair && pair.count > limit) refuse(pair.resetAt);
  if (name && name.count > hard) refuse(name.resetAt);
  if (address && address.count > hard) refuse(address.resetAt);
  // A name under attack: only an address with no failures in the window may try it. An unknown
  // address cannot show that it has none.
  if (name && name.count > limit) {
    if (keys.address === undefined) refuse(name.resetAt);
    else if (address) refuse(Math.min(name.resetAt, address.resetAt));
  }
  // An address that fails a lot: it may still try names it has not failed on.
  if (address && pair && address.count > limit) refuse(Math.min(address.resetAt, pair.resetAt));
  return until;
}

/** What every door says when the failed-authentication limits refuse: one text wherever it is counted. */
export const TOO_MANY_FAILURES = "Too many failed authentications; try again later.";

/**
 * Refuses, without any I/O, an attempt this isolate knows to be over a limit.
 * @throws StsError rate_limited
 */
export function assertNotRefused(keys: FailureKeys, limit: number, now: number): void {
  const until = refusedUntil(keys, limit, now);
  if (until !== undefined) throw rateLimited(TOO_MANY_FAILURES, until, now);
}

/**
 * Counts one failure under each key (one RPC each, in parallel) and remembers the counts in
 * this isolate; returns a rate_limited error when the next attempt like this one would now
 * be refused, else undefined.
 */
export async function countFailure(
  counter: Counter,
  keys: FailureKeys,
  limit: number,
  windowMs: number,
  now: number,
  message: string,
): Promise<StsError | undefined> {
  const list = present(keys);
  const results = await Promise.all(list.map((k) => counter.hit(k, windowMs)));
  results.forEach((r, i) => {
    const key = list[i]!;
    // A name's count matters only once it is over the limit; an address's and a pair's from
    // their first failure (they make an address "not clean"). Remembering no more than that
    // leaves room for more of what matters.
    if (key === keys.name && r.count <= limit) return;
    // Concurrent failures may answer out of order: within one window, the higher count is newer.
    const seen = blocked.get(key) ?? known.get(key);
    const entry = { count: seen?.resetAt === r.resetAt ? Math.max(seen.count, r.count) : r.count, resetAt: r.resetAt };
    if (entry.count > limit && key.length <= BLOCKED.maxKeyChars) {
      blocked.set(key, entry);
      known.delete(key);
    } else {
      known.set(key, entry);
    }
  });
  const until = refusedUntil(keys, limit, now);
  return until === undefined ? undefined : rateLimited(message, until, now);
}

/** Fixed-window counters kept in this isolate (no I/O). Bounded like `known`. */
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

/** Test hook: forget every count and block this isolate remembers. */
export function clearBlocks(): void {
  inFlight.clear();
  known.clear();
  blocked.clear();
  local.clear();
}
