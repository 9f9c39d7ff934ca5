import { DurableObject } from "cloudflare:workers";
import {
  MAX_LEASE_MS,
  MAX_RENEWAL_WINDOW_MS,
  RETENTION_MARGIN_MS,
  type CancelQuery,
  type CancelResult,
  type EndSessionsQuery,
  type RenewQuery,
  type RenewResult,
  type RevocationReason,
  type RevokeSubjectQuery,
  type StatusAnswer,
  type StatusQuery,
  type TokenStatus,
} from "./types.ts";

/**
 * How far ahead of a lease the object records, durably, that leases may be running: one write
 * per shard per this interval while leases are granted, so that a restarted object knows
 * whether its predecessor may have left leases behind.
 */
const LEASE_RECORD_AHEAD_MS = 60_000;

/**
 * Schema (see docs/storage.md). Idempotent, so it runs on every construction; the DDL is
 * synchronous SQLite, so no `blockConcurrencyWhile` is needed: nothing can interleave.
 * - `token`: one row per token we know something about (renewed, cancelled, or a member
 *   of a renewal family). An un-renewed, un-cancelled original has no row: issuance writes
 *   nothing.
 * - `subject_revocation`: at most one row, the subject-wide cut-off.
 * - `session_revocation`: at most one row, the cut-off of the subject's browser sign-in
 *   sessions alone (a configured user seen disabled: its tokens stay as they are).
 * - `lease_horizon`: at most one row: a time no read lease granted by any instance of this
 *   object outlives, and the longest lease granted (written at most once a minute, and only
 *   while leases are granted).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS token (
  id_hash    TEXT PRIMARY KEY,
  family     TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  renewed_at INTEGER,
  renewed_to TEXT,
  revoked    TEXT
);
CREATE INDEX IF NOT EXISTS token_family ON token (family);
CREATE INDEX IF NOT EXISTS token_expires ON token (expires_at);
CREATE INDEX IF NOT EXISTS token_renewed ON token (renewed_at);
CREATE TABLE IF NOT EXISTS subject_revocation (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  revoked_before INTEGER NOT NULL,
  keep_until     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS session_revocation (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  ended_before INTEGER NOT NULL,
  keep_until  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lease_horizon (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  until     INTEGER NOT NULL,
  max_lease INTEGER NOT NULL
);`;

type TokenRow = {
  family: string;
  expires_at: number;
  renewed_at: number | null;
  revoked: string | null;
};

/** A one-row cut-off table and its column (constants of the schema above, never input). */
interface CutoffTable {
  readonly table: string;
  readonly column: string;
}
const SUBJECT_CUTOFF: CutoffTable = { table: "subject_revocation", column: "revoked_before" };
const SESSION_CUTOFF: CutoffTable = { table: "session_revocation", column: "ended_before" };

/**
 * Lifecycle state of all tokens of ONE subject (a trusted issuer's subject by its qualified
 * name, `<issuer>#<name>`), and of that subject's browser sign-in sessions; the object name is
 * `sub:` + base64url(SHA-256("\n" subject)) (`subjectShardName`), prefixed with the realm in a
 * further realm, computed by `createStateClient`. Our own issuer takes no part: a cancellation
 * must hold however the issuer is configured or reached (docs/storage.md).
 * Every method is a single RPC; every read-modify-write runs inside one
 * `transactionSync`, and the object is single-threaded, so concurrent renewals of one
 * token serialize and exactly one wins.
 */
export class TokenStateObject extends DurableObject {
  /**
   * The subject-wide cut-off, read from SQLite once per object instance and kept in step by
   * the only two writers (revokeSubject and alarm). The object is single-threaded and the only
   * writer of its storage, so the copy cannot go stale; it saves a query on every status call.
   */
  #cutoff: number | undefined;
  /** The sessions cut-off, kept in memory the same way (written by endSessions and alarm). */
  #sessionCutoff: number | undefined;

