/**
 * The user directory: users who live in a D1 database (binding `USERS_DB`, schema in
 * src/state/migrations/) rather than in the configuration, so that an operator can hold tens of
 * thousands of them and add one without a redeploy. One table serves every realm; each
 * `UserDirectory` reads and writes its realm's rows only.
 *
 * Every write is one statement (or one batch, which D1 runs as one transaction), so two
 * administrators changing the same user at once never lose each other's change: a claims
 * patch is merged by SQLite (`json_patch`, RFC 7396) inside the UPDATE, not read, merged and
 * written back here. The claim names users hold are recorded in the same transaction as each
 * write (`claim_names`), from the row as stored, for federation metadata.
 */
import { newClaims } from "../token/claims.ts";
import { nameKey } from "../token/subject.ts";

/** A directory user as stored (the hash never leaves the worker's own checks). */
export interface DirectoryUser {
  username: string;
  passwordHash: string;
  enabled: boolean;
  /** Claim name → values. */
  claims: Record<string, string[]>;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** When it was last disabled, epoch ms (undefined: never). */
  disabledAt?: number | undefined;
}

/** What a new user is made of. */
export type NewDirectoryUser = Pick<DirectoryUser, "username" | "passwordHash" | "enabled" | "claims">;

/**
 * What one user's claims may hold as stored, whichever writes brought them there: the row is
 * read on every sign-in and its claims go into every token (D1 rows also stop at 2 MB).
 */
export const CLAIM_BOUNDS = { names: 64, jsonChars: 32 * 1024 } as const;

/** A change to a user: either part may be absent. */
export interface DirectoryUserChange {
  /** RFC 7396 merge patch of the claims: a name mapped to null is removed. */
  claimsPatch?: Record<string, string[] | null>;
  enabled?: boolean;
}

interface Row {
  username: string;
  password_hash: string;
  enabled: number;
  claims: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

/** The columns a new user is written with. */
const COLUMNS = "username, password_hash, enabled, claims, created_at, updated_at";
/** The columns a user is read with. */
const READ = `${COLUMNS}, disabled_at`;

/**
 * The stored claims as SQL reads them for a merge or for their names: a JSON object, or `{}`
 * in place of anything else, as {@link parseClaims} reads them. SQLite's JSON functions throw on
 * text that is not JSON, so without this one hand-edited row would fail every change to its user
 * (the very PATCH that would mend it) and every batch that records its claim names. CASE tries
 * its WHENs in order, so `json_type` only ever sees valid JSON.
 */
const STORED_CLAIMS = "(CASE WHEN NOT json_valid(claims) THEN '{}' WHEN json_type(claims) = 'object' THEN claims ELSE '{}' END)";

function fromRow(r: Row): DirectoryUser {
  return {
    username: r.username,
    passwordHash: r.password_hash,
    enabled: r.enabled === 1,
    claims: parseClaims(r.claims),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.disabled_at === null ? {} : { disabledAt: r.disabled_at }),
  };
}

/**
 * Claims as stored. Rows are written only through this module, so anything but an object of
 * string arrays means someone edited the table by hand: such values are dropped, never trusted.
 */
function parseClaims(text: string): Record<string, string[]> {
  const out = newClaims();
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return out;
  for (const [name, values] of Object.entries(v)) {
    if (name === "__proto__" || !Array.isArray(values)) continue;
    const strings = values.filter((s): s is string => typeof s === "string");
    if (strings.length > 0) out[name] = strings;
  }
  return out;
}

/**
 * Why the directory could not be read, for the operator's log line. D1 reports a schema older
 * than this code (a migration of src/state/migrations/ not applied, say after an upgrade) as a
 * bare SQLite error naming a table or column; that one has a known remedy, so the line names it.
 */
export function directoryFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return /\bno such (table|column)\b|\bhas no column named\b/.test(message)
    ? `${message} — its schema is older than this version's: apply the migrations (npx wrangler d1 migrations apply USERS_DB --remote)`
    : message;
}

export class UserDirectory {
  private readonly db: D1Database;
  /** "" for the first realm, else the realm's name. */
  readonly realm: string;

  constructor(db: D1Database, realm: string) {
    this.db = db;
    this.realm = realm;
  }

