// Self-tests of `npm run serve` (scripts/serve.mjs) against the bundle in dist/ (built first when
// it is missing): what it says when /healthz answers something else than 200.
// Node 22: `node --test 'scripts/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { startChild } from "./child.mjs";
import { freePort } from "./free-port.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "serve-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));


/**
 * Runs serve with this environment (and `args`) until it prints a line naming the URL (or exits);
 * then runs `whileUp(url)`, if given, and stops it.
 */
async function serveUntilReported(vars, ms, { args = [], whileUp } = {}) {
  const envFile = join(dir, "env.json");
  writeFileSync(envFile, JSON.stringify(vars));
  const port = await freePort();
  const serve = startChild(process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--no-build", "--port", String(port), "--state-dir", join(dir, "state"), "--vars-file", envFile, ...args], { cwd: ROOT });
  const started = Date.now();
  try {
    await serve.until(/ready on|serve: /, ms);
    if (whileUp !== undefined) await whileUp(`http://127.0.0.1:${port}`);
  } finally {
    // Waited for: the next test's serve claims the same --state-dir.
    await serve.stop();
  }
  return { out: serve.out(), port, seconds: (Date.now() - started) / 1000 };
}


/** serve.mjs with `args` on a free port, run until it exits (killed after 20 s): its exit code and all it wrote. */
async function serveToExit(args) {
  const port = await freePort();
  const serve = startChild(process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--no-build", "--port", String(port), ...args], { cwd: ROOT });
  const timer = setTimeout(() => serve.child.kill(), 20_000);
  const code = await serve.exited;
  clearTimeout(timer);
  return { code, out: serve.out() };
}
test("a configuration that lists its hosts is reported at once: ready for those hosts, and why 127.0.0.1's /healthz is a 404", async () => {
  const vars = { ...DEV_SECRETS, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, hosts: ["sts.example.com"] }) };
  // Without the report, serve waited 30 s and then blamed a timeout.
  const { out, port } = await serveUntilReported(vars, 25_000);
  const url = `http://127.0.0.1:${port}`;
  assert.match(out, new RegExp(`edge-sts \\(workerd\\) ready on ${url} for the hosts STS_CONFIG lists \\(sts\\.example\\.com\\) only: ${url}/healthz answered 404 \\(No realm is served at this host and path\\.\\) because the top-level "hosts" does not name 127\\.0\\.0\\.1\\. Send a listed name as the Host header: curl -H "Host: sts\\.example\\.com" ${url}/healthz`));
  assert.doesNotMatch(out, /did not answer 200/);
});

test("STS_CONFIG in the wrangler configuration's [vars] is served, as a deployed worker gets it, not the development configuration", async () => {
  // The project's wrangler.toml with the configuration as a [vars] entry (a TOML multi-line
  // literal string): README allows it there as well as in a secret.
  const config = JSON.stringify({ ...DEV_CONFIG, issuer: "https://sts.vars.example" });
  const toml = join(dir, "wrangler.toml");
  writeFileSync(toml, `${readFileSync(join(ROOT, "wrangler.toml"), "utf8")}\n[vars]\nSTS_CONFIG = '''${config}'''\n`);
  let metadata;
  const { out } = await serveUntilReported({ ...DEV_SECRETS }, 25_000, {
    args: ["--config", toml],
    whileUp: async (url) => (metadata = await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()),
  });
  assert.match(out, /ready on/);
  // The development configuration's issuer is the request's origin.
  assert.equal(metadata.issuer, "https://sts.vars.example");
});

test("an --env-file that is not JSON is refused at once, by its name and position, without quoting the secrets in it", async () => {
  const envFile = join(dir, "broken-env.json");
  // A PEM pasted with its line breaks: JSON.parse's own message would quote the key.
  writeFileSync(envFile, `{"STS_RSA_KEY": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecretbytes\n-----END PRIVATE KEY-----"}`);
  const port = await freePort();
  // No --no-build: the file is judged before the bundle is built, so this answers in a second.
  const serve = startChild(process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--state-dir", join(dir, "state"), "--env-file", envFile], { cwd: ROOT });
  assert.equal(await serve.exited, 2);
  assert.equal(serve.out(), `serve: --env-file ${envFile}: is not valid JSON: a string holds a line break or control character (write it as \\n, \\t, …) at line 1, column 45\n`);
});

test("a --vars-file or --state-dir that cannot be used is refused at once in one line naming the option and the path", async () => {
  // Node 22 itself reads an argument named --env-file (and stops with its own "node: …: not
  // found"); --vars-file is left to this script. /proc refuses new entries with ENOENT, on which
  // Node's recursive mkdir retries for ever.
  for (const [args, line] of [
    [["--vars-file", join(dir, "no-such.json")], `serve: --vars-file ${join(dir, "no-such.json")}: cannot read it (it does not exist)`],
    [["--state-dir", "/proc/sts-state"], "serve: --state-dir /proc/sts-state: cannot create the directory /proc/sts-state (ENOENT)"],
  ]) {
    const { code, out } = await serveToExit(args);
    assert.equal(code, 2, out);
    assert.equal(out, `${line}\n`);
  }
});

test("a --state-dir another serve is using is refused at once, naming its process; one left by a killed serve is taken over", async () => {
  const stateDir = join(dir, "state");
  const second = () => serveToExit(["--state-dir", stateDir]);
  let refused;
  const first = await serveUntilReported({ ...DEV_SECRETS }, 25_000, { whileUp: async () => (refused = await second()) });
  assert.match(first.out, /ready on/);
  // Two runtimes on one directory would each hold their own instance of every Durable Object.
  assert.equal(refused.code, 2, refused.out);
  assert.match(refused.out, new RegExp(`^serve: --state-dir ${stateDir} is in use by another serve \\(process \\d+\\)`));
  // The first serve released it when it stopped; a file naming only ended processes is taken over.
  assert.equal(existsSync(join(stateDir, "serve.pid")), false);
  const ended = startChild(process.execPath, ["-e", ""]);
  await ended.exited;
  writeFileSync(join(stateDir, "serve.pid"), `${ended.child.pid}\n`);
  const again = await serveUntilReported({ ...DEV_SECRETS }, 25_000);
  assert.match(again.out, /ready on/);
});
