#!/usr/bin/env node
// `npm run serve -- --port N [--ip 127.0.0.1] [--vars-file vars.json] [--config-dir DIR] [--no-build] [--state-dir DIR]
//                   [--inspector PORT] [--baseline-port M] [--dist DIR] [--config wrangler.toml]`
//
// Serves the *production* bundle in plain workerd (no wrangler dev proxy in front), with local
// SQLite-backed Durable Object storage. This is what the benchmarks and the interop suite hit.
//
// Steps: (1) `wrangler deploy --dry-run --outdir dist` bundles the worker exactly as it would be
// uploaded; (2) we write a workerd config (Cap'n Proto text) next to the bundle, with the user
// directory's D1 binding (USERS_DB) backed by scripts/d1-local/worker.js, which keeps the database
// under --state-dir and applies src/state/migrations/ on first use; (3) we spawn `workerd serve` and print
// the URL once GET /healthz answers 200 — or at once what another answer means: 503, not served
// (stopped); 404, a configuration whose `hosts` does not name the address we ask at (serving
// those hosts only).
//
// `--config-dir DIR` bundles DIR's JSON files instead of config/'s (as STS_CONFIG_DIR=DIR does for
// `wrangler deploy`), for `{ "$file": NAME }` sections; the checkout's generated module is
// rebuilt from config/ once the bundle is made, so later builds and tests see config/ again.
//
// Configuration rule (README, "Configuration"): the worker gets the wrangler configuration's
// top-level [vars] as a deployed worker does (string → text binding, anything else → json
// binding), then every entry of the --vars-file JSON (the secrets, which win over a var of the
// same name), then STS_CONFIG from the environment when neither gave it. Without STS_CONFIG
// from any of them the worker gets STS_DEV_MODE="1" (embedded development configuration); with
// it, STS_DEV_MODE is NOT set.
//
// `--env-file` is the older name of `--vars-file`, still accepted; Node 22 itself reads every
// argument named `--env-file` as its own option (even after the script's name) and stops with
// `node: FILE: not found` before this script runs when there is no such file, so the name we
// document is one Node leaves alone.
//
// `--baseline-port M` (used by `npm run bench`) adds a second worker to the SAME workerd process,
// scripts/bench/baseline-worker.js, on its own socket: the raw-crypto floor the STS is measured
// against. Its keys are generated fresh at start (they sign nothing that leaves the machine).
import { spawn } from "node:child_process";
import { webcrypto } from "node:crypto";
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readJson } from "./cli/input.mjs";
import { makeDirectory } from "./cli/output.mjs";
import { buildBundle } from "./wrangler.mjs";
import { bundleConfigFiles, readConfigFiles } from "./build-config-files.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DO_CLASSES = [
  { binding: "TOKEN_STATE", className: "TokenStateObject" },
  { binding: "REPLAY_CACHE", className: "ReplayCacheObject" },
];

function parseArgs(argv) {
  const opts = { port: 8787, ip: "127.0.0.1", envFile: null, build: true, stateDir: null, baselinePort: null, inspector: null, dist: null, config: null, configDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) fail(`missing value for ${a}`);
      return v;
    };
    if (a === "--port" || a === "-p") opts.port = Number(next());
    else if (a.startsWith("--port=")) opts.port = Number(a.slice(7));
    else if (a === "--ip") opts.ip = next();
    else if (a === "--vars-file" || a === "--env-file") opts.envFile = { option: a, path: next() };
    else if (a === "--state-dir") opts.stateDir = next();
    else if (a === "--config-dir") opts.configDir = next();
    else if (a === "--inspector") opts.inspector = next();
    else if (a === "--no-build") opts.build = false;
    else if (a === "--dist") opts.dist = next();
    else if (a === "--config" || a === "-c") opts.config = next();
    else if (a === "--baseline-port") opts.baselinePort = Number(next());
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run serve -- [--port N] [--ip ADDR] [--vars-file vars.json] [--config-dir DIR] [--state-dir DIR] [--no-build] [--baseline-port M] [--inspector PORT] [--dist DIR] [--config wrangler.toml]");
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) fail("--port must be 1..65535");
  if (opts.baselinePort !== null && (!Number.isInteger(opts.baselinePort) || opts.baselinePort < 1 || opts.baselinePort > 65535 || opts.baselinePort === opts.port)) {
    fail("--baseline-port must be 1..65535 and differ from --port");
  }
  // The files are bundled into the script: a bundle not built here has config/'s, or none.
  if (opts.configDir !== null && (!opts.build || opts.dist !== null)) fail("--config-dir bundles its files into the worker, so it needs a build: leave out --no-build and --dist");
  return opts;
}

