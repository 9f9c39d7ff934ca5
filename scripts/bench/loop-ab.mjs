// Paired A/B of two builds of the worker, inside one workerd isolate: build A (a git revision,
// default HEAD) and build B (the working tree) are bundled side by side behind one entry, and a
// request is run N times through one build's app inside a single request (`app.fetch` in a
// loop: no HTTP, no load generator), alternating A and B. workerd's CPU time per iteration comes
// from /proc (every thread, ns resolution), with workerd pinned to one CPU. On a shared VM a
// single run moves ±10 %; the paired differences' median over many short runs resolves ~5 µs.
//
// With --against SCENARIO, the working tree alone is built and two requests are paired instead of
// two builds: A runs the --against request, B the --scenario one (e.g. --scenario
// exchange-jwt-pairwise --against exchange-jwt-public-twin: what a pairwise subject adds to the
// same exchange; the twin, pairwise-api's public twin (pairwise-twin.mjs), is served from the
// development configuration with that party added, as STS_CONFIG).
//
// usage: node scripts/bench/loop-ab.mjs [--base REV | --against SCENARIO]
//          [--scenario exchange-jwt|exchange-jwt-pairwise|exchange-jwt-public-twin|exchange-saml|validate|introspect|wsfed-signin|wsfed-signin-returning|healthz]
//          [--reps 25] [--n 1500] [--keep] [--port 18795]
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle } from "../wrangler.mjs";
import { startServeChild, workerdPid } from "./serve-child.mjs";
import { API, PAIRWISE_API, RP, TT, TX, USERS, assertionOf, form, jwtOf, lifecycle, rst, send } from "./requests.mjs";
import { helpOnRequest, optionReader } from "./options.mjs";
import { PUBLIC_TWIN_API, withPublicTwin } from "./pairwise-twin.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
helpOnRequest(args, import.meta.url);
const opt = optionReader(args);
const base = opt("base", "HEAD");
const scenario = opt("scenario", "exchange-jwt");
const against = opt("against", undefined);
const reps = Number(opt("reps", "25"));
const n = Number(opt("n", "1500"));
// --port: other sessions on a shared machine may hold the default.
const port = Number(opt("port", "18795"));

/** The entry in front of both builds: /__loop runs one request N times through build A or B. */
const ENTRY = `import appA from "./app-a.js";
import appB from "./app-b.js";
export { TokenStateObject, ReplayCacheObject } from "./app-a.js";
export default {
  async fetch(req, env, ctx) {
    const url = new URL(req.url);
    if (url.pathname !== "/__loop") return appA.fetch(req, env, ctx);
    const spec = await req.json();
    const app = spec.build === "b" ? appB : appA;
    let bad = 0, last = "";
    for (let i = 0; i < spec.n; i++) {
      const r = await app.fetch(new Request(url.origin + spec.path, { method: spec.method, headers: spec.headers, body: spec.body }), env, ctx);
      const t = await r.text();
      if (r.status !== 200) { bad++; last = t.slice(0, 300); }
    }
    return Response.json({ bad, last });
  },
};
`;

