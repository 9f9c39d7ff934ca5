import { isolateCaches } from "../cache.ts";
import type { ReplayCacheObject } from "./replay-cache.ts";
import type { TokenStateObject } from "./token-state.ts";
import {
  base64url,
  replayShardName,
  sha256,
  subjectShardName,
  tokenIdHash,
  type SubjectKey,
} from "./hash.ts";
import type { CancelResult, RenewResult, RevocationReason, TokenStatus } from "./types.ts";
import { RevokedCache, isolateRevokedCache } from "./revoked-cache.ts";
import type { ReplayKey } from "./state-key.ts";

export { tokenIdHash, subjectShardName, type SubjectKey } from "./hash.ts";
export type { CancelResult, RenewResult, RevocationReason, TokenStatus } from "./types.ts";
export { RevokedCache } from "./revoked-cache.ts";

/** The two Durable Object bindings the state layer needs (declared in wrangler.toml). */
export interface StateBindings {
  TOKEN_STATE: DurableObjectNamespace<TokenStateObject>;
  REPLAY_CACHE: DurableObjectNamespace<ReplayCacheObject>;
}

export interface StateClientOptions {
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Longest lifetime of any token the STS issues, ms (default 24 h). A subject-wide
   * revocation is kept this long after its cut-off: no token issued before can outlive it.
   */
  maxTokenLifetimeMs?: number;
  /**
   * Where "revoked" answers are remembered until the token's expiry. Default: the isolate's
   * shared {@link isolateRevokedCache}; `null` disables remembering.
   */
  cache?: RevokedCache | null;
  /**
   * Read lease to ask for with every status check, ms (default 0: none). Configured by
   * `limits.statusLeaseMilliseconds`. While the object's lease runs this isolate reuses the
   * "active" answer without a call; the object makes every revocation of the token wait until
   * the lease has ended, so a revocation, once acknowledged, is seen everywhere.
   */
  leaseMs?: number;
  /**
   * The realm whose state this client reads and writes (undefined: the first realm). Its subject
   * shards, one-time values and counters are kept apart from every other realm's, whatever the
   * issuers and names: the same name in two realms is two principals.
   */
  realm?: string | undefined;
}

/** What the state layer needs to know about a token: its ID and validity window. */
export interface TokenRef {
  /** SAML `ID` / `AssertionID` or JWT `jti` (hashed before it leaves the client). */
  id: string;
  /** iat / IssueInstant, epoch ms. */
  issuedAt: number;
  /** exp / NotOnOrAfter, epoch ms. */
  expiresAt: number;
  /** A browser sign-in session (issuedAt: its sign-in time), which the subject's sessions cut-off ends too. */
  session?: boolean;
}