  /**
   * Read leases (see {@link status}): idHash → when the last lease granted on it ends, and the
   * latest end of any lease. In memory only; {@link #quietUntil} and the `lease_horizon` row
   * cover what a previous instance may have granted.
   */
  readonly #leases = new Map<string, number>();
  #leaseHorizon = 0;
  #pruneAt = 1024;
  /** The durable `lease_horizon` row, as last read or written by this instance. */
  #recorded: { until: number; maxLease: number };
  /** Until when leases granted by a previous instance of this object may still run. */
  readonly #quietUntil: number;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    this.#cutoff = this.#readCutoff(SUBJECT_CUTOFF);
    this.#sessionCutoff = this.#readCutoff(SESSION_CUTOFF);
    this.#recorded = ctx.storage.sql
      .exec<{ until: number; maxLease: number }>("SELECT until, max_lease AS maxLease FROM lease_horizon WHERE id = 1")
      .toArray()[0] ?? { until: 0, maxLease: 0 };
    // A predecessor's leases end before the recorded horizon, and no later than the longest
    // lease it granted after it stopped (which was before now).
    this.#quietUntil = Math.min(this.#recorded.until, Date.now() + this.#recorded.maxLease);
  }

  /**
   * Is the token still usable? An unknown token is active. With `q.leaseMs` an "active"
   * answer comes with a read lease of at most that long (and at most {@link MAX_LEASE_MS}, and
   * never past the token's expiry): the caller may reuse the answer until the lease ends,
   * counted from before it sent the query, and every revocation of the token here waits for
   * the lease to end before it completes. So a revocation, once acknowledged, is seen by every
   * later check everywhere, while repeated checks of a live token cost no call.
   */
  status(q: StatusQuery): StatusAnswer {
    if (this.#subjectRevoked(q.issuedAt)) return { state: "revoked", reason: "subject-revoked" };
    if (q.session && this.#sessionCutoff !== undefined && q.issuedAt < this.#sessionCutoff) return { state: "revoked", reason: "sessions-ended" };
    const row = this.#row(q.idHash);
    if (row?.revoked) return { state: "revoked", reason: row.revoked as RevocationReason };
    const active: TokenStatus = { state: "active", renewed: row?.renewed_at != null };
    if (!q.leaseMs || q.leaseMs <= 0) return active;
    const now = Date.now();
    const leaseMs = Math.min(q.leaseMs, MAX_LEASE_MS, q.expiresAt - now);
    if (!(leaseMs > 0)) return active;
    this.#grantLease(q.idHash, leaseMs, now);
    return { ...active, leaseMs };
  }

  /**
   * Records that `idHash` was renewed into `newIdHash`, once. A second renewal of the same
   * token is reuse (like OAuth refresh-token reuse detection, RFC 9700 §4.14.2): the
   * whole family is revoked and the renewal refused.
   */
  async renew(q: RenewQuery): Promise<RenewResult> {
    const result = this.ctx.storage.transactionSync((): RenewResult => {
      // Past the retention horizon the row that would prove an earlier renewal may have
      // been deleted by the alarm, so a renewal could no longer be proven unique.
      if (q.expiresAt + RETENTION_MARGIN_MS <= q.now) return { ok: false, reason: "expired" };
      if (this.#subjectRevoked(q.issuedAt)) {
        return { ok: false, reason: "revoked", revocation: "subject-revoked" };
      }
      const row = this.#row(q.idHash);
      if (row?.revoked) {
        return { ok: false, reason: "revoked", revocation: row.revoked as RevocationReason };
      }
      if (row && row.renewed_at !== null) {
        this.ctx.storage.sql.exec(
          "UPDATE token SET revoked = 'family-revoked' WHERE family = ?",
          row.family,
        );
        return { ok: false, reason: "already-renewed", revocation: "family-revoked" };
      }
      if (this.#row(q.newIdHash)) return { ok: false, reason: "id-conflict" };
      if (q.limit) {
        // Sliding window over this subject's renewals (every renewal stamps renewed_at).
        const since = q.now - q.limit.windowMs;
        const r = this.ctx.storage.sql
          .exec<{ n: number; first: number | null }>(
            "SELECT count(*) AS n, min(renewed_at) AS first FROM token WHERE renewed_at > ?",
            since,
          )
          .one();
        if (r.n >= q.limit.max) return { ok: false, reason: "rate-limited", retryAt: (r.first ?? q.now) + q.limit.windowMs };
      }
      // Every renewed member has a row carrying its family, so a token without a row is
      // an original and founds its own family.
      const family = row?.family ?? q.idHash;
      this.ctx.storage.sql.exec(
        `INSERT INTO token (id_hash, family, expires_at, renewed_at, renewed_to)
           VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id_hash) DO UPDATE SET renewed_at = ?4, renewed_to = ?5,
           expires_at = max(expires_at, ?3)`,
        q.idHash, family, q.expiresAt, q.now, q.newIdHash,
      );
      this.ctx.storage.sql.exec(
        "INSERT INTO token (id_hash, family, expires_at) VALUES (?, ?, ?)",
        q.newIdHash, family, q.newExpiresAt,
      );
      return { ok: true, family };
    });
    if (result.ok) await this.#scheduleAlarm(Math.min(q.expiresAt, q.newExpiresAt));
    // Reuse revoked the family: a lease on any member must end first (the shard's latest).
    if (!result.ok && result.reason === "already-renewed") await this.#outlastLeases(this.#leaseHorizon);
    return result;
  }

  /**
   * Cancels a token (WS-Trust 1.3 §10) and the tokens renewed from it, not its predecessors.
   * A renewal that won a race with the cancel (or came before it) must not leave a live
   * successor: the cancelled token could no longer be renewed, so neither may what it already
   * was renewed into survive it — else a thief who renewed a token keeps it after its holder
   * cancels. Idempotent: a repeat reports `alreadyCancelled`.
   */
  async cancel(q: CancelQuery): Promise<CancelResult> {
    const done = this.ctx.storage.transactionSync((): { already: boolean; successors: string[] } => {
      const row = this.#row(q.idHash);
      // A revoked token renews no more, so its successors were revoked with it (or never were).
      if (row?.revoked) return { already: true, successors: [] };
      const sql = this.ctx.storage.sql;
      sql.exec(
        `INSERT INTO token (id_hash, family, expires_at, revoked) VALUES (?1, ?1, ?2, 'cancelled')
         ON CONFLICT (id_hash) DO UPDATE SET revoked = 'cancelled',
           expires_at = max(expires_at, ?2)`,
        q.idHash, q.expiresAt,
      );
      // Each token renews at most once (a second renewal revokes the family), so its successors
      // are one chain along renewed_to.
      const successors = sql
        .exec<{ h: string }>(
          `WITH RECURSIVE next (h) AS (
             SELECT renewed_to FROM token WHERE id_hash = ?1 AND renewed_to IS NOT NULL
             UNION SELECT t.renewed_to FROM token t JOIN next ON t.id_hash = next.h
               WHERE t.renewed_to IS NOT NULL)
           SELECT h FROM next`,
          q.idHash,
        )
        .toArray()
        .map((r) => r.h);
      for (const h of successors) sql.exec("UPDATE token SET revoked = 'cancelled' WHERE id_hash = ? AND revoked IS NULL", h);
      return { already: false, successors };
    });
    if (!done.already) await this.#scheduleAlarm(q.expiresAt);
    // Also when already cancelled: the first cancel may still be waiting for the same lease.
    let end = this.#leases.get(q.idHash) ?? 0;
    for (const h of done.successors) end = Math.max(end, this.#leases.get(h) ?? 0);
    await this.#outlastLeases(end);
    return { cancelled: true, alreadyCancelled: done.already };
  }

  /**
   * Revokes every token of this subject issued before `q.before`: one row, whatever the
   * number of tokens. Cut-offs only move forward, so a late, older request can't un-revoke.
   */
  async revokeSubject(q: RevokeSubjectQuery): Promise<void> {
    this.#cutoff = this.#raiseCutoff(SUBJECT_CUTOFF, q.before, q.keepUntil);
    await this.#scheduleAlarm(q.keepUntil);
    await this.#outlastLeases(this.#leaseHorizon);
  }

  /**
   * Ends every browser sign-in session of this subject begun before `q.before`, and nothing
   * else: one row. The cut-off only moves forward. Unlike a revocation it answers at once,
   * without waiting out read leases: it records that the configuration disables the user, and
   * while it does, the user check refuses every session of theirs whatever its lease says; the
   * cut-off matters only once a later configuration enables the user again, a deployment (far
   * longer than a lease) away. Waiting would hold the first request of every new isolate for up
   * to a lease on a busy shard.
   */
  async endSessions(q: EndSessionsQuery): Promise<void> {
    this.#sessionCutoff = this.#raiseCutoff(SESSION_CUTOFF, q.before, q.keepUntil);
    await this.#scheduleAlarm(q.keepUntil);
  }

  /**
   * Deletes rows past expiry + margin, then re-arms for the earliest remaining one. A renewed
   * token's row also stays while the renewal limit's longest window may count it: the limit is
   * counted from these rows, so deleting one early would hand the subject renewals back.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const next = this.ctx.storage.transactionSync((): number | null => {
      const sql = this.ctx.storage.sql;
      sql.exec(
        "DELETE FROM token WHERE expires_at <= ?1 AND (renewed_at IS NULL OR renewed_at <= ?2)",
        now - RETENTION_MARGIN_MS, now - MAX_RENEWAL_WINDOW_MS,
      );
      sql.exec("DELETE FROM subject_revocation WHERE keep_until <= ?", now - RETENTION_MARGIN_MS);
      sql.exec("DELETE FROM session_revocation WHERE keep_until <= ?", now - RETENTION_MARGIN_MS);
      const r = sql
        .exec<{ t: number | null }>(
          `SELECT min(t) AS t FROM (
             SELECT min(max(expires_at + ?1, coalesce(renewed_at + ?2, 0))) AS t FROM token
             UNION ALL SELECT keep_until + ?1 AS t FROM subject_revocation
             UNION ALL SELECT keep_until + ?1 AS t FROM session_revocation)`,
          RETENTION_MARGIN_MS, MAX_RENEWAL_WINDOW_MS,
        )
        .one();
      return r.t;
    });
    this.#cutoff = this.#readCutoff(SUBJECT_CUTOFF);
    this.#sessionCutoff = this.#readCutoff(SESSION_CUTOFF);
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  /**
   * Records a lease of `leaseMs` on `idHash` from `now`; first durably, when it passes the
   * recorded horizon or is longer than any recorded lease.
   */
  #grantLease(idHash: string, leaseMs: number, now: number): void {
    const until = now + leaseMs;
    const rec = this.#recorded;
    if (until > rec.until || leaseMs > rec.maxLease) {
      // Synchronous SQLite: the answer carrying the lease leaves only once this is durable.
      // Every lease granted so far ends by rec.until; once that has passed, start afresh.
      const fresh = rec.until <= now;
      this.#recorded = {
        until: Math.max(rec.until, now + LEASE_RECORD_AHEAD_MS),
        maxLease: fresh ? leaseMs : Math.max(rec.maxLease, leaseMs),
      };
      this.ctx.storage.sql.exec(
        `INSERT INTO lease_horizon (id, until, max_lease) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET until = ?1, max_lease = ?2`,
        this.#recorded.until, this.#recorded.maxLease,
      );
    }
    this.#leases.set(idHash, Math.max(until, this.#leases.get(idHash) ?? 0));
    this.#leaseHorizon = Math.max(this.#leaseHorizon, until);
    if (this.#leases.size > this.#pruneAt) {
      for (const [k, end] of this.#leases) if (end <= now) this.#leases.delete(k);
      this.#pruneAt = Math.max(1024, this.#leases.size * 2);
    }
  }

  /**
   * Waits until every lease that could still vouch for a revoked token has ended: the given
   * end, and anything a previous instance of this object granted. A timer does not hold the
   * object's input gate, so other calls proceed meanwhile — and see the revocation.
   */
  async #outlastLeases(end: number): Promise<void> {
    const wait = Math.max(end, this.#quietUntil) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  #row(idHash: string): TokenRow | undefined {
    return this.ctx.storage.sql
      .exec<TokenRow>(
        "SELECT family, expires_at, renewed_at, revoked FROM token WHERE id_hash = ?",
        idHash,
      )
      .toArray()[0];
  }

  #subjectRevoked(issuedAt: number): boolean {
    return this.#cutoff !== undefined && issuedAt < this.#cutoff;
  }

  #readCutoff(c: CutoffTable): number | undefined {
    return this.ctx.storage.sql
      .exec<{ b: number }>(`SELECT ${c.column} AS b FROM ${c.table} WHERE id = 1`)
      .toArray()[0]?.b;
  }

  /** Moves a one-row cut-off forward to `before` (never back), kept until `keepUntil`; the cut-off now. */
  #raiseCutoff(c: CutoffTable, before: number, keepUntil: number): number | undefined {
    this.ctx.storage.sql.exec(
      `INSERT INTO ${c.table} (id, ${c.column}, keep_until) VALUES (1, ?1, ?2)
       ON CONFLICT (id) DO UPDATE SET ${c.column} = max(${c.column}, ?1),
         keep_until = max(keep_until, ?2)`,
      before, keepUntil,
    );
    return this.#readCutoff(c);
  }

  /** Arms the alarm for `expiresAt` + margin unless an earlier one is already set. */
  async #scheduleAlarm(expiresAt: number): Promise<void> {
    const at = expiresAt + RETENTION_MARGIN_MS;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }
}
