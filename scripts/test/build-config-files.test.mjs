// Self-tests of the configuration files' build step (scripts/build-config-files.mjs): what it
// bundles from a configuration directory, and the builds it stops, each naming the file.
// Node 22: `node --test 'scripts/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { MAX_TOTAL_BYTES, moduleText, readConfigFiles } from "../build-config-files.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "build-config-files-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The generated module for `files`, imported as the worker would (Node strips its types). */
async function load(files, name) {
  const path = join(dir, `${name}.generated.ts`);
  writeFileSync(path, moduleText(files, join(dir, name)));
  return (await import(pathToFileURL(path).href)).BUNDLED_FILES;
}

/** The build step run on `configDir` as wrangler's [build] would, with STS_CONFIG_DIR. */
function build(configDir) {
  // A failing build writes nothing; one that succeeds would write the checkout's generated
  // module, so only failures are run this way.
  return spawnSync(process.execPath, [join(ROOT, "scripts", "build-config-files.mjs")], { env: { ...process.env, STS_CONFIG_DIR: configDir }, encoding: "utf8" });
}

test("no configuration directory: an empty, frozen map", async () => {
  const files = readConfigFiles(join(dir, "absent"));
  assert.deepEqual(files, {});
  const bundled = await load(files, "absent");
  assert.deepEqual(bundled, {});
  assert.ok(Object.isFrozen(bundled));
});

test("every *.json under the directory, by its name relative to it with '/', minified; nothing else", async () => {
  const cfg = join(dir, "cfg");
  mkdirSync(join(cfg, "rps", "old"), { recursive: true });
  writeFileSync(join(cfg, "sts-config.json"), '{\n  "issuer": "https://sts.example.com/"\n}\n');
  writeFileSync(join(cfg, "rps", "1.json"), '[ { "identifier": "urn:a" } ]');
  writeFileSync(join(cfg, "rps", "old", "2.json"), "[]");
  writeFileSync(join(cfg, "README.md"), "not bundled");
  writeFileSync(join(cfg, "rps", "notes.txt"), "not bundled");
  const bundled = await load(readConfigFiles(cfg), "cfg");
  assert.deepEqual(Object.keys(bundled), ["rps/1.json", "rps/old/2.json", "sts-config.json"]);
  assert.equal(bundled["sts-config.json"], '{"issuer":"https://sts.example.com/"}');
  assert.equal(bundled["rps/1.json"], '[{"identifier":"urn:a"}]');
  assert.ok(Object.isFrozen(bundled));
});

test("a file that is not JSON, or not UTF-8, stops the build with its path", () => {
  const bad = join(dir, "bad");
  mkdirSync(join(bad, "rps"), { recursive: true });
  writeFileSync(join(bad, "ok.json"), "{}");
  writeFileSync(join(bad, "rps", "2.json"), '[{"identifier": "urn:a"},]');
  let r = build(bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^build-config-files: ${join(bad, "rps", "2.json").replace(/[.\\/]/g, "\\$&")}: not valid JSON \\(`));
  writeFileSync(join(bad, "rps", "2.json"), Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]));
  r = build(bad);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `build-config-files: ${join(bad, "rps", "2.json")}: not UTF-8 text; a configuration file must be JSON in UTF-8\n`);
});

test("more JSON than the bound stops the build, naming the largest files and Workers' script limits", () => {
  const big = join(dir, "big");
  mkdirSync(big);
  const half = JSON.stringify(Array.from({ length: Math.ceil(MAX_TOTAL_BYTES / 2 / 20) }, (_, i) => `urn:example:${String(i).padStart(8, "0")}`));
  writeFileSync(join(big, "a.json"), half);
  writeFileSync(join(big, "b.json"), half);
  writeFileSync(join(big, "c.json"), "[1]");
  const r = build(big);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /its JSON files hold \d+ bytes minified, over the 2097152 bytes this build bundles \(they become part of the worker's script, which Workers caps at 10 MB compressed on Workers Paid and 3 MB on Free\); the largest: a\.json \d+, b\.json \d+, c\.json 3 bytes/);
});
