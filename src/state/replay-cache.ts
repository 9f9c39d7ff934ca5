import { DurableObject } from "cloudflare:workers";
import type { RememberQuery } from "./types.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS seen (
  key        TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_expires ON seen (expires_at);`;

/**
 * One of 64 replay-cache shards (`replay:00` … `replay:63`, chosen by the client from the
 * key hash). Remembers hashed one-time values until the end of their freshness window:
 * WS-Security UsernameToken Profile 1.1 §3.1 Nonce + Created (a nonce must not be accepted
 * twice while Created is within the window) and RFC 7523 §3 / RFC 7521 `jti` of
 * private_key_jwt client assertions.
 */
export class ReplayCacheObject extends DurableObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Check-and-set in one transaction: `fresh: true` the first time `key` is seen (or after
   * its previous entry expired), `fresh: false` for a repeat before `expiresAt`.
   */
  async remember(q: RememberQuery): Promise<{ fresh: boolean }> {
    const now = q.now ?? Date.now();
    const fresh = this.ctx.storage.transactionSync((): boolean => {
      const sql = this.ctx.storage.sql;
      const prev = sql
        .exec<{ e: number }>("SELECT expires_at AS e FROM seen WHERE key = ?", q.key)
        .toArray()[0];
      if (prev !== undefined && prev.e > now) return false;
      sql.exec(
        `INSERT INTO seen (key, expires_at) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET expires_at = ?2`,
        q.key, q.expiresAt,
      );
      return true;
    });
    if (fresh) {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || q.expiresAt < current) await this.ctx.storage.setAlarm(q.expiresAt);
    }
    return { fresh };
  }

  /** Deletes expired entries and re-arms for the earliest remaining one. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const next = this.ctx.storage.transactionSync((): number | null => {
      const sql = this.ctx.storage.sql;
      sql.exec("DELETE FROM seen WHERE expires_at <= ?", now);
      return sql.exec<{ t: number | null }>("SELECT min(expires_at) AS t FROM seen").one().t;
    });
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
