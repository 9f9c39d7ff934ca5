#!/usr/bin/env node
// `npm run bench -- [--connections 8] [--duration 10] [--threads 2] [--tool wrk|autocannon]
//                   [--only a,b] [--no-micro] [--micro-only] [--soak] [--scale] [--pool N] [--no-build]
//                   [--lease MS] [--rounds 5] [--round-duration 5]`
//        `npm run bench -- --memory [--memory-tokens 100000] [--memory-step 20000] [--memory-limit-mb 64]
//                   [--memory-concurrency 16] [--memory-snapshot] [--inspector-port 18789]`
//
// Starts `serve` (the production bundle in plain workerd, a fresh SQLite state dir) with the
// baseline worker in the same workerd, then drives every scenario with one load generator,
// same connections and duration; target scenarios run in paired rounds (baseline, floor,
// scenario back to back; each ratio the median of its rounds). Prints a table; writes bench/results/latest.{json,md}
// (generated, not committed: bench/results/ is in .gitignore).
// --memory runs alone (no speed scenarios, no micro-benchmarks): it serves the STS with the V8
// inspector on, presents 100,000 distinct tokens and reports the isolate's heap after a full GC
// every 20,000 (scripts/bench/memory.mjs); it exits 1 if the last figure is over the limit.
// --only takes the ids of the rows to run (each row's `id` in bench/results/latest.json, e.g.
// exchange-jwt-jwt, validate, realms-exchange-jwt-jwt, exchange-jwt-jwt-pairwise, wsfed-signin-page).
// See docs/benchmarks.md for what each scenario measures and how to read the ratios.
import { spawnSync } from "node:child_process";
import { cpus, tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drive, driveInterleaved, pickTool } from "./load.mjs";
import { API, PAIRWISE_API, RP, SECURE_RP, SYMMETRIC_KEY_REQUEST, TT, TX, USERS, aliceClientCertificateToken, assertionOf, certificateIssuePool, dpopExchangePool, form, issuedTokenRst, jwtOf, lifecycle, encryptedPartnerAssertion, partnerAssertion, pool, rst, send } from "./requests.mjs";
import { renderMarkdown, renderTable } from "./report.mjs";
import { medianBy, summarizeRounds } from "./rounds.mjs";
import { helpOnRequest } from "./options.mjs";
import { connectInspector } from "./inspector.mjs";
import { memoryCheck } from "./memory.mjs";
import { wsfedScenarios } from "./wsfed.mjs";
import { cpuSeconds, startServeChild, workerdPid } from "./serve-child.mjs";
import { claimRulesRows, withClaimRulesParty } from "./claim-rules.mjs";
import { PUBLIC_TWIN_API, withPublicTwin } from "./pairwise-twin.mjs";
import { directoryRows } from "./directory.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function parseArgs(argv) {
  const o = { connections: 8, duration: 10, threads: 2, tool: null, only: null, micro: true, microOnly: false, soak: false, scale: false, pool: 8000, build: true, port: 18787, baselinePort: 18788, singleRealmPort: 18790, lease: null, pin: false, rounds: 5, roundDuration: 5, memory: false, memoryTokens: 100_000, memoryStep: 20_000, memoryLimitMb: 64, memoryConcurrency: 16, memorySnapshot: false, inspectorPort: 18789 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === "--connections" || a === "-c") o.connections = Number(v());
    else if (a === "--duration" || a === "-d") o.duration = Number(v());
    else if (a === "--threads" || a === "-t") o.threads = Number(v());
    else if (a === "--tool") o.tool = v();
    else if (a === "--only") o.only = v().split(",");
    else if (a === "--no-micro") o.micro = false;
    else if (a === "--micro-only") o.microOnly = true;
    else if (a === "--soak") o.soak = true;
    else if (a === "--scale") o.scale = true;
    else if (a === "--pool") o.pool = Number(v());
    else if (a === "--no-build") o.build = false;
    else if (a === "--lease") o.lease = Number(v());
    else if (a === "--pin") o.pin = true;
    else if (a === "--rounds") o.rounds = Number(v());
    else if (a === "--round-duration") o.roundDuration = Number(v());
    else if (a === "--port") o.port = Number(v());
    else if (a === "--baseline-port") o.baselinePort = Number(v());
    else if (a === "--single-realm-port") o.singleRealmPort = Number(v());
    else if (a === "--memory") o.memory = true;
    else if (a === "--memory-tokens") o.memoryTokens = Number(v());
    else if (a === "--memory-step") o.memoryStep = Number(v());
    else if (a === "--memory-limit-mb") o.memoryLimitMb = Number(v());
    else if (a === "--memory-concurrency") o.memoryConcurrency = Number(v());
    else if (a === "--memory-snapshot") o.memorySnapshot = true;
    else if (a === "--inspector-port") o.inspectorPort = Number(v());
    else {
      console.error(`bench: unknown argument ${a}`);
      process.exit(2);
    }
  }
  for (const k of ["memoryTokens", "memoryStep", "memoryConcurrency"]) {
    if (!Number.isInteger(o[k]) || o[k] < 1) usage(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`);
  }
  if (!(o.memoryLimitMb > 0)) usage("--memory-limit-mb must be a positive number");
  if (o.memory && (o.soak || o.scale || o.only || o.microOnly)) usage("--memory runs alone: not with --soak, --scale, --only or --micro-only");
  return o;
}

function usage(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

/**
 * The benchmark's configuration: the embedded development configuration (same users, keys,
 * relying parties and PBKDF2 cost) with one change, the per-subject renewal limit raised, since
 * the Renew scenario renews thousands of one subject's tokens and must measure renewal, not
 * the abuse limiter refusing it. Written as an --env-file for serve (STS_CONFIG + secrets).
 */
async function benchEnvFile(dir, lease, { singleRealm = false } = {}) {
  const { DEV_CONFIG, DEV_SECRETS } = await import("../../src/config/dev.ts");
  // --lease MS sets limits.statusLeaseMilliseconds (0 shows the cost of asking the state object
  // on every check); without it the run uses the shipped default, on which targets are judged.
  const limits = { ...(DEV_CONFIG.limits ?? {}), maxRenewalsPerWindow: 100_000, ...(lease === null ? {} : { statusLeaseMilliseconds: lease }) };
  // carol: a bench-only user shaped exactly like alice (same claims, same lengths, alice's
  // password), the fresh side of the scale check (see scale()).
  const carol = { username: "carol", passwordHashSecret: "DEV_ALICE_PASSWORD_HASH", claims: { email: "carol@example.com", given_name: "Carol", role: ["admin", "user"] } };
  const config = withPublicTwin(withClaimRulesParty({ ...DEV_CONFIG, users: [...DEV_CONFIG.users, carol], limits }));
  // The development configuration has two realms; the single-realm server (the realms row's
  // floor) serves the same configuration without its second realm.
  if (singleRealm) delete config.realms;
  const file = `${dir}.env.json`;
  writeFileSync(file, JSON.stringify({ ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) }), { mode: 0o600 });
  return file;
}

/**
 * Starts serve.mjs (with the baseline worker, or with the V8 inspector for --memory); resolves
 * { child, workerdPid } once healthy.
 */
async function startServe(o, stateDir, { inspector = null, singleRealm = false } = {}) {
  const port = singleRealm ? o.singleRealmPort : o.port;
  const args = [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--state-dir", stateDir, "--env-file", await benchEnvFile(stateDir, o.lease, { singleRealm })];
  // The single-realm server starts after the main one has built the bundle, and has no baseline worker.
  if (!singleRealm) args.push(...(inspector === null ? ["--baseline-port", String(o.baselinePort)] : ["--inspector", String(inspector)]));
  if (!o.build || singleRealm) args.push("--no-build");
  const child = await startServeChild(process.execPath, args, { cwd: ROOT, logFile: `${stateDir}.serve.log` });
  return { child, workerdPid: workerdPid(child) };
}

/**
 * --pin: workerd (every thread) on CPU 0, the load generator on the others, so that neither
 * takes the other's core and the server's share of the machine is the same in every scenario.
 */
function pinServer(pid) {
  const r = spawnSync("taskset", ["-a", "-c", "-p", "0", String(pid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench --pin: taskset failed: ${r.stderr || r.error}`);
}
function loadCpus() {
  const n = cpus().length;
  return n > 1 ? `1-${n - 1}` : "0";
}

