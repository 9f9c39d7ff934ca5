/**
 * The JWT confirmation claim (RFC 7800 `cnf`): written from a token's {@link Confirmation} and
 * read back from a verified JWT. One place, so what we write is exactly what we read.
 */
import type { Confirmation } from "../token/confirmation.ts";

/** What a present but unreadable `cnf` is: a binding nobody can satisfy (fail closed). */
export const MALFORMED_CNF = "malformed";

/** RFC 7638 §3.2 / RFC 7517: the public members of each key type we state in `cnf.jwk`. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ["kty", "n", "e"],
  EC: ["kty", "crv", "x", "y"],
  OKP: ["kty", "crv", "x"],
};

const B64URL = /^[A-Za-z0-9_-]{43}$/;

/**
 * The `cnf` claim for a bound JWT: RFC 9449 §6.1 `jkt` for DPoP, RFC 7800 §3.2 `jwk` for a
 * public proof key. A symmetric proof key is never stated in a JWT (it would be readable by
 * anyone holding the token): the engine refuses those before minting.
 */
export function cnfClaim(c: Confirmation): Record<string, unknown> {
  switch (c.method) {
    case "dpop":
      return { jkt: c.jkt };
    case "public-key":
      return { jwk: publicJwk(c.jwk) };
    case "symmetric":
      throw new Error("A symmetric proof key cannot be stated in a JWT.");
  }
}

/** Only the public members of a JWK (RFC 7517 §4 parameters such as `d` never leave). */
export function publicJwk(jwk: JsonWebKey): JsonWebKey {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""] ?? [];
  const from = jwk as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const m of members) if (from[m] !== undefined) out[m] = from[m];
  return out as unknown as JsonWebKey;
}

/**
 * A verified JWT's `cnf` claim value → its confirmation; undefined when absent (a bearer
 * token), {@link MALFORMED_CNF} when present but not a `jkt` or public `jwk` we could have
 * written.
 */
export function readCnf(v: unknown): Confirmation | typeof MALFORMED_CNF | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return MALFORMED_CNF;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1) return MALFORMED_CNF;
  if (typeof o.jkt === "string") return B64URL.test(o.jkt) ? { method: "dpop", jkt: o.jkt } : MALFORMED_CNF;
  if (typeof o.jwk === "object" && o.jwk !== null && !Array.isArray(o.jwk)) {
    const jwk = o.jwk as JsonWebKey;
    const members = PUBLIC_MEMBERS[jwk.kty ?? ""];
    if (!members || Object.keys(jwk).some((k) => !members.includes(k))) return MALFORMED_CNF;
    return { method: "public-key", jwk: publicJwk(jwk) };
  }
  return MALFORMED_CNF;
}
