// Baseline worker for `npm run bench`: the raw operation only, in the same workerd process as
// the STS, so the ratios compare like with like (issue 6, "baseline worker").
//
//   GET  /noop             → 200 "ok"
//   POST /rsa2048-sign     → RSASSA-PKCS1-v1_5 SHA-256 over a 2 KB buffer
//   POST /ecdsa-p256-sign  → ECDSA P-256 SHA-256 over a 2 KB buffer
//
// Keys arrive as PKCS#8 base64 text bindings (BASELINE_RSA_PKCS8, BASELINE_EC_PKCS8) and are
// imported once per isolate, as the STS imports its own keys.

/** 2 KB of fixed bytes: about the size of the SAML assertion / JWT signing input the STS signs. */
const PAYLOAD = new Uint8Array(2048).map((_, i) => (i * 31 + 7) & 0xff);

let keys = null;

function b64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function loadKeys(env) {
  keys ??= Promise.all([
    crypto.subtle.importKey("pkcs8", b64ToBytes(env.BASELINE_RSA_PKCS8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]),
    crypto.subtle.importKey("pkcs8", b64ToBytes(env.BASELINE_EC_PKCS8), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]),
  ]).then(([rsa, ec]) => ({ rsa, ec }));
  return keys;
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
      const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", rsa, PAYLOAD);
      return new Response(b64url(sig));
    }
    if (pathname === "/ecdsa-p256-sign") {
      const { ec } = await loadKeys(env);
      const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec, PAYLOAD);
      return new Response(b64url(sig));
    }
    return new Response("not found", { status: 404 });
  },
};
