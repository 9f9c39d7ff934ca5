// Baseline worker for `npm run bench`: the raw operation only, in the same workerd process as
// the STS, so the ratios compare like with like.
//
//   GET  /noop             → 200 "ok"
//   GET  /rsa2048-sign     → RSASSA-PKCS1-v1_5 SHA-256 over a 2 KB buffer
//   GET  /ecdsa-p256-sign  → ECDSA P-256 SHA-256 over a 2 KB buffer
//
// Floors: the irreducible work of an STS operation and nothing else (no HTTP body, no parsing,
// no policy), so a target can be checked against what any implementation bound by the same
// rules must spend. The rules: signatures through WebCrypto, and a strongly consistent
// revocation check per presented token — one Durable Object RPC doing one SQLite point read
// (what src/state/token-state.ts does) the first time; for a token checked again within its
// read lease (limits.statusLeaseMilliseconds, docs/storage.md) no call at all. The benchmark
// presents the same token over and over; a floor marked "first presentation" is what a token
// seen for the first time costs at least. The Durable Object is in this same workerd.
//   GET  /floor/status        → the revocation RPC alone (a token's first check)
//   GET  /floor/validate      → SHA-256 of 2 KB (Reference digest) + RSA-2048 verify + RPC: a
//        first presentation (a repeated assertion's verification is remembered, by exact text,
//        and its revocation answer leased, so the STS can do better than this floor)
//   GET  /floor/exchange-jwt  → ECDSA P-256 verify + RPC + ECDSA P-256 sign (first presentation)
//   GET  /floor/exchange-saml → ECDSA P-256 verify + RPC + SHA-256 of 2 KB + RSA-2048 sign
//   GET  /floor/certificatemixed → what an Issue over certificatemixed must do at least: SHA-256
//        of four message parts (Body, Timestamp, To, Action) and of the SignedInfo, RSA-2048
//        verify of the requestor's signature, one replay-cache RPC that writes the signature's
//        hash (one SQLite insert, as src/state/replay-cache.ts does), SHA-256 of 2 KB and
//        RSA-2048 sign of the assertion
//   GET  /floor/exchange-jwt-repeat, /floor/exchange-saml-repeat → the signing alone: the floor
//        for a subject token presented again, whose verification the STS remembers
//        (src/jwt/verified-cache.ts) and whose revocation answer is leased — what the
//        benchmark's repeated token gets
//   POST /floor/directory     → body "read:<username>": one point read of the first realm's
//        directory row by primary key, through the STS's own D1 binding (USERS_DB), the columns
//        src/state/directory.ts reads at a sign-in; body "none:<username>": the same request
//        without it. Sent interleaved, their latency difference is the least a directory lookup
//        can add to a sign-in.
//
// Keys arrive as PKCS#8 base64 text bindings (BASELINE_RSA_PKCS8, BASELINE_EC_PKCS8) and are
// imported once per isolate, as the STS imports its own keys.
import { DurableObject } from "cloudflare:workers";

/** 2 KB of fixed bytes: about the size of the SAML assertion / JWT signing input the STS signs. */
const PAYLOAD = new Uint8Array(2048).map((_, i) => (i * 31 + 7) & 0xff);

let keys = null;

function b64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const EC = { name: "ECDSA", namedCurve: "P-256" };
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" };

/** Private keys, their public halves, and one signature of PAYLOAD by each (for the verify floors). */
function loadKeys(env) {
  keys ??= (async () => {
    const rsa = await crypto.subtle.importKey("pkcs8", b64ToBytes(env.BASELINE_RSA_PKCS8), RSA, true, ["sign"]);
    const ec = await crypto.subtle.importKey("pkcs8", b64ToBytes(env.BASELINE_EC_PKCS8), EC, true, ["sign"]);
    const pub = async (key, alg) => {
      const { d, p, q, dp, dq, qi, key_ops, ...jwk } = await crypto.subtle.exportKey("jwk", key);
      return crypto.subtle.importKey("jwk", jwk, alg, false, ["verify"]);
    };
    return {
      rsa,
      ec,
      rsaPub: await pub(rsa, RSA),
      ecPub: await pub(ec, EC),
      rsaSig: await crypto.subtle.sign(RSA.name, rsa, PAYLOAD),
      ecSig: await crypto.subtle.sign(ECDSA_SHA256, ec, PAYLOAD),
    };
  })();
  return keys;
}

