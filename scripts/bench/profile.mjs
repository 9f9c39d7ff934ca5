// In-process CPU profile of the worker's request paths, in Node 22 (the same V8 as workerd):
// the real Hono app with the embedded development configuration, Durable Objects replaced by
// in-memory stubs that answer at once (so what is measured is the worker's own work, not the
// runtime's RPC). Prints CPU µs per request for each scenario; with --cpu-prof, Node writes a
// .cpuprofile per run that `node scripts/bench/profile.mjs --top FILE` summarises.
//
// usage: node scripts/bench/profile.mjs [--n 2000] [--only validate,exchange-jwt]
//        node --cpu-prof --cpu-prof-dir /tmp/prof scripts/bench/profile.mjs --only validate
//        node scripts/bench/profile.mjs --top /tmp/prof/CPU....cpuprofile
import { readFileSync } from "node:fs";
import { API, RP, TT, TX, USERS, assertionOf, certificateIssuePool, form, jwtOf, lifecycle, rst } from "./requests.mjs";
import { helpOnRequest, optionReader } from "./options.mjs";

const args = process.argv.slice(2);
helpOnRequest(args, import.meta.url);
const opt = optionReader(args);

if (opt("top")) {
  // Self time per function from a V8 .cpuprofile, top 30.
  const prof = JSON.parse(readFileSync(opt("top"), "utf8"));
  const self = new Map();
  const dt = prof.timeDeltas;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  prof.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log("self time:");
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
  // Inclusive time: a sample counts for every distinct function on its stack.
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  prof.samples.forEach((id, i) => {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      if (!f.url) continue;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + (dt[i] ?? 0));
    }
  });
  console.log("inclusive time:");
  for (const [k, v] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(opt("inclusive", "40")))) {
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
  process.exit(0);
}

const { app } = await import("../../src/http/app.ts");

/** In-memory Durable Object stubs: every token active, every nonce fresh. */
const stubNs = (methods) => ({ getByName: () => methods, idFromName: () => ({}), get: () => methods });
const env = {
  STS_DEV_MODE: "1",
  TOKEN_STATE: stubNs({
    status: async () => ({ state: "active", renewed: false }),
    renew: async () => ({ ok: true, family: "f" }),
    cancel: async () => ({ cancelled: true, alreadyCancelled: false }),
  }),
  REPLAY_CACHE: stubNs({ remember: async () => ({ fresh: true }), hit: async () => ({ count: 1, blockedUntil: 0 }) }),
};
const exec = { waitUntil() {}, passThroughOnException() {}, props: {} };
const ORIGIN = "http://127.0.0.1:8787";

async function send(r) {
  const res = await app.fetch(new Request(ORIGIN + r.path, { method: r.method, headers: r.headers, body: r.body }), env, exec);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${r.path} → ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

// Tokens to work with (issued once, outside the measurement).
const saml = assertionOf(await send(rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 })));
const jwt = jwtOf(await send(rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt })));

const scenarios = {
  noop: () => ({ method: "GET", path: "/healthz" }),
  validate: () => lifecycle("Validate", saml),
  "exchange-jwt": () => form("/oauth2/token", { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: API }),
  "exchange-saml": () => form("/oauth2/token", { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 }),
  introspect: () => form("/oauth2/introspect", { token: jwt }),
  // A signed message is accepted once: one pre-signed body per request.
  certificatemixed: () => certificateIssuePool(200 + n, { appliesTo: RP, tokenType: TT.saml2 }),
};
const only = opt("only")?.split(",");
const n = Number(opt("n", "2000"));
const REAL_REMEMBER = new Set();
// The replay cache must refuse a repeat for the certificatemixed scenario to be honest: keep it.
env.REPLAY_CACHE = stubNs({
  remember: async ({ key }) => {
    const fresh = !REAL_REMEMBER.has(key);
    REAL_REMEMBER.add(key);
    return { fresh };
  },
  hit: async () => ({ count: 1, blockedUntil: 0 }),
});
console.log = (() => {
  const real = console.log;
  return (...a) => (typeof a[0] === "string" && a[0].startsWith('{"ts"') ? undefined : real(...a));
})();
for (const [name, make] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  const made = make();
  // A pool ({ req, bodies }) sends each body once; otherwise the one request again and again.
  const at = made.bodies ? (i) => ({ ...made.req, body: made.bodies[i] }) : () => made;
  for (let i = 0; i < 200; i++) await send(at(i)); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await send(at(200 + i));
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  console.log(`${name.padEnd(14)} ${(((c.user + c.system) / n)).toFixed(0).padStart(6)} µs CPU/request  ${((wall * 1000) / n).toFixed(0).padStart(6)} µs wall`);
}