/** The typed facade protocol code uses: no SQL, no shard names, no hashes. */
export interface StateClient {
  /**
   * Validate: is the token still usable? One RPC, unless a remembered "revoked" or a running
   * read lease on "active" answers.
   */
  status(subject: SubjectKey, token: TokenRef): Promise<TokenStatus>;
  /**
   * Renew: records `token` → `renewed` once. The renewed token must keep the issuer and
   * subject (same shard, same family). One RPC.
   */
  renew(
    subject: SubjectKey,
    token: TokenRef,
    renewed: { id: string; expiresAt: number },
    limit?: { max: number; windowMs: number },
  ): Promise<RenewResult>;
  /** Cancel: idempotent. One RPC. */
  cancel(subject: SubjectKey, token: { id: string; expiresAt: number }): Promise<CancelResult>;
  /**
   * Revokes every token of `subject` issued before `before`. Without `before`: issued before
   * the call returns, counted in whole seconds (see the implementation). One RPC.
   * @returns the cut-off, epoch ms
   */
  revokeSubject(subject: SubjectKey, before?: number): Promise<number>;
  /**
   * Ends every browser sign-in session of `subject` begun before `before` (the status of a
   * `session` ref), leaving its tokens alone. Idempotent; the cut-off only moves forward. One RPC.
   * @param sessionMaxMs the longest a session lasts from its sign-in: the cut-off is kept that long
   */
  endSessions(subject: SubjectKey, before: number, sessionMaxMs: number): Promise<void>;
  /**
   * Replay check for a one-time value (UsernameToken Nonce+Created, client-assertion jti).
   * `key` names its kind and the value: `replayKey("ut", username, nonce, created)` (state-key.ts).
   * A value held under the key's `earlier` spelling (an earlier release's) is a replay too.
   * @param expiresAt the end of the window in which the caller accepts the value
   * @returns true the first time, false for a replay before `expiresAt` (and for a minute after).
   */
  rememberNonce(key: ReplayKey, expiresAt: number): Promise<boolean>;
  /**
   * Counts one event (a failed authentication, a renewal) under `key` (built with `stateKey`, state-key.ts) in a fixed window of
   * `windowMs`; returns the count so far in this window and when it ends. One RPC.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
}

const DEFAULT_MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** How long a one-time value is remembered past the end of its freshness window. */
const REPLAY_MARGIN_MS = 60_000;

/**
 * A short tag for each further realm's entries in the isolate's caches, which the realms share
 * and whose keys are bounded in length: a token ID is random, but not every ID is (a browser
 * session's names its subject and sign-in time), so one realm's answer must never be read as
 * another's. The first realm's is empty, as in a single-realm deployment.
 */
const realmTags = new Map<string, string>();
function realmTag(realm: string | undefined): string {
  if (realm === undefined) return "";
  let tag = realmTags.get(realm);
  if (tag === undefined) realmTags.set(realm, (tag = `${realmTags.size + 1}:`));
  return tag;
}

/**
 * realm tag + hash of (token ID, subject asked) → until when a leased "active" answer may be
 * reused, shared by the isolate's state clients as the revoked answers are; the object's lease
 * bounds how long any of them may be reused, whichever client took it. Keyed by the subject
 * whose object answered as well as by the token: a delegated token is asked of its subject's
 * object and of each actor's (src/engine/check.ts `revocationOf`), and one's answer is not the
 * other's.
 */
const isolateLeases = isolateCaches.cache<{ until: number; status: TokenStatus }>("state.leased", {
  maxEntries: 10_000,
  maxKeyChars: 52, // a realm tag and a 43-character hash
  entryBytes: 120,
});

/**
 * Creates the state client. Issuance never calls it: tokens are self-contained, and only
 * Validate, Renew, Cancel and replay checks reach a Durable Object.
 */
export function createStateClient(env: StateBindings, opts: StateClientOptions = {}): StateClient {
  const now = opts.now ?? Date.now;
  const maxLifetime = opts.maxTokenLifetimeMs ?? DEFAULT_MAX_LIFETIME_MS;
  const cache = opts.cache === undefined ? isolateRevokedCache : opts.cache;
  const leaseMs = opts.leaseMs ?? 0;
  const leased = isolateLeases;
  // The first realm's names are those a single-realm deployment has always used.
  const scope = opts.realm === undefined ? "" : `realm:${opts.realm}\n`;
  const tag = realmTag(opts.realm);

  const shard = async (subject: SubjectKey) => env.TOKEN_STATE.getByName(scope + (await subjectShardName(subject)));
  const leaseKey = async (subject: SubjectKey, id: string) => tag + (await tokenIdHash(`${id}\n${subject.subject}`));

  /** Remembers a revoked answer in the isolate until the token's expiry. */
  const cacheRevoked = (idHash: string, reason: RevocationReason, expiresAt: number) => {
    if (cache && expiresAt > now()) cache.put(tag + idHash, reason, expiresAt);
  };

  return {
    async status(subject, token) {
      const [idHash, key] = await Promise.all([tokenIdHash(token.id), leaseKey(subject, token.id)]);
      const t = now();
      const cached = cache?.get(tag + idHash, t);
      if (cached) return { state: "revoked", reason: cached };
      const hit = leased.get(key);
      if (hit) {
        if (hit.until > t) return hit.status;
        leased.delete(key);
      }
      const stub = await shard(subject);
      const a = await stub.status({ idHash, issuedAt: token.issuedAt, expiresAt: token.expiresAt, leaseMs, ...(token.session ? { session: true } : {}) });
      if (a.state === "revoked") {
        cacheRevoked(idHash, a.reason, token.expiresAt);
        return { state: "revoked", reason: a.reason };
      }
      const s: TokenStatus = { state: "active", renewed: a.renewed, asOf: t };
      if (a.leaseMs) {
        // Counted from `t`, taken before the call: the object's lease started later.
        leased.set(key, { until: t + a.leaseMs, status: s });
      }
      return s;
    },

    async renew(subject, token, renewed, limit) {
      const [idHash, newIdHash, stub, key] = await Promise.all([
        tokenIdHash(token.id),
        tokenIdHash(renewed.id),
        shard(subject),
        leaseKey(subject, token.id),
      ]);
      leased.delete(key);
      const r = await stub.renew({
        idHash,
        issuedAt: token.issuedAt,
        expiresAt: token.expiresAt,
        newIdHash,
        newExpiresAt: renewed.expiresAt,
        now: now(),
        ...(limit ? { limit } : {}),
      });
      if (!r.ok && r.revocation) cacheRevoked(idHash, r.revocation, token.expiresAt);
      return r;
    },

    async cancel(subject, token) {
      const [idHash, stub, key] = await Promise.all([tokenIdHash(token.id), shard(subject), leaseKey(subject, token.id)]);
      leased.delete(key);
      const r = await stub.cancel({ idHash, expiresAt: token.expiresAt });
      // Read-your-writes in this colo; other colos learn it from the object.
      cacheRevoked(idHash, "cancelled", token.expiresAt);
      return r;
    },

    async revokeSubject(subject, before) {
      // A JWT states when it was issued in whole seconds (iat): with a cut-off of "now" inside a
      // second, a token issued later in that second would read as issued before it, revoked on
      // arrival. So "now" is the next whole second, and the call returns only once it has
      // passed: a token issued after the revocation returns is after its cut-off at any precision.
      const cutoff = before ?? Math.ceil(now() / 1000) * 1000;
      const stub = await shard(subject);
      // Leases are keyed by token, not subject: forget them all (rare, administrative).
      leased.clear();
      await stub.revokeSubject({ before: cutoff, keepUntil: cutoff + maxLifetime });
      const wait = before === undefined ? cutoff - now() : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return cutoff;
    },

    async endSessions(subject, before, sessionMaxMs) {
      const stub = await shard(subject);
      // This isolate's leases are keyed by token, not subject: forget them all (once per isolate
      // and configuration), so a configuration swapped within one isolate, as in development,
      // cannot lean on a lease taken before. Other isolates' leases need no waiting out
      // (TokenStateObject.endSessions says why).
      leased.clear();
      // Kept as long as a session begun before the cut-off may last: the sessions' own bound, not
      // this configuration's token lifetimes, which an earlier configuration (whose sessions
      // these are) may have set longer.
      await stub.endSessions({ before, keepUntil: before + sessionMaxMs });
    },

    async rememberNonce(key, expiresAt) {
      const at = now();
      const remember = async (k: string, until: number) => {
        const bytes = await sha256(scope + k);
        const stub = env.REPLAY_CACHE.getByName(replayShardName(bytes));
        return (await stub.remember({ key: base64url(bytes), expiresAt: until, now: at })).fresh;
      };
      // Kept a margin past the end of its window: the caller judged the value fresh with its
      // clock before this call, the object judges a repeat with `now()` taken after; at the
      // edge of the window the two must not disagree in the replayer's favour. The earlier
      // release's key is asked with a window already over, which the object answers without
      // writing (ReplayCacheObject.remember), in parallel: no latency added.
      const [fresh, freshEarlier] = await Promise.all([
        remember(key.key, expiresAt + REPLAY_MARGIN_MS),
        key.earlier === undefined ? true : remember(key.earlier, at),
      ]);
      return fresh && freshEarlier;
    },

    async hit(key, windowMs) {
      const bytes = await sha256(`${scope}hit:${key}`);
      const stub = env.REPLAY_CACHE.getByName(replayShardName(bytes));
      return stub.hit({ key: base64url(bytes), windowMs, now: now() });
    },
  };
}