/**
 * The micro-benchmarks in a Node process of their own: pinned to CPU 0 (the judged run) or on
 * every CPU (reported beside it). Why pinned: Node runs each WebCrypto call as a job on its
 * thread pool, and one call at a time the pool thread sleeps between calls; on a VM, waking it
 * on the other CPU costs tens of µs of idle wall time per call (two per signature) that is not
 * signing work, and that workerd, where WebCrypto runs inline, never pays. On one CPU every
 * case gets the same single core — xml-crypto's garbage collector threads and our pool thread
 * alike — so ms/op is the work one signature costs. Without taskset (or on one CPU) the only
 * run is unpinned and says so.
 */
function runMicroChild(pinned) {
  const script = [join(ROOT, "scripts", "bench", "micro.mjs"), "--json"];
  const canPin = pinned && cpus().length > 1 && spawnSync("taskset", ["-c", "0", "true"]).status === 0;
  const [cmd, args] = canPin ? ["taskset", ["-c", "0", process.execPath, ...script]] : [process.execPath, script];
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`bench: micro-benchmarks failed (exit ${r.status ?? r.signal}): ${r.error ?? ""}`);
  return { ...JSON.parse(r.stdout), cpus: canPin ? "0" : "all" };
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function machine() {
  const c = cpus();
  const wd = spawnSync(join(ROOT, "node_modules", ".bin", "workerd"), ["--version"], { encoding: "utf8" }).stdout.trim();
  const wrk = spawnSync("sh", ["-c", "wrk --version 2>&1 | head -1"], { encoding: "utf8" }).stdout.trim();
  return { cores: c.length, cpu: c[0]?.model ?? "unknown", node: process.version, workerd: wd, wrk: wrk || null, os: `${process.platform} ${process.arch}` };
}

async function must(base, r, pick, what) {
  const x = await send(base, r);
  const v = x.status === 200 ? pick(x.text) : undefined;
  if (!v) throw new Error(`bench: could not ${what} (HTTP ${x.status}): ${x.text.slice(0, 400)}`);
  return v;
}

/** Fresh SAML 2.0 assertions for the seed's subject, each used once: a token exchange of the seed
 *  assertion by demo-client (secret checked with one SHA-256) mints a new one per call without
 *  paying PBKDF2 each time. */
async function mintPool(base, seed, n) {
  const req = form("/oauth2/token", {
    grant_type: TX.grant,
    subject_token: Buffer.from(seed).toString("base64url"),
    subject_token_type: TX.saml2,
    audience: RP,
    requested_token_type: TX.saml2,
  });
  const samlOf = (text) => {
    const t = JSON.parse(text).access_token;
    return typeof t === "string" ? Buffer.from(t, "base64url").toString("utf8") : undefined;
  };
  return pool(n, 8, () => must(base, req, samlOf, "mint a pool token"));
}