const work = mkdtempSync(join(tmpdir(), "sts-loop-ab-"));
const tree = join(work, "a-src");
let child;
try {
  if (against === undefined) {
    if (spawnSync("git", ["worktree", "add", "--detach", tree, base], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] }).status !== 0) {
      throw new Error(`loop-ab: git worktree add ${base} failed`);
    }
    symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"));
  }
  for (const [cwd, out] of against === undefined ? [[tree, "a"], [ROOT, "b"]] : [[ROOT, "b"]]) {
    if (buildBundle(join(work, out), { cwd, quiet: true }) !== 0) throw new Error(`loop-ab: building ${out === "a" ? base : "the working tree"} failed`);
  }
  const dist = join(work, "dist");
  mkdirSync(dist);
  // Pairing two requests: both "builds" are the working tree's bundle.
  copyFileSync(join(work, against === undefined ? "a" : "b", "index.js"), join(dist, "app-a.js"));
  copyFileSync(join(work, "b", "index.js"), join(dist, "app-b.js"));
  writeFileSync(join(dist, "index.js"), ENTRY);

  const serveArgs = [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--dist", dist, "--state-dir", join(work, "state")];
  if ([scenario, against].includes("exchange-jwt-public-twin")) {
    const { DEV_CONFIG, DEV_SECRETS } = await import("../../src/config/dev.ts");
    const vars = join(work, "vars.json");
    writeFileSync(vars, JSON.stringify({ ...DEV_SECRETS, STS_CONFIG: JSON.stringify(withPublicTwin(DEV_CONFIG)) }), { mode: 0o600 });
    serveArgs.push("--vars-file", vars);
  }
  child = await startServeChild(process.execPath, serveArgs, { cwd: ROOT, logFile: join(work, "serve.log") });
  const workerd = workerdPid(child);
  if (spawnSync("taskset", ["-a", "-c", "-p", "0", String(workerd)]).status !== 0) console.error("loop-ab: taskset failed; workerd not pinned");
  /** CPU seconds workerd has used (all threads, from schedstat: ns resolution). */
  const cpu = () => {
    let ns = 0;
    for (const t of readdirSync(`/proc/${workerd}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${workerd}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      } catch {} // a thread that has exited
    }
    return ns / 1e9;
  };

  const url = `http://127.0.0.1:${port}`;
  const jwt = jwtOf((await send(url, rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }))).text);
  const saml = assertionOf((await send(url, rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 }))).text);
  const x = (aud, t) => form("/oauth2/token", { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: aud, requested_token_type: t });
  const page = (headers) => ({ method: "GET", path: "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp", headers });
  const requests = {
    "exchange-jwt": x(API, TX.jwt), "exchange-jwt-pairwise": x(PAIRWISE_API, TX.jwt), "exchange-jwt-public-twin": x(PUBLIC_TWIN_API, TX.jwt), "exchange-saml": x(RP, TX.saml2), validate: lifecycle("Validate", saml), introspect: form("/oauth2/introspect", { token: jwt }),
    "wsfed-signin": page({}), "wsfed-signin-returning": page({ cookie: "sts_signin=returningBrowserBindin" }), healthz: { method: "GET", path: "/healthz", headers: {} },
  };
  const pick = (name) => {
    if (!requests[name]) throw new Error(`loop-ab: unknown scenario ${name} (${Object.keys(requests).join(", ")})`);
    return requests[name];
  };
  const runs = { a: { build: "a", ...pick(against ?? scenario) }, b: { build: "b", ...pick(scenario) } };

  const loop = async (variant, count) => {
    const c0 = cpu();
    const r = await fetch(`${url}/__loop`, { method: "POST", body: JSON.stringify({ n: count, ...runs[variant] }) });
    const body = await r.json();
    if (r.status !== 200 || body.bad) throw new Error(`loop-ab: build ${variant} answered ${body.bad} of ${count} with an error: ${body.last}`);
    return ((cpu() - c0) * 1e6) / count;
  };
  for (const v of ["a", "b"]) await loop(v, 500); // warm both builds (JIT, memos)
  const us = { a: [], b: [] };
  for (let i = 0; i < reps; i++) for (const v of i % 2 ? ["a", "b"] : ["b", "a"]) us[v].push(await loop(v, n));
  const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
  const diff = us.b.map((v, i) => v - us.a[i]);
  const line = (name, xs) => `${name}  median ${median(xs).toFixed(1)} µs  (${xs.map((v) => v.toFixed(0)).join(" ")})`;
  console.log(`${scenario}: CPU µs per request inside the isolate, ${reps} paired runs of ${n}`);
  console.log(line(against === undefined ? `A ${base.padEnd(10)}` : `A ${against}`, us.a));
  console.log(line(against === undefined ? "B working tree" : `B ${scenario}`, us.b));
  console.log(`B − A: median ${median(diff).toFixed(1)} µs (${((100 * median(diff)) / median(us.a)).toFixed(1)} %)  (${diff.map((v) => v.toFixed(0)).join(" ")})`);
} finally {
  if (child) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  if (against === undefined) spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: ROOT, stdio: "ignore" });
  if (!args.includes("--keep")) rmSync(work, { recursive: true, force: true });
}