function fail(msg) {
  console.error(`serve: ${msg}`);
  process.exit(2);
}

/**
 * Claims the state directory for this serve, or stops: `serve.pid` in it holds this process's
 * id, then workerd's. Durable Objects rely on one live instance per object, and ours keep state
 * in memory beside their SQLite files (a subject's revocation cut-off, read leases): two workerd
 * processes on one directory would each run their own instance over the same files, so a
 * revocation acknowledged by one would go unseen by the other. A file whose processes have all
 * ended was left by a serve that was killed, and is taken over.
 * @returns a function that adds a process id to the claim
 */
function claimStateDir(stateDir) {
  const lock = join(stateDir, "serve.pid");
  const ours = `${process.pid}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, ours, { flag: "wx" });
      // Released only while it is still ours.
      process.on("exit", () => {
        try {
          if (readFileSync(lock, "utf8").startsWith(ours)) rmSync(lock, { force: true });
        } catch {}
      });
      return (pid) => appendFileSync(lock, `${pid}\n`);
    } catch (e) {
      if (e.code !== "EEXIST") fail(`--state-dir ${stateDir}: cannot write ${lock} (${e.code ?? e.message})`);
    }
    let holders = [];
    try {
      holders = readFileSync(lock, "utf8").split(/\s+/).filter(Boolean).map(Number);
    } catch {}
    const running = holders.find(isRunning);
    if (running !== undefined) {
      fail(`--state-dir ${stateDir} is in use by another serve (process ${running}): two servers on one state directory would not see each other's revocations. Stop it, or give this one another --state-dir (if no server runs there, delete ${lock}).`);
    }
    rmSync(lock, { force: true });
  }
  fail(`--state-dir ${stateDir}: another serve claimed it at the same moment`);
}

function isRunning(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/**
 * What the deployed worker would take from the wrangler configuration: its compatibility date and
 * flags, and its top-level [vars] (where README allows STS_CONFIG to live), read by wrangler's own
 * reader so that a TOML table or a multi-line string arrives as wrangler would upload it.
 */
async function readWranglerConfig(path) {
  if (!existsSync(path)) fail(`${path}: no such wrangler configuration`);
  const { unstable_readConfig } = await import("wrangler");
  const c = unstable_readConfig({ config: path });
  if (!c.compatibility_date) fail(`${path} has no compatibility_date`);
  return { date: c.compatibility_date, flags: c.compatibility_flags ?? [], vars: c.vars ?? {} };
}

function build(outdir, config) {
  const status = buildBundle(outdir, { config });
  if (status !== 0) fail(`wrangler build failed (exit ${status})`);
}

/** Lists bundle modules; the entry module (index.js) must come first for workerd. */
function bundleModules(outdir) {
  const kinds = { ".js": "esModule", ".mjs": "esModule", ".wasm": "wasm", ".txt": "text", ".bin": "data", ".json": "json" };
  const files = readdirSync(outdir, { recursive: true })
    .map(String)
    .filter((f) => !f.endsWith(".map") && f !== "README.md" && !f.startsWith(".serve"));
  const mods = [];
  for (const f of files) {
    const ext = Object.keys(kinds).find((e) => f.endsWith(e));
    if (ext) mods.push({ name: f, kind: kinds[ext] });
  }
  const entry = mods.findIndex((m) => m.name === "index.js");
  if (entry < 0) fail(`no index.js in ${outdir}`);
  mods.unshift(...mods.splice(entry, 1));
  return mods;
}

/**
 * Collects text/json bindings according to the configuration rule above. A file that cannot be
 * read or parsed is reported by name and position only (readJson): it holds secrets, which
 * JSON.parse's own message would quote.
 */
async function collectVars(envFile, wranglerVars) {
  const vars = { ...wranglerVars };
  if (envFile) {
    let parsed;
    try {
      parsed = await readJson(envFile.path, envFile.option);
    } catch (e) {
      fail(e.message);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) fail(`${envFile.option} ${envFile.path}: must hold a JSON object`);
    Object.assign(vars, parsed);
  }
  if (process.env.STS_CONFIG !== undefined && vars.STS_CONFIG === undefined) vars.STS_CONFIG = process.env.STS_CONFIG;
  if (vars.STS_CONFIG === undefined) vars.STS_DEV_MODE = "1";
  return vars;
}

/**
 * Copies the baseline worker next to the bundle and writes fresh RSA-2048 / P-256 PKCS#8 keys for
 * it; returns the capnp service/socket/worker text to splice into the config (or empty parts).
 */
async function baselineParts(outdir, ip, port) {
  if (port === null) return { service: "", socket: "", worker: "" };
  const dir = join(outdir, ".serve-baseline");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  copyFileSync(join(ROOT, "scripts", "bench", "baseline-worker.js"), join(dir, "worker.js"));
  const subtle = webcrypto.subtle;
  const rsa = await subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign"],
  );
  const ec = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
  for (const [name, key] of [["rsa", rsa.privateKey], ["ec", ec.privateKey]]) {
    const der = Buffer.from(await subtle.exportKey("pkcs8", key));
    writeFileSync(join(dir, `${name}.txt`), der.toString("base64"), { mode: 0o600 });
  }
  return {
    service: `    (name = "baseline", worker = .baselineWorker),\n`,
    socket: `, (name = "baseline-http", address = ${q(`${ip}:${port}`)}, http = (), service = "baseline")`,
    worker: `
const baselineWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed ".serve-baseline/worker.js") ],
  compatibilityDate = COMPAT_DATE,
  bindings = [
    (name = "BASELINE_RSA_PKCS8", text = embed ".serve-baseline/rsa.txt"),
    (name = "BASELINE_EC_PKCS8", text = embed ".serve-baseline/ec.txt"),
    (name = "BASELINE_STATE", durableObjectNamespace = "BaselineState"),
    # The directory floor's D1 read goes to the STS's own local D1, through the same binding.
    (name = "USERS_DB", wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [ (name = "fetcher", service = "d1-users") ])),
  ],
  # The floors' revocation check: a SQLite-backed Durable Object on disk, like the STS's.
  durableObjectNamespaces = [ (className = "BaselineState", uniqueKey = "edge-sts-baseline-state", enableSql = true) ],
  durableObjectStorage = (localDisk = "do-storage"),
);
`,
  };
}