async function main() {
  helpOnRequest(process.argv.slice(2), import.meta.url);
  const o = parseArgs(process.argv.slice(2));
  const report = { date: new Date().toISOString(), machine: machine(), settings: {}, scenarios: [], micro: null, microAllCpus: null, soak: null, scale: null, memory: null, targets: [] };
  if (o.memory) {
    report.memory = await runMemory(o);
  } else if (!o.microOnly) {
    const tool = pickTool(o.tool);
    report.settings = { tool, connections: o.connections, duration: o.duration, threads: o.threads, pool: o.pool, statusLeaseMilliseconds: o.lease };
    const stateDir = mkdtempSync(join(tmpdir(), "sts-bench-state-"));
    const work = mkdtempSync(join(tmpdir(), "sts-bench-"));
    const { child, workerdPid } = await startServe(o, stateDir);
    if (o.pin) pinServer(workerdPid);
    const base = `http://127.0.0.1:${o.port}`;
    const baseline = `http://127.0.0.1:${o.baselinePort}`;
    let single;
    const singleStateDir = mkdtempSync(join(tmpdir(), "sts-bench-state-single-"));
    try {
      // The realms row compares the same request under this single-realm configuration and
      // the main server's two-realm one (docs/benchmarks.md, "Realms").
      if (!o.only || o.only.includes("realms-exchange-jwt-jwt")) {
        single = await startServe(o, singleStateDir, { singleRealm: true });
        if (o.pin) pinServer(single.workerdPid);
      }
      const singleRealm = single ? { base: `http://127.0.0.1:${o.singleRealmPort}`, pid: single.workerdPid } : undefined;
      await runScenarios({ o, tool, base, baseline, work, workerdPid, report, singleRealm });
    } finally {
      for (const c of [child, single?.child]) {
        if (!c) continue;
        c.kill("SIGTERM");
        await new Promise((r) => c.once("exit", r));
      }
      rmSync(work, { recursive: true, force: true });
      for (const d of [stateDir, singleStateDir]) {
        rmSync(d, { recursive: true, force: true });
        for (const f of [".env.json", ".serve.log"]) rmSync(`${d}${f}`, { force: true });
      }
    }
  }
  if (!o.memory && (o.micro || o.microOnly)) {
    console.error("bench: micro-benchmarks (in-process, Node), pinned to one CPU, then on all CPUs…");
    report.micro = runMicroChild(true);
    report.microAllCpus = report.micro.cpus === "all" ? null : runMicroChild(false);
  }
  report.targets = evaluateTargets(report);
  console.log(renderTable(report));
  const outDir = join(ROOT, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(outDir, "latest.md"), renderMarkdown(report));
  console.log(`\nwrote bench/results/latest.json and bench/results/latest.md`);
  if (report.memory && !report.memory.met) {
    const m = report.memory;
    console.error(`bench --memory: MISSED — heap after GC ${m.endMiB.toFixed(2)} MiB at the end (limit ${m.limitMiB} MiB); growth from padded Validates ${m.padded.growthMiB.toFixed(2)} MiB (limit ${m.padded.limitMiB.toFixed(1)} MiB)`);
    process.exitCode = 1;
  }
}

/**
 * --memory: the STS alone in workerd (no baseline worker) with the V8 inspector on, so nothing
 * timed ever runs with an inspector attached; a fresh state dir (scripts/bench/memory.mjs).
 */
async function runMemory(o) {
  const stateDir = mkdtempSync(join(tmpdir(), "sts-bench-state-"));
  const { child, workerdPid } = await startServe(o, stateDir, { inspector: o.inspectorPort });
  const base = `http://127.0.0.1:${o.port}`;
  const snapshot = o.memorySnapshot ? join(ROOT, "bench", "results", "memory.heapsnapshot") : null;
  if (snapshot) mkdirSync(dirname(snapshot), { recursive: true });
  let insp;
  try {
    // The poke that lets workerd run the inspector's pending work (scripts/bench/inspector.mjs).
    insp = await connectInspector(o.inspectorPort, { id: "main", poke: () => fetch(`${base}/healthz`).then((r) => r.arrayBuffer()) });
    await insp.call("HeapProfiler.enable");
    return await memoryCheck({ base, insp, rss: () => rssMiB(workerdPid), tokens: o.memoryTokens, step: o.memoryStep, concurrency: o.memoryConcurrency, limitMiB: o.memoryLimitMb, snapshot });
  } finally {
    insp?.close();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(stateDir, { recursive: true, force: true });
    for (const f of [".env.json", ".serve.log"]) rmSync(`${stateDir}${f}`, { force: true });
  }
}

