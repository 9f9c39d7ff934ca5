// Self-tests of the local D1 that `npm run serve` gives the worker (scripts/d1-local/worker.js),
// through workerd's own D1 binding as the STS uses it: the migrations are applied once, the
// binding's calls answer as D1 answers, a batch is one transaction, and a restart on the same
// storage keeps everything. Node 22: `node --test 'scripts/d1-local/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { startChild } from "../../test/child.mjs";
import { freePort } from "../../test/free-port.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const WORKERD = join(ROOT, "node_modules", "workerd", "bin", "workerd");
const dir = mkdtempSync(join(tmpdir(), "d1-local-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MIGRATIONS = [
  { name: "0001_notes.sql", sql: "-- notes\nCREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}');\nCREATE INDEX notes_body ON notes (body);" },
  { name: "0002_tags.sql", sql: "CREATE TABLE tags (note TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (note, tag));" },
];

// The test worker: each path runs D1 calls through the binding and answers what they returned.
const TEST_WORKER = `
export default {
  async fetch(req, env) {
    const db = env.DB;
    const path = new URL(req.url).pathname;
    const errorOf = async (p) => { try { await p; return null; } catch (e) { return String(e.message); } };
    if (path === "/write") {
      const a = await db.prepare("INSERT INTO notes (id, body) VALUES (?1, ?2)").bind("a", "first").run();
      const batch = await db.batch([
        db.prepare("INSERT INTO notes (id, body) VALUES (?1, ?2)").bind("b", "second"),
        db.prepare("INSERT INTO tags (note, tag) VALUES (?1, ?2)").bind("b", "x"),
      ]);
      const failed = await errorOf(db.batch([
        db.prepare("INSERT INTO notes (id, body) VALUES (?1, ?2)").bind("c", "third"),
        db.prepare("INSERT INTO notes (id, body) VALUES (?1, ?2)").bind("a", "again"),
      ]));
      const single = await errorOf(db.prepare("INSERT INTO notes (id, body) VALUES ('a', 'x')").run());
      const conflict = await db.prepare("INSERT INTO notes (id, body) VALUES ('a', 'x') ON CONFLICT (id) DO NOTHING").run();
      const patched = await db.prepare("UPDATE notes SET data = json_patch(data, ?2) WHERE id = ?1 RETURNING data").bind("a", JSON.stringify({ k: 1, z: null })).first();
      const badSql = await errorOf(db.prepare("SELEC nonsense").all());
      return Response.json({ a: a.meta.changes, batch: batch.map((r) => r.meta.changes), failed, single, conflict: conflict.meta.changes, patched, badSql });
    }
    const notes = await db.prepare("SELECT id, body FROM notes ORDER BY id").all();
    const first = await db.prepare("SELECT body FROM notes WHERE id = ?1").bind("b").first("body");
    const none = await db.prepare("SELECT body FROM notes WHERE id = ?1").bind("zz").first();
    const raw = await db.prepare("SELECT id FROM notes ORDER BY id").raw();
    const migrations = await db.prepare("SELECT name FROM d1_migrations ORDER BY id").all();
    return Response.json({ notes: notes.results, first, none, raw, migrations: migrations.results.map((r) => r.name) });
  },
};`;

function config(port) {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .testWorker),
    (name = "d1", worker = .d1Worker),
    (name = "disk", disk = (path = ${JSON.stringify(join(dir, "state"))}, writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const testWorker :Workerd.Worker = (
  modules = [ (name = "test.js", esModule = embed "test.js") ],
  compatibilityDate = "2026-10-20",
  bindings = [ (name = "DB", wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [ (name = "fetcher", service = "d1") ])) ],
);
const d1Worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-10-20",
  bindings = [
    (name = "DATABASE", durableObjectNamespace = "LocalD1Database"),
    (name = "DATABASE_NAME", text = "test-db"),
    (name = "MIGRATIONS", json = embed "migrations.json"),
  ],
  durableObjectNamespaces = [ (className = "LocalD1Database", uniqueKey = "test-d1", enableSql = true) ],
  durableObjectStorage = (localDisk = "disk"),
);
`;
}


/** Runs workerd on the test storage, calls `paths` in order, stops it. */
async function withWorkerd(paths) {
  const port = await freePort();
  writeFileSync(join(dir, "test.js"), TEST_WORKER);
  copyFileSync(join(ROOT, "scripts", "d1-local", "worker.js"), join(dir, "worker.js"));
  writeFileSync(join(dir, "migrations.json"), JSON.stringify(MIGRATIONS));
  writeFileSync(join(dir, "config.capnp"), config(port));
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "state"), { recursive: true });
  const workerd = startChild(WORKERD, ["serve", join(dir, "config.capnp")], { cwd: dir });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/read`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const out = [];
    for (const p of paths) {
      const res = await fetch(`http://127.0.0.1:${port}${p}`);
      assert.equal(res.status, 200, `${p}: ${await res.clone().text()} ${workerd.out().slice(-500)}`);
      out.push(await res.json());
    }
    return out;
  } finally {
    await workerd.stop();
  }
}

test("the binding's calls, answered by the local D1", async () => {
  const [before, w, read] = await withWorkerd(["/read", "/write", "/read"]);
  assert.deepEqual(before.migrations, ["0001_notes.sql", "0002_tags.sql"]);
  assert.deepEqual(before.notes, []);
  assert.equal(w.a, 1);
  assert.deepEqual(w.batch, [1, 1]);
  // A batch is one transaction: its first insert is undone with the failing second.
  assert.match(w.failed, /UNIQUE constraint failed/);
  assert.match(w.single, /^D1_ERROR: .*UNIQUE constraint failed/);
  assert.equal(w.conflict, 0);
  assert.deepEqual(JSON.parse(w.patched.data), { k: 1 });
  assert.match(w.badSql, /syntax error/);
  assert.deepEqual(read.notes, [{ id: "a", body: "first" }, { id: "b", body: "second" }]);
  assert.equal(read.first, "second");
  assert.equal(read.none, null);
  assert.deepEqual(read.raw, [["a"], ["b"]]);
});

test("a restart on the same storage keeps the rows and applies no migration twice", async () => {
  const [read] = await withWorkerd(["/read"]);
  assert.deepEqual(read.notes.map((n) => n.id), ["a", "b"]);
  assert.deepEqual(read.migrations, ["0001_notes.sql", "0002_tags.sql"]);
});