/**
 * The user directory's local D1 (binding USERS_DB): workerd's own D1 binding module in front of
 * scripts/d1-local/worker.js, a SQLite Durable Object on the same disk as the STS's objects.
 * The migrations (src/state/migrations/*.sql, in name order) go to it as a JSON binding.
 */
function d1Parts(outdir) {
  const dir = join(outdir, ".serve-d1");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, "scripts", "d1-local", "worker.js"), join(dir, "worker.js"));
  const migrationsDir = join(ROOT, "src", "state", "migrations");
  const migrations = readdirSync(migrationsDir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(migrationsDir, name), "utf8") }));
  writeFileSync(join(dir, "migrations.json"), JSON.stringify(migrations));
  return {
    binding: `    (name = "USERS_DB", wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [ (name = "fetcher", service = "d1-users") ])),`,
    service: `    (name = "d1-users", worker = .d1UsersWorker),\n`,
    worker: `
const d1UsersWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed ".serve-d1/worker.js") ],
  compatibilityDate = COMPAT_DATE,
  bindings = [
    (name = "DATABASE", durableObjectNamespace = "LocalD1Database"),
    (name = "DATABASE_NAME", text = "edge-sts-users"),
    (name = "MIGRATIONS", json = embed ".serve-d1/migrations.json"),
  ],
  durableObjectNamespaces = [ (className = "LocalD1Database", uniqueKey = "edge-sts-users-d1", enableSql = true) ],
  durableObjectStorage = (localDisk = "do-storage"),
);
`,
  };
}

const q = (s) => JSON.stringify(s); // capnp text strings accept JSON-style quoting for plain ASCII paths/names

/**
 * Writes the workerd config. Binding values go into separate files that the config `embed`s,
 * so arbitrary content (JSON, PEM keys) never has to be escaped into Cap'n Proto syntax.
 */
