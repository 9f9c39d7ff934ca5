// Interleaved A/B of two worker bundles over HTTP, by workerd CPU per request: serves bundle A
// and bundle B (directories made by `wrangler deploy --dry-run --outdir`, e.g. dist/ of two
// revisions) side by side, each in its own workerd, and alternates short wrk runs of one
// scenario between them, reading each workerd's CPU time from /proc. For changes too small for
// `npm run bench`'s rounds and for one-use requests (certificatemixed), which loop-ab.mjs's
// repeated request cannot measure.
//
// usage: node scripts/bench/ab-http.mjs --a DIR --b DIR [--scenario certificatemixed|issuedtoken|validate|exchange-saml|exchange-jwt|exchange-dpop|healthz|wsfed-signin|wsfed-signin-returning]
//          [--rounds 6] [--seconds 4] [--connections 8] [--port-a 18811 --port-b 18812]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drive, pickTool } from "./load.mjs";
import { cpuSeconds, startServeChild, workerdPid } from "./serve-child.mjs";
import { API, RP, TT, TX, USERS, assertionOf, certificateIssuePool, dpopExchangePool, form, issuedTokenRst, lifecycle, partnerAssertion, jwtOf, rst, send } from "./requests.mjs";
import { helpOnRequest, optionReader } from "./options.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
helpOnRequest(args, import.meta.url);
const opt = optionReader(args);
const scenario = opt("scenario", "certificatemixed");
const rounds = Number(opt("rounds", "6"));
const seconds = Number(opt("seconds", "4"));
const connections = Number(opt("connections", "8"));
// Other sessions on a shared machine may run their own pair: each picks its own ports.
const portA = Number(opt("port-a", "18811"));
const portB = Number(opt("port-b", "18812"));
const dir = mkdtempSync(join(tmpdir(), "sts-ab-http-"));
const tool = pickTool("wrk");

async function start(label, dist, port) {
  const child = await startServeChild(process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--state-dir", join(dir, label), "--no-build", "--dist", dist], {
    cwd: ROOT,
    logFile: join(dir, `${label}.log`),
  });
  return { label, child, pid: workerdPid(child), base: `http://127.0.0.1:${port}` };
}

async function request(base) {
  switch (scenario) {
    case "certificatemixed": {
      const { req, bodies } = certificateIssuePool(Math.ceil(seconds * 900), { appliesTo: RP, tokenType: TT.saml2 });
      return { req, bodies, cycle: false, expect: "saml:Assertion" };
    }
    case "issuedtoken": {
      const req = issuedTokenRst({ assertion: await partnerAssertion(base), appliesTo: RP, tokenType: TT.saml2 });
      return { req, bodies: [req.body], cycle: true, expect: "saml:Assertion" };
    }
    case "validate": {
      const saml = assertionOf((await send(base, rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 }))).text);
      const req = lifecycle("Validate", saml);
      return { req, bodies: [req.body], cycle: true, expect: "/status/valid<" };
    }
    case "exchange-saml": {
      const jwt = jwtOf((await send(base, rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }))).text);
      const req = form("/oauth2/token", { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 });
      return { req, bodies: [req.body], cycle: true, expect: '"access_token"' };
    }
    case "exchange-jwt":
    case "exchange-dpop": {
      const jwt = jwtOf((await send(base, rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }))).text);
      if (scenario === "exchange-jwt") {
        const req = form("/oauth2/token", { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: API, requested_token_type: TX.at });
        return { req, bodies: [req.body], cycle: true, expect: '"access_token"' };
      }
      const { req, bodies } = await dpopExchangePool(Math.ceil(seconds * 2000), { base, path: "/oauth2/token", jwt });
      return { req, bodies, cycle: false, expect: '"token_type":"DPoP"', bodyHeader: "DPoP" };
    }
    case "healthz":
      return { req: { method: "GET", path: "/healthz", headers: {} }, bodies: [""], cycle: true, expect: "ok" };
    case "wsfed-signin":
      return { req: { method: "GET", path: "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp", headers: {} }, bodies: [""], cycle: true, expect: 'name="csrf"' };
    case "wsfed-signin-returning":
      // A browser that sends its form binding back (as scripts/bench/wsfed.mjs): no Set-Cookie.
      return { req: { method: "GET", path: "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp", headers: { cookie: "sts_signin=returningBrowserBindin" } }, bodies: [""], cycle: true, expect: 'name="csrf"' };
    default:
      throw new Error(`ab-http: unknown scenario ${scenario}`);
  }
}

const sides = [await start("a", resolve(opt("a")), portA), await start("b", resolve(opt("b")), portB)];
const results = { a: [], b: [] };
try {
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 ? [...sides].reverse() : sides) {
      const { req, bodies, cycle, expect, bodyHeader } = await request(s.base);
      const c0 = cpuSeconds(s.pid);
      const out = await drive({ tool, base: s.base, dir, name: `${s.label}-${r}`, method: req.method, path: req.path, headers: req.headers, bodies, cycle, expect, bodyHeader, connections, threads: 2, duration: seconds });
      const per = ((cpuSeconds(s.pid) - c0) * 1e6) / out.requests;
      results[s.label].push({ per, rps: out.rps, errors: out.errors });
      console.log(`round ${r + 1} ${s.label}: ${per.toFixed(0)} µs CPU/request, ${out.rps.toFixed(0)} req/s, errors ${out.errors}`);
    }
  }
} finally {
  for (const s of sides) s.child.kill("SIGTERM");
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const a = med(results.a.map((x) => x.per));
const b = med(results.b.map((x) => x.per));
const pairs = results.a.map((x, i) => results.b[i].per - x.per);
console.log(`${scenario}: A ${a.toFixed(0)} µs, B ${b.toFixed(0)} µs CPU/request (medians); B − A per round: ${pairs.map((d) => d.toFixed(0)).join(" / ")} µs; median ${med(pairs).toFixed(0)} µs`);
