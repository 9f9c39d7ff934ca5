// Self-tests of `npm start` (scripts/start.mjs, wrangler dev): which configuration the worker
// gets. Node 22: `node --test 'scripts/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { startChild } from "./child.mjs";
import { freePort } from "./free-port.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "start-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));


test("STS_CONFIG and the secrets it names, set in the environment, are what npm start serves", { timeout: 150_000 }, async () => {
  const issuer = "https://sts.start-test.example";
  const port = await freePort();
  const start = startChild(process.execPath, [join(ROOT, "scripts", "start.mjs"), "--port", String(port), "--persist-to", join(dir, "state")], {
    cwd: ROOT,
    // A .dev.vars in the checkout would be read instead of the environment (wrangler's rule).
    env: { ...process.env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, issuer }) },
  });
  try {
    if (!(await start.until(/Ready on http/, 120_000))) throw new Error(`npm start exited:\n${start.out()}`);
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    // Before: the worker saw no STS_CONFIG and, without STS_DEV_MODE, refused everything (503).
    assert.equal(health.status, 200, await health.text());
    const meta = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(meta.issuer, issuer);
    assert.doesNotMatch(start.out(), /development_config/);
  } finally {
    await start.stop();
  }
});