async function runScenarios({ o, tool, base, baseline, work, workerdPid, report, singleRealm }) {
  const common = { tool, dir: work, connections: o.connections, threads: o.threads, duration: o.duration, cpus: o.pin ? loadCpus() : undefined };
  const want = (n) => !o.only || o.only.includes(n);
  // ---- preparation: tokens every scenario needs (none of this is measured) ----
  const saml = await must(base, rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 }), assertionOf, "issue alice's SAML 2.0 token");
  const meta = await fetch(`${base}/.well-known/oauth-authorization-server`).then((r) => (r.ok ? r.json() : null));
  const tokenPath = meta ? new URL(meta.token_endpoint).pathname : null;
  const introspectPath = meta ? new URL(meta.introspection_endpoint).pathname : null;
  const jwt = await must(base, rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }), jwtOf, "issue alice's JWT");
  const jwtAlg = JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString()).alg;
  const partner = await partnerAssertion(base);
  const partnerEncrypted = await encryptedPartnerAssertion(base);

  const scenarios = [
    { name: "baseline: no-op", group: "baseline", base: baseline, method: "GET", path: "/noop", bodies: [""], expect: "ok" },
    { name: "baseline: RSA-2048 sign", key: "rsa", group: "baseline", base: baseline, method: "GET", path: "/rsa2048-sign", bodies: [""] },
    { name: "baseline: ECDSA P-256 sign", key: "ecdsa", group: "baseline", base: baseline, method: "GET", path: "/ecdsa-p256-sign", bodies: [""] },
    // Floors (scripts/bench/baseline-worker.js): the irreducible crypto, plus the revocation RPC
    // of a first presentation (a repeated token's answer is leased: no call).
    { name: "floor: revocation check, first presentation (DO RPC, SQLite read)", key: "floor-status", vs: "noop", group: "baseline", base: baseline, method: "GET", path: "/floor/status", bodies: [""], expect: "ok" },
    { name: "floor: Validate, first presentation (SHA-256, RSA verify, RPC)", key: "floor-validate", vs: "rsa", group: "baseline", base: baseline, method: "GET", path: "/floor/validate", bodies: [""], expect: "ok" },
    { name: "floor: exchange JWT→JWT, first presentation (ECDSA verify, RPC, ECDSA sign)", key: "floor-exchange-jwt", vs: "ecdsa", group: "baseline", base: baseline, method: "GET", path: "/floor/exchange-jwt", bodies: [""] },
    { name: "floor: exchange JWT→SAML, first presentation (ECDSA verify, RPC, SHA-256, RSA sign)", key: "floor-exchange-saml", vs: "rsa", group: "baseline", base: baseline, method: "GET", path: "/floor/exchange-saml", bodies: [""] },
    // A subject token presented again: its verification is remembered (src/jwt/verified-cache.ts)
    // and its revocation answer leased.
    { name: "floor: Issue over certificatemixed (5 × SHA-256, RSA verify, replay RPC write, SHA-256, RSA sign)", key: "floor-certificatemixed", vs: "rsa", group: "baseline", base: baseline, method: "GET", path: "/floor/certificatemixed", bodies: [""] },
    { name: "floor: exchange JWT→JWT, repeated token (ECDSA sign)", key: "floor-exchange-jwt-repeat", vs: "ecdsa", group: "baseline", base: baseline, method: "GET", path: "/floor/exchange-jwt-repeat", bodies: [""] },
    { name: "floor: exchange JWT→SAML, repeated token (SHA-256, RSA sign)", key: "floor-exchange-saml-repeat", vs: "rsa", group: "baseline", base: baseline, method: "GET", path: "/floor/exchange-saml-repeat", bodies: [""] },
    { name: "WS-Trust Issue SAML 2.0 (UsernameToken, PBKDF2)", id: "issue-saml2", vs: "rsa", req: rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 }), expect: "saml:Assertion" },
    { name: `WS-Trust Issue JWT (${jwtAlg}, UsernameToken, PBKDF2)`, id: "issue-jwt", vs: jwtAlg.startsWith("ES") ? "ecdsa" : "rsa", req: rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }), expect: "BinarySecurityToken" },
    // A partner's bearer assertion signs the requestor in: one RSA-2048 signature verification
    // (the partner's), then the issued token's signature.
    { name: "WS-Trust Issue SAML 2.0 over issuedtokenmixed (partner bearer assertion)", id: "issue-issuedtoken", vs: "rsa", req: issuedTokenRst({ assertion: partner, appliesTo: RP, tokenType: TT.saml2 }), expect: "saml:Assertion" },
    // The same, the partner's assertion encrypted for this STS: one RSA-OAEP decryption (a
    // private-key operation, as dear as a signature) and AES-GCM more.
    { name: "WS-Trust Issue SAML 2.0 over issuedtokenmixed (partner bearer assertion encrypted for this STS)", id: "issue-issuedtoken-encrypted", vs: "rsa", req: issuedTokenRst({ assertion: partnerEncrypted, appliesTo: RP, tokenType: TT.saml2 }), expect: "saml:Assertion" },
    // SymmetricKey against bearer, the same encrypted SAML 2.0 token for urn:example:secure-rp and
    // the same requestor (a partner assertion: no PBKDF2): the bearer issuance is the floor, so
    // "of floor" is what a proof key costs (P_SHA1 and one more RSA-OAEP encryption).
    { name: "floor: Issue bearer SAML 2.0 for secure-rp over issuedtokenmixed (encrypted)", key: "issue-secure-bearer", vs: "rsa", group: "baseline", req: issuedTokenRst({ assertion: partner, appliesTo: SECURE_RP, tokenType: TT.saml2 }), expect: "EncryptedAssertion" },
    { name: "WS-Trust Issue SymmetricKey (entropy, P_SHA1) SAML 2.0 for secure-rp over issuedtokenmixed", id: "issue-symmetric", vs: "rsa", floor: "issue-secure-bearer", req: issuedTokenRst({ assertion: partner, appliesTo: SECURE_RP, tokenType: TT.saml2, extra: SYMMETRIC_KEY_REQUEST }), expect: "ComputedKey" },
    { name: "WS-Trust Validate SAML 2.0 (rp-validator)", id: "validate", vs: "rsa", floor: "floor-validate", req: lifecycle("Validate", saml), expect: "/status/valid<" },
    // A service asks whether its caller's certificate is trusted (alice-client in the
    // ValidateTarget): the certificate path is checked against the development CA (its issuer's
    // signature remembered per certificate), no signature made, no state touched.
    { name: "WS-Trust Validate of an X.509 certificate (rp-validator, alice-client)", id: "validate-certificate", vs: "noop", floor: "noop", req: lifecycle("Validate", aliceClientCertificateToken()), expect: "acts as alice" },
    { name: "WS-Trust Renew SAML 2.0 (rp-validator, pool)", id: "renew", vs: "rsa", pooled: "Renew", expect: "saml:Assertion" },
    { name: "WS-Trust Cancel SAML 2.0 (rp-validator, pool)", id: "cancel", vs: "noop", pooled: "Cancel", expect: "RequestedTokenCancelled" },
    // alice-client signs each request (RSA-2048, RSA-SHA256): the STS checks the certificate
    // path, verifies one message signature, remembers it against replay and signs the
    // assertion. A signed message is accepted once, so the bodies are a pool signed beforehand.
    { name: "WS-Trust Issue over certificatemixed (RSA-2048 requestor key, SAML 2.0 out, pool)", id: "issue-certificatemixed", vs: "rsa", pooled: "certificatemixed", expect: "saml:Assertion" },
  ];
  if (tokenPath) {
    const x = (audience, requested) => form(tokenPath, { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience, requested_token_type: requested });
    scenarios.push(
      { name: "Token exchange JWT → JWT (demo-client, basic)", id: "exchange-jwt-jwt", vs: "ecdsa", floor: "floor-exchange-jwt-repeat", req: x(API, TX.jwt), expect: '"access_token"' },
      { name: "Token exchange JWT → SAML 2.0 (demo-client, basic)", id: "exchange-jwt-saml2", vs: "rsa", floor: "floor-exchange-saml-repeat", req: x(RP, TX.saml2), expect: '"access_token"' },
      // Signed, then encrypted for urn:example:secure-rp (AES-256-GCM, RSA-OAEP-MGF1P): on top of
      // the signature, one RSA public operation and AES-GCM over the assertion. Its floor is the
      // unencrypted exchange's, so the row shows what encryption costs.
      { name: "Token exchange JWT → encrypted SAML 2.0 (urn:example:secure-rp)", id: "exchange-jwt-saml2-encrypted", vs: "rsa", floor: "floor-exchange-saml-repeat", req: x(SECURE_RP, TX.saml2), expect: '"access_token"' },
      // The same exchange for a relying party with pairwise subjects against its public twin
      // (pairwise-twin.mjs: the same party but for the subject, so the same claims): "of floor"
      // is what the pseudonym (one HMAC, remembered per user) and the sealed subject in the ID
      // (one AES-CTR encryption) cost.
      { name: "floor: exchange JWT → JWT for pairwise-api's public twin (public subject, same claims)", key: "exchange-public-jwt", vs: "ecdsa", group: "baseline", req: x(PUBLIC_TWIN_API, TX.jwt), expect: '"access_token"' },
      { name: "Token exchange JWT → JWT for https://pairwise-api.example.com/ (pairwise subject)", id: "exchange-jwt-jwt-pairwise", vs: "ecdsa", floor: "exchange-public-jwt", req: x(PAIRWISE_API, TX.jwt), expect: '"access_token"' },
      // Each request with its own DPoP proof (ES256, made beforehand): on top of the exchange,
      // the proof's ECDSA verification, its key's import and thumbprint, and the replay-cache
      // write of its jti. Compare its ratio with exchange-jwt-jwt's.
      { name: "Token exchange JWT → access token with a DPoP proof (demo-client, basic, pool)", id: "exchange-jwt-dpop", vs: "ecdsa", pooled: "dpop", expect: '"token_type":"DPoP"' },
      { name: "Introspection of a JWT (demo-client, basic)", id: "introspect", vs: "noop", floor: "noop", req: form(introspectPath, { token: jwt }), expect: '"active":true' },
    );
    if (singleRealm) {
      // The same exchange (alice's JWT for the API, as JWT) at a server whose configuration has
      // no further realm: its own JWT, since its issuer is its own origin. The target row is
      // that exchange at the main server, whose configuration has two realms.
      const singleJwt = await must(singleRealm.base, rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }), jwtOf, "issue alice's JWT at the single-realm server");
      const sx = form(tokenPath, { grant_type: TX.grant, subject_token: singleJwt, subject_token_type: TX.jwt, audience: API, requested_token_type: TX.jwt });
      scenarios.push(
        { name: "floor: token exchange JWT → JWT, single-realm configuration", key: "single-realm-exchange", vs: "ecdsa", group: "baseline", base: singleRealm.base, pid: singleRealm.pid, req: sx, expect: '"access_token"' },
        { name: "Token exchange JWT → JWT, two-realm configuration (first realm)", id: "realms-exchange-jwt-jwt", vs: "ecdsa", floor: "single-realm-exchange", req: x(API, TX.jwt), expect: '"access_token"' },
      );
    }
  } else console.error("bench: no OAuth metadata — token exchange and introspection scenarios skipped");
  scenarios.push(...(await wsfedScenarios(base)));

  const rps = {};
  const specs = Object.fromEntries(scenarios.filter((s) => s.group === "baseline").map((s) => [s.key ?? "noop", s]));
  /** One load run of a scenario; a pooled one passes its one-use bodies and its request shape. */
  // Each run also reports workerd's CPU time per request (all its threads, from /proc): less
  // sensitive than requests/s to what else the shared machine is doing.
  const run = async (s, extra = {}, bodies = s.bodies ?? [s.req?.body], req = s.req ?? { method: s.method, path: s.path, headers: {} }) => {
    const pid = s.pid ?? workerdPid;
    const cpu0 = cpuSeconds(pid);
    const r = await drive({ ...common, ...extra, base: s.base ?? base, name: s.id ?? s.key ?? "noop", method: req.method, path: req.path, headers: req.headers, bodies, cycle: !s.pooled, expect: s.expect });
    return { ...r, cpuUsPerReq: ((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.requests) };
  };
  for (const s of scenarios) {
    if (s.group !== "baseline" && !want(s.id)) continue;
    if (s.floor && o.rounds > 0) {
      report.scenarios.push(await pairedRounds(s, specs, run, o, workerdPid));
      continue;
    }
    let pooled = [];
    let extra = {};
    let note;
    if (s.pooled === "dpop") {
      console.error(`bench: making ${o.pool} one-use DPoP proofs…`);
      const { req, bodies } = await dpopExchangePool(o.pool, { base, path: tokenPath, jwt });
      pooled = [bodies, req];
      extra = { bodyHeader: "DPoP" };
      note = `pool of ${o.pool} proofs made beforehand, each sent once`;
    } else if (s.pooled === "certificatemixed") {
      console.error(`bench: signing ${o.pool} one-use certificatemixed requests…`);
      const { req, bodies } = certificateIssuePool(o.pool, { appliesTo: RP, tokenType: TT.saml2 });
      pooled = [bodies, req];
      note = `pool of ${o.pool} requests signed beforehand, each sent once`;
    } else if (s.pooled) {
      console.error(`bench: minting ${o.pool} one-use tokens for ${s.pooled}…`);
      const toks = await mintPool(base, saml, o.pool);
      pooled = [toks.map((t) => lifecycle(s.pooled, t).body), lifecycle(s.pooled, saml)];
      note = `pool of ${o.pool} pre-issued tokens, each used once`;
    }
    const rssBefore = rssMiB(workerdPid);
    console.error(`bench: ${s.name} …`);
    const r = await run(s, extra, ...pooled);
    if (s.pooled && r.exhausted) note += `; pool ran out after ${r.seconds.toFixed(1)} s`;
    const row = { name: s.name, id: s.id ?? `baseline-${s.key ?? "noop"}`, vs: s.vs ?? null, ...r, rssBeforeMiB: rssBefore, rssAfterMiB: rssMiB(workerdPid), note };
    rps[s.key ?? (s.group === "baseline" ? "noop" : s.id)] = r.rps;
    row.ratio = s.vs ? r.rps / rps[s.vs] : null;
    report.scenarios.push(row);
  }
  if (tokenPath && tool === "wrk") report.scenarios.push(...(await claimRulesRows({ common, base, tokenPath, jwt, saml, want, driveInterleaved })));
  else console.error("bench: claim-rule rows skipped (they need wrk and the OAuth token endpoint)");
  if (tool === "wrk") report.scenarios.push(...(await directoryRows({ common, base, baseline, want, driveInterleaved })));
  else console.error("bench: directory rows skipped (they need wrk)");
  if (o.soak) report.soak = await soak({ common, base, saml, workerdPid });
  if (o.scale) report.scale = await scale({ common, base, saml, jwt, tokenPath });
}