  async get(username: string): Promise<DirectoryUser | undefined> {
    const r = await this.db
      .prepare(`SELECT ${READ} FROM users WHERE realm = ?1 AND username = ?2`)
      .bind(this.realm, username)
      .first<Row>();
    return r === null ? undefined : fromRow(r);
  }

  /** Creates a user. @returns the user as stored, or undefined when the name is taken (nothing is changed then). */
  async create(user: NewDirectoryUser, now: number): Promise<DirectoryUser | undefined> {
    const [inserted] = await this.db.batch<Row>([this.insert(user, now), this.recordClaimNames([user.username])]);
    const r = inserted?.results[0];
    return r === undefined ? undefined : fromRow(r);
  }

  /**
   * Creates many users in one transaction. @returns the names that were already taken (those
   * rows are left as they were; the others are created).
   */
  async createMany(users: readonly NewDirectoryUser[], now: number): Promise<string[]> {
    if (users.length === 0) return [];
    const results = await this.db.batch([...users.map((u) => this.insert(u, now)), this.recordClaimNames(users.map((u) => u.username))]);
    return users.filter((_, i) => results[i]?.meta.changes !== 1).map((u) => u.username);
  }

  /**
   * Records the claim names that the stored rows of `usernames` hold (run after their write,
   * in its batch). A name is never removed: one a user held stays offered.
   */
  private recordClaimNames(usernames: readonly string[]): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT OR IGNORE INTO claim_names (realm, name)
         SELECT DISTINCT ?1, j.key FROM users, json_each(${STORED_CLAIMS}) AS j
         WHERE users.realm = ?1 AND users.username IN (SELECT value FROM json_each(?2))`,
      )
      .bind(this.realm, JSON.stringify(usernames));
  }

  /** The claim names directory users of this realm hold or have held, in name order (at most `limit`). */
  async claimNames(limit = 1000): Promise<string[]> {
    const r = await this.db.prepare("SELECT name FROM claim_names WHERE realm = ?1 ORDER BY name LIMIT ?2").bind(this.realm, limit).all<{ name: string }>();
    return r.results.map((row) => row.name);
  }

  /**
   * Inserts a user unless the name, or one that looks the same ({@link nameKey}), is taken; with
   * `unlessMarked`, also unless this realm's directory_meta holds that key (a seed already made).
   */
  private insert(u: NewDirectoryUser, now: number, unlessMarked?: string): D1PreparedStatement {
    const seeded = unlessMarked === undefined ? "" : "AND NOT EXISTS (SELECT 1 FROM directory_meta WHERE realm = ?1 AND key = ?8)";
    const statement = this.db.prepare(
      `INSERT INTO users (realm, ${COLUMNS}, name_key) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7
       WHERE NOT EXISTS (SELECT 1 FROM users WHERE realm = ?1 AND name_key = ?7) ${seeded}
       ON CONFLICT (realm, username) DO NOTHING RETURNING ${READ}`,
    );
    const values = [this.realm, u.username, u.passwordHash, u.enabled ? 1 : 0, JSON.stringify(u.claims), now, nameKey(u.username)];
    return unlessMarked === undefined ? statement.bind(...values) : statement.bind(...values, unlessMarked);
  }

  /** Up to `limit` users whose names sort after `after`, in name order. */
  async list(after: string | undefined, limit: number): Promise<DirectoryUser[]> {
    const r = await this.db
      .prepare(`SELECT ${READ} FROM users WHERE realm = ?1 AND username > ?2 ORDER BY username LIMIT ?3`)
      .bind(this.realm, after ?? "", limit)
      .all<Row>();
    return r.results.map(fromRow);
  }

  /** Up to `limit` user names that sort after `after`, in name order: the names alone, not the rows. */
  async names(after: string | undefined, limit: number): Promise<string[]> {
    const r = await this.db
      .prepare("SELECT username FROM users WHERE realm = ?1 AND username > ?2 ORDER BY username LIMIT ?3")
      .bind(this.realm, after ?? "", limit)
      .all<{ username: string }>();
    return r.results.map((row) => row.username);
  }

  /**
   * Applies a change. The merged claims are bounded in the same statement (CLAIM_BOUNDS): a
   * patch that would take them past the bounds changes nothing.
   * @returns the user as changed; undefined when there is no such user; "claims-over-bounds".
   */
  async update(username: string, change: DirectoryUserChange, now: number): Promise<DirectoryUser | undefined | "claims-over-bounds"> {
    const patch = change.claimsPatch === undefined ? null : JSON.stringify(change.claimsPatch);
    const enabled = change.enabled === undefined ? null : change.enabled ? 1 : 0;
    const write = this.db
      .prepare(
        `UPDATE users SET claims = CASE WHEN ?3 IS NULL THEN claims ELSE json_patch(${STORED_CLAIMS}, ?3) END,
           enabled = COALESCE(?4, enabled), updated_at = ?5,
           -- The right-hand sides read the row as it was: only enabled → disabled is a new time.
           disabled_at = CASE WHEN ?4 = 0 AND enabled = 1 THEN ?5 ELSE disabled_at END
         WHERE realm = ?1 AND username = ?2
           AND (?3 IS NULL OR ((SELECT count(*) FROM json_each(json_patch(${STORED_CLAIMS}, ?3))) <= ?6 AND length(json_patch(${STORED_CLAIMS}, ?3)) <= ?7))
         RETURNING ${READ}`,
      )
      .bind(this.realm, username, patch, enabled, now, CLAIM_BOUNDS.names, CLAIM_BOUNDS.jsonChars);
    const [updated] = await this.db.batch<Row>(patch === null ? [write] : [write, this.recordClaimNames([username])]);
    const r = updated?.results[0];
    if (r !== undefined) return fromRow(r);
    return patch !== null && (await this.get(username)) !== undefined ? "claims-over-bounds" : undefined;
  }

  /** @returns false when there is no such user. */
  async setPassword(username: string, passwordHash: string, now: number): Promise<boolean> {
    const r = await this.db
      .prepare("UPDATE users SET password_hash = ?3, updated_at = ?4 WHERE realm = ?1 AND username = ?2")
      .bind(this.realm, username, passwordHash, now)
      .run();
    return r.meta.changes === 1;
  }

  /** @returns the user as it was when deleted; undefined when there is no such user. */
  async delete(username: string): Promise<DirectoryUser | undefined> {
    const r = await this.db
      .prepare(`DELETE FROM users WHERE realm = ?1 AND username = ?2 RETURNING ${READ}`)
      .bind(this.realm, username)
      .first<Row>();
    return r === null ? undefined : fromRow(r);
  }

  /**
   * The directory's users whose names look the same ({@link nameKey}) as one of `names`, each
   * with the name it matches (for the start-up check against configured users).
   */
  async holds(names: readonly string[]): Promise<{ name: string; stored: string }[]> {
    const byKey = new Map(names.map((n) => [nameKey(n), n]));
    const keys = [...byKey.keys()];
    const found: { name: string; stored: string }[] = [];
    // SQLite allows 100 bound parameters per statement on D1; one is the realm.
    for (let i = 0; i < keys.length; i += 90) {
      const chunk = keys.slice(i, i + 90);
      const marks = chunk.map((_, j) => `?${j + 2}`).join(", ");
      const r = await this.db
        .prepare(`SELECT username, name_key FROM users WHERE realm = ?1 AND name_key IN (${marks})`)
        .bind(this.realm, ...chunk)
        .all<{ username: string; name_key: string }>();
      for (const row of r.results) found.push({ name: byKey.get(row.name_key)!, stored: row.username });
    }
    return found;
  }

  /**
   * Creates `users` once in this realm's life: the first call records that it did, in the same
   * transaction, so a seeded user an administrator later deletes stays deleted.
   * @returns true when this call seeded.
   */
  async seedOnce(marker: string, users: readonly NewDirectoryUser[], now: number): Promise<boolean> {
    const inserts = users.map((u) => this.insert(u, now, marker));
    const mark = this.db
      .prepare("INSERT INTO directory_meta (realm, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (realm, key) DO NOTHING")
      .bind(this.realm, marker, new Date(now).toISOString());
    const results = await this.db.batch([...inserts, this.recordClaimNames(users.map((u) => u.username)), mark]);
    return results[results.length - 1]?.meta.changes === 1;
  }
}