function writeConfig({ outdir, modules, vars, compat, ip, port, stateDir, baseline, d1 }) {
  const varDir = join(outdir, ".serve-vars");
  rmSync(varDir, { recursive: true, force: true }); // never leave a previous run's secrets behind
  mkdirSync(varDir, { recursive: true, mode: 0o700 });
  chmodSync(varDir, 0o700);
  const bindingLines = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`bad binding name in the vars file: ${name}`);
    const isText = typeof value === "string";
    const file = join(varDir, name + (isText ? ".txt" : ".json"));
    writeFileSync(file, isText ? value : JSON.stringify(value), { mode: 0o600 });
    bindingLines.push(`    (name = ${q(name)}, ${isText ? "text" : "json"} = embed ${q(`.serve-vars/${name}${isText ? ".txt" : ".json"}`)}),`);
  }
  bindingLines.push(d1.binding);
  for (const d of DO_CLASSES) {
    bindingLines.push(`    (name = ${q(d.binding)}, durableObjectNamespace = ${q(d.className)}),`);
  }
  const moduleLines = modules.map((m) => `    (name = ${q(m.name)}, ${m.kind} = embed ${q(m.name)}),`);
  const nsLines = DO_CLASSES.map(
    (d) => `    (className = ${q(d.className)}, uniqueKey = ${q(`edge-sts-${d.className}`)}, enableSql = true),`,
  );
  const flags = compat.flags.map(q).join(", ");
  const capnp = `# Generated by scripts/serve.mjs — do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .stsWorker),
    (name = "do-storage", disk = (path = ${q(stateDir)}, writable = true)),
${d1.service}${baseline.service}  ],
  sockets = [ (name = "http", address = ${q(`${ip}:${port}`)}, http = (), service = "main")${baseline.socket} ],
);
${baseline.worker.replace("COMPAT_DATE", q(compat.date))}${d1.worker.replace("COMPAT_DATE", q(compat.date))}

const stsWorker :Workerd.Worker = (
  modules = [
${moduleLines.join("\n")}
  ],
  compatibilityDate = ${q(compat.date)},
  compatibilityFlags = [${flags}],
  bindings = [
${bindingLines.join("\n")}
  ],
  durableObjectNamespaces = [
${nsLines.join("\n")}
  ],
  durableObjectStorage = (localDisk = "do-storage"),
);
`;
  const path = join(outdir, "workerd.capnp");
  writeFileSync(path, capnp);
  return path;
}

/**
 * Fails fast when the port is taken: otherwise workerd exits with "Address already in use" while
 * /healthz — answered by whatever else listens there — would make us report a false "ready".
 */
async function assertPortFree(ip, port) {
  const { createServer } = await import("node:net");
  await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(port, ip, () => srv.close(resolve));
  }).catch((e) => fail(`${ip}:${port} is not available (${e.code ?? e.message}); is another server running there? Use --port.`));
}

/**
 * Waits for /healthz: "ready" (200); or the worker's own answer when it is another, which
 * waiting longer does not change: 503 when it is not configured or misconfigured (its log above
 * names every problem), 404 when the configuration lists `hosts` and the address we ask at is
 * not one of them; or "timeout" / "exited".
 */
async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { state: "exited" };
    let res;
    try {
      res = await fetch(`${url}/healthz`);
    } catch {
      // not listening yet
      await new Promise((r) => setTimeout(r, 150));
      continue;
    }
    if (res.status === 200) return { state: "ready" };
    return { state: "answered", status: res.status, text: (await res.text()).trim() };
  }
  return { state: "timeout" };
}

/**
 * The host names the configuration serves its first realm at (top-level `hosts`, inline or in
 * its own binding), when they can be read from the variables we pass; else an empty list.
 */
function configuredHosts(vars) {
  try {
    const config = typeof vars.STS_CONFIG === "string" ? JSON.parse(vars.STS_CONFIG) : vars.STS_CONFIG;
    let hosts = config?.hosts;
    if (typeof hosts?.$binding === "string") {
      const bound = vars[hosts.$binding];
      hosts = typeof bound === "string" ? JSON.parse(bound) : bound;
    }
    return Array.isArray(hosts) ? hosts.filter((h) => typeof h === "string") : [];
  } catch {
    return [];
  }
}