/**
 * A target scenario in paired rounds: each round measures its baseline, its floor and then the
 * scenario itself, back to back, so the round's ratios come from measurements seconds apart and
 * a burst of someone else's load on a shared machine cannot land on the scenario alone. Each
 * ratio of the row is the median of that ratio over the rounds (rounds.mjs); its request rate
 * and latencies are the round's with the median ratio; every round's ratios are kept.
 */
async function pairedRounds(s, specs, run, o, workerdPid) {
  const rounds = [];
  const rssBefore = rssMiB(workerdPid);
  for (let i = 0; i < o.rounds; i++) {
    console.error(`bench: ${s.name} — round ${i + 1}/${o.rounds} (baseline, floor, scenario)…`);
    const short = { duration: o.roundDuration };
    const b = await run(specs[s.vs], short);
    const f = await run(specs[s.floor], short);
    const x = await run(s, short);
    rounds.push({ x, baselineRps: b.rps, floorRps: f.rps, ratio: x.rps / b.rps, ofFloor: x.rps / f.rps, floorRatio: f.rps / b.rps, cpuRatio: b.cpuUsPerReq / x.cpuUsPerReq, cpuOfFloor: f.cpuUsPerReq / x.cpuUsPerReq, errors: b.errors + f.errors });
  }
  const summary = summarizeRounds(rounds);
  const mid = summary.mid;
  return {
    name: s.name,
    id: s.id,
    vs: s.vs,
    ...mid.x,
    errors: rounds.reduce((a, r) => a + r.x.errors + r.errors, 0),
    rssBeforeMiB: rssBefore,
    rssAfterMiB: rssMiB(workerdPid),
    ratio: summary.ratio,
    floor: s.floor,
    ofFloor: summary.ofFloor,
    floorRatio: summary.floorRatio,
    cpuRatio: summary.cpuRatio,
    cpuOfFloor: summary.cpuOfFloor,
    rounds: rounds.map((r) => ({ rps: r.x.rps, baselineRps: r.baselineRps, floorRps: r.floorRps, ratio: r.ratio, ofFloor: r.ofFloor, floorRatio: r.floorRatio, cpuUsPerReq: r.x.cpuUsPerReq, cpuRatio: r.cpuRatio, cpuOfFloor: r.cpuOfFloor })),
    note: `median of ${rounds.length} paired rounds (${o.roundDuration} s each: baseline, floor, scenario); ratios ${rounds.map((r) => r.ratio.toFixed(2)).join(" / ")}; by workerd CPU per request ${rounds.map((r) => r.cpuRatio.toFixed(2)).join(" / ")}`,
  };
}

