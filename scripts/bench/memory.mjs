// `npm run bench -- --memory`: the isolate's JavaScript heap after a full garbage collection,
// measured through the V8 inspector while 100,000 distinct tokens are presented to the STS
// (token exchange, introspection, WS-Trust Validate). Requirement: Workers give an isolate
// 128 MB; after 100,000 distinct tokens the heap after a full GC stays at or under 64 MiB.
//
// Where the distinct tokens come from, without a password check per token (PBKDF2 is slow by
// design): one WS-Trust Issue gives alice's first JWT; from then on token exchange by
// demo-client (client_secret_basic, one SHA-256) mints every token. The work runs as
// `concurrency` chains, each a loop of three phases, each of which presents exactly one token
// the STS has never seen:
//   0. exchange J → J'  (JWT → JWT): presents J, a new JWT; J' becomes the chain's next J
//   1. exchange J → K   (JWT → JWT), then introspect K: presents K, a new JWT
//   2. exchange J → S   (JWT → SAML 2.0 for urn:example:rp), then WS-Trust Validate of S by the
//      rp-validator service account (UsernameToken, SHA-256 secret check): presents S, a new
//      SAML assertion
// (J is presented again in phases 1 and 2; those presentations are not counted). Every answer
// is checked (HTTP 200 and its marker); the first failure ends the run.
// Then large requests: `padded` Validates of fresh assertions, each request padded with
// `padBytes` of white space inside the SOAP Body. What the STS remembers of a request must not
// keep the request alive (a substring keeps its whole parent string in V8), so the heap may
// grow by the assertions, not by the padding; the growth is reported and checked.
import { heapAfterGc, heapSummary } from "./inspector.mjs";
import { API, RP, TT, TX, USERS, form, jwtOf, lifecycle, rst, send } from "./requests.mjs";

const MiB = 1024 * 1024;

/** The access_token of a token-exchange answer (for SAML: the assertion, base64url-decoded). */
function accessToken(r, saml) {
  if (r.status !== 200) return undefined;
  const t = JSON.parse(r.text).access_token;
  if (typeof t !== "string") return undefined;
  return saml ? Buffer.from(t, "base64url").toString("utf8") : t;
}

/**
 * Runs the memory check against a served STS whose inspector is connected (`insp`, see
 * inspector.mjs). `rss()` gives workerd's resident set, MiB. `snapshot`: a file path; if given,
 * a heap snapshot is taken at the end, written there and summarised in the report (what holds
 * the heap). Returns the report section.
 */
