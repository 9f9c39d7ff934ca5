// Self-tests of `npm start` (scripts/start.mjs, wrangler dev): which configuration the worker
// gets. Node 22: `node --test 'scripts/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { freePort } from "./free-port.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "start-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));


test("STS_CONFIG and the secrets it names, set in the environment, are what npm start serves", { timeout: 150_000 }, async () => {
  const issuer = "https://sts.start-test.example";
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs"), "--port", String(port), "--persist-to", join(dir, "state")], {
    cwd: ROOT,
    // A .dev.vars in the checkout would be read instead of the environment (wrangler's rule).
    env: { ...process.env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, issuer }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`not ready within 120 s:\n${out}`)), 120_000);
      const poll = setInterval(() => {
        if (/Ready on http/.test(out)) {
          clearInterval(poll);
          clearTimeout(timer);
          res();
        }
      }, 200);
      child.on("exit", () => {
        clearInterval(poll);
        clearTimeout(timer);
        rej(new Error(`npm start exited:\n${out}`));
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    // Before: the worker saw no STS_CONFIG and, without STS_DEV_MODE, refused everything (503).
    assert.equal(health.status, 200, await health.text());
    const meta = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(meta.issuer, issuer);
    assert.doesNotMatch(out, /development_config/);
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((res) => child.on("exit", res));
    }
  }
});