/** 60 s of Validate while sampling workerd's RSS every 2 s (VmRSS from /proc). */
async function soak({ common, base, saml, workerdPid }) {
  console.error("bench: soak, 60 s of Validate…");
  const samples = [];
  const t0 = Date.now();
  const timer = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, rssMiB: rssMiB(workerdPid) }), 2000);
  const req = lifecycle("Validate", saml);
  const r = await drive({ ...common, duration: 60, base, name: "soak", method: req.method, path: req.path, headers: req.headers, bodies: [req.body], cycle: true, expect: "/status/valid<" });
  clearInterval(timer);
  const afterWarm = samples.filter((s) => s.t >= 10);
  const first = afterWarm[0]?.rssMiB ?? NaN;
  const last = afterWarm.at(-1)?.rssMiB ?? NaN;
  const max = Math.max(...afterWarm.map((s) => s.rssMiB));
  return { ...r, samples, rssAt10sMiB: first, rssAt60sMiB: last, rssMaxMiB: max, growthPct: ((last - first) / first) * 100 };
}

/**
 * Rounds of the scale check. Interleaved, a round's change stayed within −2.0 to +4.2 % in 43
 * rounds over seven runs (docs/benchmarks.md); the check takes the median round of 5.
 */
const SCALE_ROUNDS = 5;
/** One-use tokens per side for each phase (Validate, Cancel) of a scale round. */
const SCALE_POOL = 1600;
/** The scale check's two sides: carol's fresh shard and alice's loaded one. */
const SIDES = ["fresh", "loaded"];

/**
 * Does latency grow with the state the store holds? Validate and Cancel p50 on one-use tokens,
 * carol's fresh shard against alice's after 100,000 issued tokens and 10,000 cancels, in
 * SCALE_ROUNDS rounds after a discarded warm-up round; in each round the two sides' requests
 * are interleaved at random in the same wrk runs, so a slow moment of a shared machine lands on
 * both alike (docs/benchmarks.md).
 */
