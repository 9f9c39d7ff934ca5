// Self-tests of the benchmark's load driver against a local server whose costs are known
// (Node 22: `node --test 'scripts/bench/test/*.test.mjs'`). They need Debian's wrk; without it they skip,
// except in CI (CI=true), which installs it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { listen } from "../../test/listen.mjs";
import { drive, driveInterleaved } from "../load.mjs";

const hasWrk = spawnSync("sh", ["-c", "command -v wrk"]).status === 0;
const skip = hasWrk || process.env.CI ? false : "wrk is not on PATH (Debian package wrk)";

/**
 * Bodies starting "slow" are answered 4 ms late; each body is counted, to prove one use; the
 * `x-proof` header each body came with is kept.
 */
const seen = new Map();
const proofOf = new Map();
const target = (req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    seen.set(body, (seen.get(body) ?? 0) + 1);
    if (req.headers["x-proof"] !== undefined) proofOf.set(body, [req.headers["x-proof"], req.headers["content-type"]]);
    const answer = () => res.end(`ok ${body}`);
    if (body.startsWith("slow")) setTimeout(answer, 4);
    else answer();
  });
};
let server;
let base;
let dir;
before(async () => {
  server = await listen(target);
  base = server.url;
  dir = mkdtempSync(join(tmpdir(), "bench-load-test-"));
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
const common = { tool: "wrk", path: "/", expect: "ok" };
const bodies = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test("interleaved: each side gets its own latencies, and a costlier side shows as one", { skip }, async () => {
  seen.clear();
  const fast = bodies("fast", 300);
  const slow = bodies("slow", 300);
  const r = await driveInterleaved({ ...common, base, dir, name: "il", sides: [fast, slow], connections: 2, duration: 30 });
  assert.equal(r.errors, 0);
  const [a, b] = r.sides;
  assert.ok(b.p50Ms - a.p50Ms > 3, `slow side ${b.p50Ms} ms vs fast side ${a.p50Ms} ms`);
  assert.ok(a.p50Ms < 3, `fast side p50 ${a.p50Ms} ms`);
  // Sides picked at random: each side was sent after either side.
  for (const s of r.sides) for (const k of s.afterSide) assert.ok(k.requests > 10, JSON.stringify(s.afterSide));
  // Every body at most once; the run ends when one connection's slice of one side runs out
  // (sides are picked at random, so the other slices hold a few dozen at most by then).
  assert.ok([...seen.values()].every((n) => n === 1));
  assert.ok(a.requests + b.requests >= 450, `${a.requests} + ${b.requests}`);
  assert.equal(r.requests, a.requests + b.requests);
});

test("interleaved: two sides of equal cost come out equal", { skip }, async () => {
  const r = await driveInterleaved({ ...common, base, dir, name: "aa", sides: [bodies("a", 400), bodies("b", 400)], connections: 1, duration: 30 });
  const [a, b] = r.sides;
  assert.ok(Math.abs(a.p50Ms - b.p50Ms) < 0.3, `${a.p50Ms} vs ${b.p50Ms} ms`);
});

test("a one-use pool ends the run when it runs out, and the rate counts only that time", { skip }, async () => {
  seen.clear();
  const t0 = Date.now();
  const r = await drive({ ...common, base, dir, name: "pool", bodies: bodies("p", 400), cycle: false, connections: 2, threads: 2, duration: 30 });
  assert.ok(Date.now() - t0 < 10_000, "the run idled out its 30 s duration");
  assert.equal(r.exhausted, true);
  assert.ok(r.seconds < 10, `${r.seconds} s`);
  assert.ok(Math.abs(r.rps - r.requests / r.seconds) < 1e-6);
  // Each thread sends its own slice (200 here) and the first to run out stops both, so the run
  // sends all of one slice and most of the other: how much of it depends on how the two threads
  // were scheduled on a loaded machine (CI once saw 354).
  assert.ok(r.requests >= 300 && r.requests <= 400, `${r.requests} requests`);
  assert.ok([...seen.values()].every((n) => n === 1));
});

test("bodyHeader: each pool entry's first line goes out as that header, the rest as the body", { skip }, async () => {
  seen.clear();
  proofOf.clear();
  const pool = Array.from({ length: 200 }, (_, i) => `proof-${i}\nbody-${i}`);
  const r = await drive({ ...common, base, dir, name: "hdr", bodies: pool, cycle: false, connections: 2, threads: 2, duration: 30, bodyHeader: "x-proof", headers: { "content-type": "text/plain" } });
  assert.equal(r.errors, 0);
  assert.ok(r.requests >= 150, `${r.requests} requests`);
  assert.ok([...seen.values()].every((n) => n === 1));
  for (const [body, [proof, type]] of proofOf) {
    assert.equal(proof, body.replace("body-", "proof-"));
    assert.equal(type, "text/plain");
  }
  assert.equal(proofOf.size, r.requests);
});
