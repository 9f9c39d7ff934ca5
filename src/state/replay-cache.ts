import { DurableObject } from "cloudflare:workers";
import type { HitQuery, HitResult, RememberQuery } from "./types.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS seen (
  key        TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_expires ON seen (expires_at);
CREATE TABLE IF NOT EXISTS hits (
  key        TEXT PRIMARY KEY,
  window_end INTEGER NOT NULL,
  count      INTEGER NOT NULL
);`;

/**
 * One of 64 replay-cache shards (`replay:00` … `replay:63`, chosen by the client from the
 * key hash). Remembers hashed one-time values until the end of their freshness window:
 * WS-Security UsernameToken Profile 1.1 §3.1 Nonce + Created (a nonce must not be accepted
 * twice while Created is within the window) and RFC 7523 §3 / RFC 7521 `jti` of
 * private_key_jwt client assertions. Also holds the abuse counters (failed authentications,
 * renewals: see src/abuse/), fixed-window counts under hashed keys, sharded the same way.
 */
export class ReplayCacheObject extends DurableObject {
  /**
   * When the alarm is set to fire, as far as this instance knows: `undefined` until read once
   * from storage, `null` for no alarm. Only this object sets its alarm, so after the first read
   * the copy stays true and a new entry costs no storage call for the alarm at all, unless it
   * expires before every entry already held.
   */
  #alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Check-and-set in one statement: `fresh: true` the first time `key` is seen (or after its
   * previous entry expired), `fresh: false` for a repeat before `expiresAt`. The upsert writes
   * a row only when there was none or it had expired, so whether it wrote is the answer.
   * A window already over at `now` remembers nothing, so such a call only asks whether `key` is
   * held: the state client asks so after a key an earlier release spelled differently
   * (state-key.ts). An object of a release before this one answers it alike, writing a row
   * that is dead on arrival, so the question is safe whichever release runs the object.
   */
  async remember(q: RememberQuery): Promise<{ fresh: boolean }> {
    const now = q.now ?? Date.now();
    if (q.expiresAt <= now) {
      return { fresh: this.ctx.storage.sql.exec("SELECT 1 FROM seen WHERE key = ? AND expires_at > ?", q.key, now).toArray().length === 0 };
    }
    const fresh = this.ctx.storage.sql.exec(
      `INSERT INTO seen (key, expires_at) VALUES (?1, ?2)
       ON CONFLICT (key) DO UPDATE SET expires_at = ?2 WHERE seen.expires_at <= ?3`,
      q.key, q.expiresAt, now,
    ).rowsWritten > 0;
    if (fresh) await this.#wakeBy(q.expiresAt);
    return { fresh };
  }

  /**
   * Counts one event under `key` in a fixed window (read-modify-write in one transaction):
   * a hit after the window ended starts a new one. Only failures and renewals are counted, so
   * successful issuance never reaches this object.
   */
  async hit(q: HitQuery): Promise<HitResult> {
    const now = q.now ?? Date.now();
    const r = this.ctx.storage.transactionSync((): HitResult => {
      const sql = this.ctx.storage.sql;
      const prev = sql
        .exec<{ e: number; c: number }>("SELECT window_end AS e, count AS c FROM hits WHERE key = ?", q.key)
        .toArray()[0];
      const next = prev !== undefined && prev.e > now ? { count: prev.c + 1, resetAt: prev.e } : { count: 1, resetAt: now + q.windowMs };
      sql.exec(
        `INSERT INTO hits (key, window_end, count) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET window_end = ?2, count = ?3`,
        q.key, next.resetAt, next.count,
      );
      return next;
    });
    await this.#wakeBy(r.resetAt);
    return r;
  }

  /** Makes sure the alarm fires no later than `at`, when the entry written last expires. */
  async #wakeBy(at: number): Promise<void> {
    if (this.#alarmAt === undefined) this.#alarmAt = await this.ctx.storage.getAlarm();
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    await this.ctx.storage.setAlarm(at);
    this.#alarmAt = at;
  }

  /** Deletes expired entries and re-arms for the earliest remaining one. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const next = this.ctx.storage.transactionSync((): number | null => {
      const sql = this.ctx.storage.sql;
      sql.exec("DELETE FROM seen WHERE expires_at <= ?", now);
      sql.exec("DELETE FROM hits WHERE window_end <= ?", now);
      return sql
        .exec<{ t: number | null }>("SELECT min(t) AS t FROM (SELECT min(expires_at) AS t FROM seen UNION ALL SELECT min(window_end) FROM hits)")
        .one().t;
    });
    // The alarm that woke this call is spent; the next one is whatever is set here.
    this.#alarmAt = null;
    if (next !== null) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAt = next;
    }
  }
}