async function scale({ common, base, saml, jwt, tokenPath }) {
  // Light load: 2 connections; `duration` only bounds a run, which ends when its pools run out.
  const light = { ...common, connections: 2, duration: 60 };
  // Two subjects, two stores: each subject's revocation state is its own Durable Object with its
  // own SQLite database (src/state/client.ts shards by subject). alice's is loaded first with
  // 100,000 issued tokens and 10,000 cancels; carol's (a bench-only user whose tokens have the
  // same claims and the same size as alice's) holds nothing but what this check writes.
  const freshSaml = await must(base, rst({ user: "carol", password: USERS.alice.password, appliesTo: RP, tokenType: TT.saml2 }), assertionOf, "issue carol's SAML 2.0 token");
  const cancelled = { fresh: 0, loaded: 0 };
  const seeds = { fresh: freshSaml, loaded: saml };
  // One round: Validate, then Cancel, each one wrk run whose connections send every request to
  // carol's shard or to alice's at random (driveInterleaved), every request timed on its own:
  // the two sides are compared under the same machine load, request by request — measured
  // in runs of their own, seconds apart, the sides' p50s differed by up to 12 % with neither
  // shard loaded, as much as the 10 % under test. One-use tokens for Validate too: each is a first
  // presentation (full signature check and the revocation RPC into the subject's shard), so
  // the store is on the measured path — a token validated again would be answered from its
  // read lease and remembered verification. Cancels take tokens never validated (a cancel
  // waits out a read lease).
  const round = async (label) => {
    const toks = {};
    for (const side of SIDES) toks[side] = await mintPool(base, seeds[side], 2 * SCALE_POOL);
    const phase = async (kind, expect, slice) => {
      const q = lifecycle(kind, saml);
      const r = await driveInterleaved({ ...light, base, name: `scale-${kind.toLowerCase()}-${label}`, method: q.method, path: q.path, headers: q.headers, sides: SIDES.map((side) => slice(toks[side]).map((t) => lifecycle(kind, t).body)), expect });
      if (r.errors > 0) throw new Error(`bench: scale — ${r.errors} errors in ${kind} (round ${label})`);
      return Object.fromEntries(SIDES.map((side, i) => [side, r.sides[i]]));
    };
    const validate = await phase("Validate", "/status/valid<", (t) => t.slice(0, SCALE_POOL));
    const cancel = await phase("Cancel", "RequestedTokenCancelled", (t) => t.slice(SCALE_POOL));
    for (const side of SIDES) cancelled[side] += cancel[side].requests;
    return Object.fromEntries(SIDES.map((side) => [side, { validate: validate[side], cancel: cancel[side] }]));
  };
  console.error("bench: scale — warm-up on both subjects…");
  await round("warmup");

  // Issuance is stateless (test/http: Issue makes zero Durable Object calls); 100,000 tokens are
  // issued to alice anyway (token exchange, the cheapest issuing path), so nothing is taken on trust.
  let issued = 0;
  if (tokenPath) {
    console.error("bench: scale — issuing 100,000 tokens to alice (token exchange)…");
    const x = form(tokenPath, { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: API, requested_token_type: TX.jwt });
    while (issued < 100_000) {
      const r = await drive({ ...common, base, name: "scale-issue", method: x.method, path: x.path, headers: x.headers, bodies: [x.body], cycle: true, expect: '"access_token"', duration: 5 });
      if (r.errors > 0) throw new Error(`bench: scale — ${r.errors} errors while issuing`);
      issued += r.requests;
    }
  }
  console.error("bench: scale — cancelling 10,000 of alice's tokens…");
  for (let done = 0; done < 10_000; done += 1000) {
    const toks = await mintPool(base, saml, 1000);
    await pool(toks.length, 8, (i) => must(base, lifecycle("Cancel", toks[i]), (t) => t.includes("RequestedTokenCancelled"), "cancel"));
    cancelled.loaded += toks.length;
  }
  // The rounds start right after the last cancel: the strictest moment (no settling time).
  console.error(`bench: scale — ${SCALE_ROUNDS} rounds, carol's fresh shard and alice's loaded one interleaved…`);
  const loadedBeforeRounds = cancelled.loaded;
  const rounds = { fresh: [], loaded: [] };
  for (let r = 0; r < SCALE_ROUNDS; r++) {
    const x = await round(String(r));
    rounds.fresh.push(x.fresh);
    rounds.loaded.push(x.loaded);
  }
  const summary = (rs) => ({
    rounds: rs,
    validate: { p50Ms: medianBy(rs, (x) => x.validate.p50Ms).validate.p50Ms },
    cancel: { p50Ms: medianBy(rs, (x) => x.cancel.p50Ms).cancel.p50Ms },
  });
  // Each round's change compares the two sides' requests of that round, sent in random order
  // on the same connection(s); the check's change is the median round's.
  const pct = (a, b) => ((b - a) / a) * 100;
  const changes = (p50) => rounds.fresh.map((f, i) => pct(p50(f), p50(rounds.loaded[i])));
  const validateChanges = changes((x) => x.validate.p50Ms);
  const cancelChanges = changes((x) => x.cancel.p50Ms);
  return {
    cancelled: cancelled.loaded + cancelled.fresh,
    cancelledLoaded: cancelled.loaded,
    cancelledFresh: cancelled.fresh,
    cancelledLoadedBeforeRounds: loadedBeforeRounds,
    issued,
    issuedNote: `${issued.toLocaleString("en-US")} tokens issued to alice first (issuance writes no state: Issue makes zero DO calls)`,
    settings: { connections: light.connections, pool: SCALE_POOL, rounds: SCALE_ROUNDS, interleaved: true, design: "interleaved: each round's Validate (then Cancel) is one wrk run whose requests go to carol's fresh shard or alice's loaded shard in random order (same claims, same token size), every request timed; change = median of the rounds' changes" },
    before: summary(rounds.fresh),
    after: summary(rounds.loaded),
    validateRoundChangesPct: validateChanges,
    cancelRoundChangesPct: cancelChanges,
    validateP50ChangePct: medianBy(validateChanges, (x) => x),
    cancelP50ChangePct: medianBy(cancelChanges, (x) => x),
  };
}

