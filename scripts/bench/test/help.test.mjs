// The bench's helper scripts answer --help with their opening comment and exit at once: asked
// for help, worker-profile.mjs used to build, serve and load the worker for five seconds.
// Node 22: `node --test scripts/bench/test/help.test.mjs`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const BENCH = join(dirname(fileURLToPath(import.meta.url)), "..");

test("run.mjs (npm run bench) --help prints its usage, not its interpreter line, and exits 0 without serving anything", () => {
  const r = spawnSync(process.execPath, [join(BENCH, "run.mjs"), "--help", "--port", "1", "--baseline-port", "1"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /`npm run bench -- \[--connections 8\]/);
  assert.doesNotMatch(r.stdout, /^(\/\/|#!)/m, "comment markers and the interpreter line are left out");
});

for (const script of ["worker-profile.mjs", "loop-ab.mjs", "ab-http.mjs", "profile.mjs"]) {
  test(`${script} --help prints its usage and exits 0 without serving anything`, () => {
    // A port no one listens on: a script that went on to work would fail or hang on it, not exit 0.
    const r = spawnSync(process.execPath, [join(BENCH, script), "--help", "--port", "1", "--port-a", "1", "--port-b", "1"], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`usage: node scripts/bench/${script.replace(".", "\\.")}`));
    assert.doesNotMatch(r.stdout, /^\/\//m, "comment markers are stripped");
  });
}