export async function memoryCheck({ base, insp, rss, tokens = 100_000, step = 20_000, concurrency = 16, limitMiB = 64, padded = 100, padBytes = 256 * 1024, snapshot = null, log = (s) => console.error(s) }) {
  const meta = await fetch(`${base}/.well-known/oauth-authorization-server`).then((r) => r.json());
  const tokenPath = new URL(meta.token_endpoint).pathname;
  const introspectPath = new URL(meta.introspection_endpoint).pathname;
  const requests = { exchange: 0, introspect: 0, validate: 0 };
  const byKind = { jwtExchanged: 0, jwtIntrospected: 0, samlValidated: 0 };
  const must = async (req, pick, what) => {
    const r = await send(base, req);
    const v = pick(r);
    if (!v) throw new Error(`bench --memory: ${what} failed (HTTP ${r.status}): ${r.text.slice(0, 400)}`);
    return v;
  };
  const exchange = (subject, audience, saml) => {
    requests.exchange++;
    const req = form(tokenPath, { grant_type: TX.grant, subject_token: subject, subject_token_type: TX.jwt, audience, requested_token_type: saml ? TX.saml2 : TX.jwt });
    return must(req, (r) => accessToken(r, saml), `token exchange to ${audience}`);
  };
  const introspect = (jwt) => {
    requests.introspect++;
    return must(form(introspectPath, { token: jwt }), (r) => r.status === 200 && r.text.includes('"active":true'), "introspection");
  };
  const validate = (saml) => {
    requests.validate++;
    return must(lifecycle("Validate", saml), (r) => r.status === 200 && r.text.includes("/status/valid<"), "WS-Trust Validate");
  };

  // ---- warm-up (not counted): the one password check, a chain head per worker, one request of each kind ----
  log("bench --memory: warm-up…");
  const seed = await must(rst({ ...USERS.alice, appliesTo: API, tokenType: TT.jwt }), (r) => (r.status === 200 ? jwtOf(r.text) : undefined), "WS-Trust Issue (alice)");
  const chains = [];
  for (let i = 0; i < concurrency; i++) chains.push({ j: await exchange(seed, API, false), next: null, phase: 0 });
  await introspect(seed);
  await validate(await exchange(seed, RP, true));
  const t0 = Date.now();
  const samples = [];
  const sample = async (presented) => {
    const h = await heapAfterGc(insp);
    const s = { tokens: presented, seconds: (Date.now() - t0) / 1000, usedMiB: h.usedBytes / MiB, totalMiB: h.totalBytes / MiB, usedBytes: h.usedBytes, rssMiB: rss() };
    samples.push(s);
    log(`bench --memory: ${presented.toLocaleString("en-US")} tokens presented — heap after GC ${s.usedMiB.toFixed(2)} MiB (of ${s.totalMiB.toFixed(2)} MiB allocated), workerd RSS ${s.rssMiB.toFixed(1)} MiB`);
  };
  await sample(0);

  /** One phase of a chain: presents exactly one new token (see the top of this file). */
  const phase = async (c) => {
    if (c.phase === 0) {
      c.next = await exchange(c.j, API, false);
      byKind.jwtExchanged++;
    } else if (c.phase === 1) {
      await introspect(await exchange(c.j, API, false));
      byKind.jwtIntrospected++;
    } else {
      await validate(await exchange(c.j, RP, true));
      byKind.samlValidated++;
      c.j = c.next;
    }
    c.phase = (c.phase + 1) % 3;
  };
  let presented = 0;
  const progress = setInterval(() => {
    const s = (Date.now() - t0) / 1000;
    const n = requests.exchange + requests.introspect + requests.validate;
    log(`bench --memory: ${presented.toLocaleString("en-US")} / ${tokens.toLocaleString("en-US")} tokens, ${n.toLocaleString("en-US")} requests, ${Math.round(n / s)} req/s`);
  }, 10_000);
  try {
    for (let mark = Math.min(step, tokens); presented < tokens; mark = Math.min(mark + step, tokens)) {
      // Each worker claims a token before presenting it, so the count stops exactly at `mark`.
      await Promise.all(chains.map(async (c) => {
        while (presented < mark) {
          presented++;
          await phase(c);
        }
      }));
      await sample(presented);
    }
  } finally {
    clearInterval(progress);
  }
  // ---- large requests: what a remembered verification keeps must not include the request ----
  const before = samples.at(-1);
  const fresh = [];
  for (let i = 0; i < padded; i++) fresh.push(await exchange(chains[i % chains.length].j, RP, true));
  const pad = " ".repeat(padBytes);
  for (const saml of fresh) {
    requests.validate++;
    const req = lifecycle("Validate", saml);
    req.body = req.body.replace("</s:Body>", pad + "</s:Body>");
    await must(req, (r) => r.status === 200 && r.text.includes("/status/valid<"), "WS-Trust Validate (padded)");
  }
  await sample(presented + padded);
  const paddedGrowthMiB = samples.at(-1).usedMiB - before.usedMiB;
  // The padding alone is padded × padBytes; remembering it would show as most of that.
  const paddedLimitMiB = (padded * padBytes) / MiB / 4;
  log(`bench --memory: ${padded} Validates padded with ${padBytes} bytes each: heap ${paddedGrowthMiB >= 0 ? "+" : ""}${paddedGrowthMiB.toFixed(2)} MiB (padding sent: ${((padded * padBytes) / MiB).toFixed(1)} MiB; limit ${paddedLimitMiB.toFixed(1)} MiB)`);
  const end = samples.at(-1);
  const out = {
    padded: { requests: padded, padBytes, growthMiB: paddedGrowthMiB, limitMiB: paddedLimitMiB, met: paddedGrowthMiB <= paddedLimitMiB },
    tokens,
    step,
    concurrency,
    limitMiB,
    seconds: (Date.now() - t0) / 1000,
    requests,
    presented: byKind,
    samples,
    startMiB: samples[0].usedMiB,
    endMiB: end.usedMiB,
    met: samples.every((x) => x.usedMiB <= limitMiB) && paddedGrowthMiB <= paddedLimitMiB,
  };
  if (snapshot) {
    log("bench --memory: heap snapshot…");
    out.snapshot = await heapSummary(insp, { saveTo: snapshot });
    log(`bench --memory: heap snapshot written to ${snapshot}`);
  }
  return out;
}
