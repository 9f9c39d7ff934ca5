/** Black-box helpers for the OAuth endpoints (independent of src/oauth). */
import { expect } from "vitest";
import { TT } from "../helpers/soap.ts";
import { DEMO } from "../helpers/credentials.ts";
import { call, trust } from "../helpers/worker.ts";

export const TX = {
  grant: "urn:ietf:params:oauth:grant-type:token-exchange",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  at: "urn:ietf:params:oauth:token-type:access_token",
  idt: "urn:ietf:params:oauth:token-type:id_token",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
};
export const API = "https://api.example.com/";
export const RP = "urn:example:rp";


export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** POSTs a form to an OAuth endpoint. `auth` is an Authorization header value (or none). */
export async function post(
  path: string,
  params: Record<string, string | string[]>,
  auth: string | null = DEMO,
  fetcher: Fetcher = call,
): Promise<{ status: number; json: Record<string, unknown>; res: Response; text: string }> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth) headers.authorization = auth;
  const res = await fetcher(path, { method: "POST", headers, body: body.toString() });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, res, text };
}

export const exchange = (p: Record<string, string | string[]>, auth: string | null = DEMO, f: Fetcher = call) =>
  post("/oauth2/token", { grant_type: TX.grant, ...p }, auth, f);

export function b64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
export function unb64url(s: string): string {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - (s.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}
export function jwtParts(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split(".");
  return { header: JSON.parse(unb64url(h!)), payload: JSON.parse(unb64url(p!)) };
}

/** alice's (or another user's) SAML assertion from WS-Trust, as raw XML. */
export async function samlFromTrust(user = "alice", password = "wonderland", tokenType = TT.saml2): Promise<string> {
  const r = await trust({ user, password, appliesTo: RP, tokenType });
  expect(r.status).toBe(200);
  const m = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text);
  expect(m).not.toBeNull();
  return m![0];
}

/** A user's JWT for https://api.example.com/ from WS-Trust (the BinarySecurityToken content). */
export async function jwtFromTrust(user = "bob", password = "builder"): Promise<string> {
  const r = await trust({ user, password, appliesTo: API, tokenType: TT.jwt });
  expect(r.status).toBe(200);
  const m = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(r.text);
  expect(m).not.toBeNull();
  return atob(m![1]!);
}

/** An unsigned-by-us JWT: header and payload as given, signature bytes as given. */
export function forgeJwt(header: object, payload: object, sig = ""): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${sig}`;
}

export async function hs256(header: object, payload: object, secret: string): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)));
  let bin = "";
  for (const b of sig) bin += String.fromCharCode(b);
  return `${input}.${btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** Signs a JWT with an ES256 private CryptoKey by hand (no jose), for client assertions etc. */
export async function es256(header: object, payload: object, key: CryptoKey): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new TextEncoder().encode(input)));
  let bin = "";
  for (const b of sig) bin += String.fromCharCode(b);
  return `${input}.${btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/**
 * Verifies an ES256/RS256 compact JWS against a JWKS with WebCrypto directly — a second,
 * non-jose implementation of the check a relying party makes.
 */
export async function verifyWithJwks(jwt: string, jwks: { keys: (JsonWebKey & { kid?: string })[] }): Promise<boolean> {
  const [h, p, s] = jwt.split(".");
  const header = JSON.parse(unb64url(h!)) as { alg: string; kid: string };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) return false;
  const { x5c: _x5c, kid: _kid, use: _use, alg: _alg, ...pub } = jwk as JsonWebKey & { x5c?: unknown; kid?: string; use?: string };
  const sigBin = atob(s!.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - (s!.length % 4)) % 4));
  const sig = Uint8Array.from(sigBin, (c) => c.charCodeAt(0));
  const data = new TextEncoder().encode(`${h}.${p}`);
  if (header.alg === "ES256") {
    const k = await crypto.subtle.importKey("jwk", pub, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, k, sig, data);
  }
  if (header.alg === "RS256") {
    const k = await crypto.subtle.importKey("jwk", pub, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    return crypto.subtle.verify("RSASSA-PKCS1-v1_5", k, sig, data);
  }
  return false;
}
