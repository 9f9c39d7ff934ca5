// CPU profile of the real worker under load: starts `serve` with the V8 inspector, drives one
// scenario with the benchmark's load generator, and records a profile through the Chrome
// DevTools protocol. Prints the functions with the most self time; writes the .cpuprofile
// (open it in Chrome DevTools → Performance, or `node scripts/bench/profile.mjs --top FILE`).
//
// usage: node scripts/bench/worker-profile.mjs [--scenario validate|exchange-jwt|exchange-jwt-pairwise|exchange-saml|exchange-saml-encrypted|exchange-dpop|introspect|issue|certificatemixed|wsfed-signin|healthz]
//          [--duration 5] [--out /tmp/worker.cpuprofile] [--no-build] [--port 18797] [--inspector-port 19229]
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drive, pickTool } from "./load.mjs";
import { startServeChild } from "./serve-child.mjs";
import { API, PAIRWISE_API, RP, SECURE_RP, TT, TX, USERS, assertionOf, certificateIssuePool, dpopExchangePool, form, jwtOf, lifecycle, rst, send } from "./requests.mjs";
import { helpOnRequest, optionReader } from "./options.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
helpOnRequest(args, import.meta.url);
const opt = optionReader(args);
// Other sessions on a shared machine may profile at the same time: each picks its own ports.
const port = Number(opt("port", "18797"));
const inspector = Number(opt("inspector-port", "19229"));
const base = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "sts-prof-"));
const serveArgs = [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--state-dir", join(dir, "state"), "--inspector", String(inspector)];
if (args.includes("--no-build")) serveArgs.push("--no-build");
const child = await startServeChild(process.execPath, serveArgs, { cwd: ROOT, logFile: join(dir, "serve.log") });
try {
  const saml = assertionOf((await send(base, rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 }))).text);
  const jwt = jwtOf((await send(base, rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }))).text);
  const x = (aud, t) => form("/oauth2/token", { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: aud, requested_token_type: t });
  const scenarios = {
    validate: [lifecycle("Validate", saml), "/status/valid<"],
    "exchange-jwt": [x(API, TX.jwt), '"access_token"'],
    "exchange-jwt-pairwise": [x(PAIRWISE_API, TX.jwt), '"access_token"'],
    "exchange-saml": [x(RP, TX.saml2), '"access_token"'],
    "exchange-saml-encrypted": [x(SECURE_RP, TX.saml2), '"access_token"'],
    introspect: [form("/oauth2/introspect", { token: jwt }), '"active":true'],
    issue: [rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 }), "saml:Assertion"],
    certificatemixed: [null, "saml:Assertion"],
    "exchange-dpop": [null, '"token_type":"DPoP"'],
    "wsfed-signin": [{ method: "GET", path: "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp", headers: {}, body: "" }, 'name="csrf"'],
    healthz: [{ method: "GET", path: "/healthz", headers: {}, body: "" }, "ok"],
  };
  const name = opt("scenario", "validate");
  let [req, expect] = scenarios[name];
  // A signed message is accepted once: a pool of pre-signed bodies, each sent once.
  let bodies = req ? [req.body] : undefined;
  if (name === "certificatemixed") ({ req, bodies } = certificateIssuePool(Number(opt("pool", "4000")), { appliesTo: RP, tokenType: TT.saml2 }));
  if (name === "exchange-dpop") ({ req, bodies } = await dpopExchangePool(Number(opt("pool", "8000")), { base, path: "/oauth2/token", jwt }));

  // The worker's isolate is the inspector target whose title is not the baseline's.
  const targets = await (await fetch(`http://127.0.0.1:${inspector}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener("open", r, { once: true }));
  let seq = 0;
  const pending = new Map();
  ws.addEventListener("message", (ev) => {
    const m = JSON.parse(ev.data);
    if (m.id && pending.has(m.id)) pending.get(m.id)(m.result);
  });
  const call = (method, params = {}) => new Promise((r) => { const id = ++seq; pending.set(id, r); ws.send(JSON.stringify({ id, method, params })); });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  const r = await drive({ tool: pickTool(null), base, dir, name, method: req.method, path: req.path, headers: req.headers, bodies, cycle: name !== "certificatemixed" && name !== "exchange-dpop", expect, bodyHeader: name === "exchange-dpop" ? "DPoP" : undefined, connections: 8, threads: 2, duration: Number(opt("duration", "5")) });
  const { profile } = await call("Profiler.stop");
  ws.close();
  const out = opt("out", join(dir, `${name}.cpuprofile`));
  writeFileSync(out, JSON.stringify(profile));
  console.log(`${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, errors ${r.errors}; profile: ${out}`);
  const { spawnSync } = await import("node:child_process");
  process.stdout.write(spawnSync(process.execPath, [join(ROOT, "scripts", "bench", "profile.mjs"), "--top", out], { encoding: "utf8" }).stdout);
} finally {
  child.kill("SIGTERM");
}
