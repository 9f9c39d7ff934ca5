// A local D1 database for plain workerd (scripts/serve.mjs). workerd implements the D1 binding
// API itself (the wrapped binding "cloudflare-internal:d1-api") and sends each query as HTTP to a
// `fetcher`; in production that is Cloudflare's D1 service, here it is this worker: one
// SQLite-backed Durable Object per database, on the disk of serve's --state-dir, so a restart on
// the same directory keeps the data. It speaks what the binding sends without the d1_binding_jsrpc
// flag: POST /query and /execute with one {sql, params} or an array of them, answered as D1
// answers (an array of {success, results, meta}, or one {success: false, error}); an array runs
// as one transaction. Migrations (MIGRATIONS: [{name, sql}], from src/state/migrations/) are applied on
// first use and recorded in d1_migrations, as `wrangler d1 migrations apply` records them.
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";

export class LocalD1Database extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => this.migrate(env.MIGRATIONS ?? []));
  }

  migrate(migrations) {
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    );
    const applied = new Set([...this.sql.exec("SELECT name FROM d1_migrations")].map((r) => r.name));
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(m.sql);
        this.sql.exec("INSERT INTO d1_migrations (name) VALUES (?)", m.name);
      });
    }
  }

  /** Runs `queries` in one transaction; one failure fails (and undoes) them all. */
  run(queries, format) {
    try {
      return this.ctx.storage.transactionSync(() => queries.map((q) => this.one(q, format)));
    } catch (e) {
      return { success: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  one({ sql, params }, format) {
    // A plain SELECT changes nothing: it needs no change counts (two more statements each).
    const reads = /^\s*SELECT\b/i.test(sql);
    const before = reads ? undefined : this.counts();
    const started = performance.now();
    const args = (params ?? []).map((p) => (Array.isArray(p) ? new Uint8Array(p).buffer : p));
    const cursor = this.sql.exec(sql, ...args);
    const columns = cursor.columnNames;
    const rows = [...cursor.raw()].map((row) => row.map((v) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v)));
    const duration = performance.now() - started;
    const after = reads ? { total: 0, lastRowId: 0 } : this.counts();
    const changes = reads ? 0 : after.total - before.total;
    const results =
      format === "NONE" ? undefined : format === "ROWS_AND_COLUMNS" ? { columns, rows } : rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    return {
      success: true,
      ...(results === undefined ? {} : { results }),
      meta: {
        served_by: "edge-sts-local-d1",
        served_by_primary: true,
        duration,
        timings: { sql_duration_ms: duration },
        changes,
        last_row_id: after.lastRowId,
        changed_db: changes > 0,
        size_after: this.sql.databaseSize,
        rows_read: cursor.rowsRead,
        rows_written: cursor.rowsWritten,
      },
    };
  }

  counts() {
    const [row] = [...this.sql.exec("SELECT total_changes() AS total, last_insert_rowid() AS lastRowId")];
    return row;
  }
}

export default class LocalD1 extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== "POST" || (url.pathname !== "/query" && url.pathname !== "/execute")) {
      return Response.json({ success: false, error: `not a D1 call: ${request.method} ${url.pathname}` }, { status: 404 });
    }
    let body;
    try {
      body = await request.json();
    } catch {
      return Response.json({ success: false, error: "the body is not JSON" });
    }
    const queries = (Array.isArray(body) ? body : [body]).filter((q) => typeof q?.sql === "string" && q.sql.replace(/^\s*--.*$/gm, "").trim() !== "");
    if (queries.length === 0) return Response.json({ success: false, error: "No SQL statements detected." });
    const ns = this.env.DATABASE;
    const db = ns.get(ns.idFromName(this.env.DATABASE_NAME));
    const answer = await db.run(queries, url.searchParams.get("resultsFormat") ?? "ARRAY_OF_OBJECTS");
    return Response.json(answer);
  }
}