/** The revocation check's shape: one RPC to the subject's object, one SQLite point read. */
export class BaselineState extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS token (id_hash TEXT PRIMARY KEY, revoked TEXT)");
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY)");
  }
  /** The replay cache's shape: one insert of a value never seen before. */
  remember(key) {
    this.ctx.storage.sql.exec("INSERT INTO seen (key) VALUES (?)", key);
    return { fresh: true };
  }
  status(idHash) {
    const row = this.ctx.storage.sql.exec("SELECT revoked FROM token WHERE id_hash = ?", idHash).toArray()[0];
    return { state: row?.revoked ? "revoked" : "active" };
  }
}

async function revocationCheck(env) {
  const s = await env.BASELINE_STATE.getByName("alice").status("Nw7qk3Zz9pQeYH1xw5eJm2c8lV0bS4tRgUfAoKdXyI8");
  if (s.state !== "active") throw new Error("unexpected state");
}

async function verified(ok) {
  if (!(await ok)) throw new Error("baseline signature did not verify");
}

function b64url(buf) {
  let s = "";
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/noop") return new Response("ok");
    if (pathname === "/rsa2048-sign") {
      const { rsa } = await loadKeys(env);
      const sig = await crypto.subtle.sign(RSA.name, rsa, PAYLOAD);
      return new Response(b64url(sig));
    }
    if (pathname === "/ecdsa-p256-sign") {
      const { ec } = await loadKeys(env);
      const sig = await crypto.subtle.sign(ECDSA_SHA256, ec, PAYLOAD);
      return new Response(b64url(sig));
    }
    if (pathname === "/floor/status") {
      await revocationCheck(env);
      return new Response("ok");
    }
    if (pathname === "/floor/validate") {
      const k = await loadKeys(env);
      await crypto.subtle.digest("SHA-256", PAYLOAD);
      await verified(crypto.subtle.verify(RSA.name, k.rsaPub, k.rsaSig, PAYLOAD));
      await revocationCheck(env);
      return new Response("ok");
    }
    if (pathname === "/floor/certificatemixed") {
      const k = await loadKeys(env);
      for (const size of [1024, 160, 200, 160, 900]) await crypto.subtle.digest("SHA-256", PAYLOAD.subarray(0, size));
      await verified(crypto.subtle.verify(RSA.name, k.rsaPub, k.rsaSig, PAYLOAD));
      const id = b64url(await crypto.subtle.digest("SHA-256", crypto.getRandomValues(new Uint8Array(32))));
      await env.BASELINE_STATE.getByName(`replay:${id.charCodeAt(0) % 16}`).remember(id);
      await crypto.subtle.digest("SHA-256", PAYLOAD);
      return new Response(b64url(await crypto.subtle.sign(RSA.name, k.rsa, PAYLOAD)));
    }
    if (pathname === "/floor/directory") {
      const body = await request.text();
      if (body.startsWith("read:")) {
        const row = await env.USERS_DB.prepare("SELECT username, password_hash, enabled, claims, created_at, updated_at FROM users WHERE realm = ?1 AND username = ?2")
          .bind("", body.slice(5))
          .first();
        if (row === null) return new Response("no such directory user", { status: 404 });
      }
      return new Response("ok");
    }
    if (pathname.startsWith("/floor/exchange-")) {
      const k = await loadKeys(env);
      const repeat = pathname.endsWith("-repeat");
      if (!repeat) {
        await verified(crypto.subtle.verify(ECDSA_SHA256, k.ecPub, k.ecSig, PAYLOAD));
        await revocationCheck(env);
      }
      let sig;
      if (pathname.startsWith("/floor/exchange-jwt")) sig = await crypto.subtle.sign(ECDSA_SHA256, k.ec, PAYLOAD);
      else {
        await crypto.subtle.digest("SHA-256", PAYLOAD);
        sig = await crypto.subtle.sign(RSA.name, k.rsa, PAYLOAD);
      }
      return new Response(b64url(sig));
    }
    return new Response("not found", { status: 404 });
  },
};