function evaluateTargets(r) {
  const t = [];
  const row = (id) => r.scenarios.find((s) => s.id === id);
  const add = (what, value, min, unit = "×", floor) => value !== undefined && value !== null && t.push({ what, value, min, unit, met: value >= min, ...(floor ? { floor } : {}) });
  // The floor's own ratio is the best any implementation bound by the same rules can reach.
  const http = (what, id, min) => add(what, row(id)?.ratio, min, "×", row(id)?.floorRatio ?? row(`baseline-${row(id)?.floor}`)?.ratio);
  http("token exchange JWT→JWT ≥ 0.50 × ECDSA P-256 sign", "exchange-jwt-jwt", 0.5);
  http("token exchange JWT→SAML 2.0 ≥ 0.75 × RSA-2048 sign", "exchange-jwt-saml2", 0.75);
  http("token exchange JWT→encrypted SAML 2.0 ≥ 0.70 × RSA-2048 sign", "exchange-jwt-saml2-encrypted", 0.7);
  http("Validate SAML 2.0 ≥ 2 × RSA-2048 sign", "validate", 2);
  http("WS-Trust Issue over issuedtokenmixed (partner bearer assertion) ≥ 0.60 × RSA-2048 sign", "issue-issuedtoken", 0.6);
  add("SymmetricKey issuance ≤ 10 % more than bearer of the same token (≥ 0.91 × its rate)", row("issue-symmetric")?.ofFloor, 0.91, "× bearer");
  add("pairwise subject ≤ 5 % more than the same exchange with a public subject (≥ 0.95 × its rate)", row("exchange-jwt-jwt-pairwise")?.ofFloor, 0.95, "× public");
  http("Issue over certificatemixed (RSA-2048 requestor, SAML 2.0) ≥ 0.60 × RSA-2048 sign", "issue-certificatemixed", 0.6);
  add("ten claim rules add ≤ 5 % to exchange JWT→JWT (p50 latency without / with, interleaved request by request)", row("exchange-jwt-jwt-rules")?.ofFloor, 0.95, "× no rules");
  add("ten claim rules add ≤ 5 % to Validate-transformation (p50 latency without / with, interleaved request by request)", row("transform-rules")?.ofFloor, 0.95, "× no rules");
  // Realms cost only the selection of the realm: the same exchange under two realms within
  // noise of the single-realm configuration's, by rate and by workerd CPU per request.
  add("realms: token exchange JWT→JWT, two-realm configuration ≥ 0.95 × single-realm (rate)", row("realms-exchange-jwt-jwt")?.ofFloor, 0.95, "× single-realm");
  add("realms: token exchange JWT→JWT, two-realm configuration ≥ 0.95 × single-realm (workerd CPU per request)", row("realms-exchange-jwt-jwt")?.cpuOfFloor, 0.95, "× single-realm");
  // Browser sign-in's two pages against /healthz of the same STS (their floor), by rate.
  add("sign-in page, first visit ≥ 0.8 × the rate of the STS's /healthz", row("wsfed-signin-page")?.ofFloor, 0.8, "× /healthz");
  add("sign-in page, returning browser ≥ 0.8 × the rate of the STS's /healthz", row("wsfed-signin-page-returning")?.ofFloor, 0.8, "× /healthz");
  // The auto-post page issues and RSA-signs a token: the bare RSA-2048 signature's rate against
  // /healthz's, in the same run, is the most any implementation can reach.
  const rsaVsHealthz = row("baseline-rsa")?.rps && row("baseline-healthz")?.rps ? row("baseline-rsa").rps / row("baseline-healthz").rps : undefined;
  add("auto-post page from a session cookie ≥ 0.8 × the rate of the STS's /healthz", row("wsfed-autopost")?.ofFloor, 0.8, "× /healthz", rsaVsHealthz);
  // The directory lookup (one D1 read by primary key) adds at most 1 ms to a sign-in's p50, with
  // one directory user and with 100,000.
  for (const id of ["issue-directory-user", "issue-directory-user-100k"]) {
    const extra = row(id)?.directoryExtraP50Ms;
    // Its floor: a bare point read of the same row through the same D1 binding, interleaved
    // with the same request without it (scripts/bench/directory.mjs).
    const floor = row(id)?.floorExtraP50Ms;
    if (extra !== undefined) t.push({ what: `${id === "issue-directory-user" ? "directory user" : "directory user among 100,000"}: WS-Trust Issue p50 ≤ 1 ms more than a configured user's (interleaved)`, value: extra, min: null, max: 1, unit: "ms", met: extra <= 1, ...(floor !== undefined ? { floor } : {}) });
  }
  if (r.scenarios.length) {
    const errs = r.scenarios.reduce((a, s) => a + s.errors, 0);
    t.push({ what: "zero errors under load", value: errs, min: 0, unit: "errors", met: errs === 0 });
  }
  if (r.micro) {
    // Signing as the STS signs: build the assertion and sign it (the peers only sign a string
    // they are given); the string→string case is in the table too. The floor: WebCrypto's
    // SHA-256 + RSA sign and nothing else, the least any WebCrypto signer can spend. Judged on
    // the one-CPU run (runMicroChild); the all-CPU run's ratios are reported beside it.
    const q = r.micro.ratios;
    add("signing ≥ 4 × faster than xml-crypto", q.buildSignVsXmlCrypto, 4, "×", q.floorVsXmlCrypto);
    add("signing ≥ 5 × faster than xmldsigjs", q.buildSignVsXmldsigjs, 5, "×", q.floorVsXmldsigjs);
    add("verification ≥ 4 × faster than xml-crypto", r.micro.ratios.verifyVsXmlCrypto, 4);
    // Encryption of the signed assertion for an RSA-2048 certificate; its floor is WebCrypto's
    // content-key import + AES-GCM + RSA-OAEP, the least any WebCrypto encryptor can spend.
    add("XML encryption ≥ 4 × faster than xml-encryption", q.encryptVsXmlEncryption, 4, "×", q.encryptFloorVsXmlEncryption);
    // Markup read before any signature is checked costs about what its length does: each hostile
    // input within 6 × its benign twin of the same size (a cost growing with the square of the
    // input was 30 × and more at these sizes).
    for (const [what, value] of [
      ["inclusive c14n under 40 × 60 namespaces in scope ≤ 6 × exclusive c14n of it", q.hostileInclusiveC14n],
      ["exc-c14n with a 2,000-prefix PrefixList ≤ 6 × with a 2-prefix one", q.hostilePrefixList],
      ["xs:dateTime with 40,000 inner spaces ≤ 6 × with 40,000 leading ones", q.hostileDateTime],
    ]) if (value !== undefined) t.push({ what, value, min: null, max: 6, unit: "×", met: value <= 6 });
    if (q.prescanGrowth !== undefined) t.push({ what: "the parser's pre-scan of 8 × the markup ≤ 12 × the time (linear: ~8; quadratic: ~64)", value: q.prescanGrowth, min: null, max: 12, unit: "×", met: q.prescanGrowth <= 12 });
  }
  const exchangeCpu = row("exchange-jwt-jwt")?.cpuUsPerReq;
  if (r.micro?.ratios.realmSelectNsTwoPrefix !== undefined && exchangeCpu) {
    // The one step realms add to a request, in its slowest form (a realm by path prefix), as a
    // share of the whole exchange's workerd CPU (the selection measured in Node, micro.mjs).
    const pct = (r.micro.ratios.realmSelectNsTwoPrefix / (exchangeCpu * 1000)) * 100;
    t.push({ what: "realms: selecting the realm (slowest case, by path prefix) ≤ 1 % of a token exchange JWT→JWT's CPU", value: pct, min: null, unit: "%", met: pct <= 1 });
  }
  if (r.soak) t.push({ what: "memory flat over 60 s (RSS growth 10 s→60 s < 10%)", value: r.soak.growthPct, min: null, unit: "%", met: r.soak.growthPct < 10 && r.soak.errors === 0 });
  if (r.memory) {
    const m = r.memory;
    const main = m.samples.at(-2) ?? m.samples.at(-1);
    t.push({ what: `heap after full GC after ${m.tokens.toLocaleString("en-US")} distinct tokens ≤ ${m.limitMiB} MiB`, value: main.usedMiB, min: m.limitMiB, unit: "MiB", met: m.samples.every((x) => x.usedMiB <= m.limitMiB) });
    t.push({ what: `heap growth after ${m.padded.requests} Validates each padded with ${m.padded.padBytes / 1024} KiB ≤ ${m.padded.limitMiB.toFixed(1)} MiB`, value: m.padded.growthMiB, min: m.padded.limitMiB, unit: "MiB", met: m.padded.met });
  }
  if (r.scale) {
    for (const k of ["validateP50ChangePct", "cancelP50ChangePct"]) {
      t.push({ what: `scale: ${k.startsWith("v") ? "Validate" : "Cancel"} p50 after 10k cancels within 10% of fresh`, value: r.scale[k], min: null, unit: "%", met: r.scale[k] <= 10 });
    }
  }
  return t;
}

await main();