/** What serve says when /healthz answered something else than 200, and whether workerd keeps serving. */
function healthReport(health, url, vars) {
  if (health.state === "timeout") return { serving: false, line: `serve: ${url}/healthz did not answer 200 within 30 s; stopping workerd` };
  if (health.status === 503) {
    return { serving: false, line: `serve: the worker is not serving (${health.text}); the config_invalid line above names each problem. Stopping workerd.` };
  }
  if (health.status === 404) {
    // Only a host the configuration does not serve makes /healthz a 404 (src/http/realm.ts);
    // the worker is up and serves the hosts it lists.
    const hosts = configuredHosts(vars);
    const listed = hosts.length > 0 ? ` (${hosts.join(", ")})` : "";
    const example = hosts[0] ?? "<a listed host>";
    return {
      serving: true,
      line:
        `edge-sts (workerd) ready on ${url} for the hosts STS_CONFIG lists${listed} only: ${url}/healthz answered 404 (${health.text}) ` +
        `because the top-level "hosts" does not name ${new URL(url).hostname}. Send a listed name as the Host header: curl -H "Host: ${example}" ${url}/healthz`,
    };
  }
  return { serving: false, line: `serve: ${url}/healthz answered ${health.status} (${health.text}); stopping workerd` };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await assertPortFree(opts.ip, opts.port);
  // --dist DIR: serve a bundle prepared elsewhere (scripts/bench/loop-ab.mjs: two builds behind
  // one entry), never rebuilt; the generated configuration is written into DIR.
  const outdir = opts.dist === null ? join(ROOT, "dist") : resolve(opts.dist);
  const stateDir = resolve(opts.stateDir ?? join(ROOT, ".wrangler", "serve-state"));
  try {
    makeDirectory(stateDir, "--state-dir");
  } catch (e) {
    fail(e.message);
  }
  const wranglerConfig = resolve(opts.config ?? join(ROOT, "wrangler.toml"));
  const wrangler = await readWranglerConfig(wranglerConfig);
  // Before the build: a mistake in the file is reported at once, not after it.
  const vars = await collectVars(opts.envFile, wrangler.vars);
  if (opts.configDir !== null) {
    // Checked before the build, so a file that is not JSON is named at once.
    try {
      if (!existsSync(opts.configDir)) throw new Error(`${opts.configDir}: no such directory`);
      readConfigFiles(resolve(opts.configDir));
    } catch (e) {
      fail(`--config-dir ${e.message}`);
    }
    process.env.STS_CONFIG_DIR = resolve(opts.configDir);
  }
  const claimFor = claimStateDir(stateDir);
  if (opts.dist !== null) {
    if (!existsSync(join(outdir, "index.js"))) fail(`--dist ${opts.dist}: no index.js there`);
  } else if (opts.build || !existsSync(join(outdir, "index.js"))) {
    build(outdir, wranglerConfig);
    if (opts.configDir !== null) {
      delete process.env.STS_CONFIG_DIR;
      bundleConfigFiles();
    }
  }
  const config = writeConfig({
    outdir,
    modules: bundleModules(outdir),
    vars,
    compat: wrangler,
    ip: opts.ip,
    port: opts.port,
    stateDir,
    baseline: await baselineParts(outdir, opts.ip, opts.baselinePort),
    d1: d1Parts(outdir),
  });
  const workerd = join(ROOT, "node_modules", "workerd", "bin", "workerd");
  // --inspector PORT: the V8 inspector (Chrome DevTools protocol) on 127.0.0.1:PORT, for CPU
  // profiles of the real worker (scripts/bench/worker-profile.mjs).
  const inspect = opts.inspector ? [`--inspector-addr=127.0.0.1:${opts.inspector}`] : [];
  const child = spawn(workerd, ["serve", config, ...inspect], { cwd: outdir, stdio: ["ignore", "inherit", "inherit"] });
  // workerd outlives a serve killed with SIGKILL, and still holds the directory then.
  if (child.pid !== undefined) claimFor(child.pid);
  // Forward termination so `kill <serve pid>` never leaves an orphan workerd holding the port.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      child.kill("SIGTERM");
    });
  }
  // Set when serve itself stops workerd because it never became ready: that stop is a failure.
  let failed = false;
  child.on("exit", (code, signal) => {
    process.exit(failed ? 1 : (code ?? (signal === "SIGTERM" || signal === "SIGINT" ? 0 : 1)));
  });
  const host = opts.ip.includes(":") ? `[${opts.ip}]` : opts.ip;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${opts.port}`;
  const health = await waitHealthy(url, child, 30_000);
  if (health.state === "ready") {
    console.log(`edge-sts (workerd) ready on ${url}`);
  } else if (child.exitCode === null) {
    const report = healthReport(health, url, vars);
    if (report.serving) console.log(report.line);
    else {
      failed = true;
      console.error(report.line);
      child.kill("SIGTERM");
    }
  }
}

await main();
