/** DPoP (RFC 9449) proofs made in tests with jose, and token requests that carry them. */
import { type CryptoKey as JoseKey, type JWK, SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { call } from "../helpers/worker.ts";
import { API, type Fetcher, TX } from "./helpers.ts";
import { DEMO } from "../helpers/credentials.ts";

export const TOKEN_URL = "http://127.0.0.1:8787/oauth2/token";

export interface ProofKey {
  alg: string;
  privateKey: JoseKey;
  jwk: JWK;
  jkt: string;
}

export async function proofKey(alg = "ES256"): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, "sha256") };
}

/** A DPoP proof; `claims` and `header` override or add to the usual ones. */
export async function proof(
  k: ProofKey,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ htm: "POST", htu: TOKEN_URL, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: k.alg, typ: "dpop+jwt", jwk: k.jwk, ...header })
    .sign(k.privateKey);
}

/**
 * A token exchange by demo-client with the given DPoP header value(s) (none: a bearer request).
 * Several values are sent as several header lines.
 */
export async function exchangeWithDpop(
  params: Record<string, string>,
  dpop: string | string[] | undefined,
  fetcher: Fetcher = call,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", authorization: DEMO });
  for (const v of dpop === undefined ? [] : Array.isArray(dpop) ? dpop : [dpop]) headers.append("DPoP", v);
  const body = new URLSearchParams({ grant_type: TX.grant, audience: API, requested_token_type: TX.at, subject_token_type: TX.jwt, ...params });
  const res = await fetcher("/oauth2/token", { method: "POST", headers, body: body.toString() });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
