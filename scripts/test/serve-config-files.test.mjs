// End to end, a configuration too large for Workers' bindings served from bundled files: a
// generated AD FS-like configuration (scripts/bench/large-config.mjs, fewer users and partners
// so openssl runs for seconds) split with `sts config split --files`, served with
// `serve --config-dir DIR/config --vars-file` (the build bundles the files into the script),
// and a token issued for a relying party from the middle of the list, and exchanged by the
// client allowed hundreds of audiences, whose entry alone is more than a binding holds.
// Node 22: `node --test 'scripts/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { runSts } from "../cli/test/run-cli.mjs";
import { GENERATED, moduleText, readConfigFiles, configDir } from "../build-config-files.mjs";
import { startChild } from "./child.mjs";
import { freePort } from "./free-port.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "serve-config-files-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const json = (...p) => JSON.parse(readFileSync(join(dir, ...p), "utf8"));

test("a configuration split into bundled files is served: a token for a party mid-list, and an exchange by a client over 5 KB", { timeout: 240_000 }, async () => {
  execFileSync(process.execPath, [join(ROOT, "scripts", "bench", "large-config.mjs"), "--out", join(dir, "large"), "--parties", "300", "--clients", "20", "--users", "10", "--issuers", "6", "--authorities", "3"], { stdio: "ignore" });
  const split = await runSts(["config", "split", join(dir, "large", "sts-config.json"), "--out", join(dir, "split"), "--files"]);
  assert.equal(split.status, 0, split.stderr);
  const reduced = readFileSync(join(dir, "split", "sts-config.json"), "utf8");
  assert.ok(Buffer.byteLength(reduced) <= 5120);
  const parties = json("split", "config", "relying-parties.json");
  const demo = json("split", "config", "oauth-clients.json").find((c) => c.clientId === "demo-client");
  assert.ok(Buffer.byteLength(JSON.stringify(demo)) > 5120, "demo-client alone is more than a binding holds");
  writeFileSync(join(dir, "vars.json"), JSON.stringify({ ...json("large", "secrets.json"), STS_CONFIG: reduced }));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serve = startChild(process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--state-dir", join(dir, "state"), "--config-dir", join(dir, "split", "config"), "--vars-file", join(dir, "vars.json")], { cwd: ROOT });
  try {
    assert.ok(await serve.until(/ready on|serve: /, 180_000), serve.out());
    assert.match(serve.out(), new RegExp(`edge-sts \\(workerd\\) ready on ${url}\\n`));
    // The build left the checkout's own configuration files (config/, or none) bundled, not these.
    assert.equal(readFileSync(GENERATED, "utf8"), moduleText(readConfigFiles(configDir()), configDir()));

    // A SAML party from the middle of the list whose tokens are not encrypted (readable here).
    const middle = parties.slice(Math.floor(parties.length / 2)).find((p) => p.defaultTokenType === "saml2" && p.encryption === undefined);
    const token = await runSts(["token", "--url", url, "--user", "alice", "--applies-to", middle.identifier, "--out", join(dir, "token.xml")], { STS_PASSWORD: "wonderland" });
    assert.equal(token.status, 0, token.stderr);
    const assertion = readFileSync(join(dir, "token.xml"), "utf8");
    assert.match(assertion, new RegExp(`<saml:Audience>${middle.identifier}</saml:Audience>`));

    const late = parties.filter((p) => p.defaultTokenType === "jwt").at(-1);
    const exchanged = await runSts(["exchange", "--url", url, "--client", "demo-client", "--subject", join(dir, "token.xml"), "--audience", late.identifier], { STS_CLIENT_SECRET: "demo-secret" });
    assert.equal(exchanged.status, 0, exchanged.stderr);
    const claims = JSON.parse(Buffer.from(exchanged.stdout.trim().split(".")[1], "base64url").toString("utf8"));
    assert.equal(claims.aud, late.identifier);
    assert.equal(claims.client_id, "demo-client");
    assert.equal(claims.sub, "alice");
  } finally {
    await serve.stop();
  }
});

test("--config-dir is refused at once without a build, or when a file in it is not JSON, naming the file", async () => {
  const bad = join(dir, "bad-config");
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, "relying-parties.json"), '[{"identifier": "urn:a"},]');
  const serve = (args) => {
    const child = startChild(process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--port", "1", ...args], { cwd: ROOT });
    return child.exited.then((code) => ({ code, out: child.out() }));
  };
  const noBuild = await serve(["--config-dir", bad, "--no-build"]);
  assert.equal(noBuild.code, 2);
  assert.equal(noBuild.out, "serve: --config-dir bundles its files into the worker, so it needs a build: leave out --no-build and --dist\n");
  const port = await freePort();
  const notJson = await serve(["--config-dir", bad, "--port", String(port), "--state-dir", join(dir, "state-bad")]);
  assert.equal(notJson.code, 2);
  assert.match(notJson.out, new RegExp(`^serve: --config-dir ${join(bad, "relying-parties.json").replace(/[.\\/-]/g, "\\$&")}: not valid JSON \\(`));
});
