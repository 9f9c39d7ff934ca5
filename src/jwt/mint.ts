import { CompactSign } from "jose";
import { randomBytes, toBase64Url, utf8 } from "../bytes.ts";
import type { JwtSignatureAlg } from "../config/types.ts";
import type { KeyRing } from "../keys/keyring.ts";
import { notRenewableId } from "../token/renewability.ts";
import type { Actor } from "../token/actor.ts";
import type { Confirmation } from "../token/confirmation.ts";

export interface JwtInput {
  /** RFC 9068 §2.1: access tokens are typed `at+jwt`; other JWTs `JWT`. */
  typ: "at+jwt" | "JWT";
  alg: JwtSignatureAlg;
  issuer: string;
  subject: string;
  audience: string;
  issuedAt: Date;
  notBefore: Date;
  expires: Date;
  claims: Record<string, string[]>;
  scope: string[];
  actor: Actor | undefined;
  clientId: string | undefined;
  authnInstant: Date;
  notRenewable?: boolean | undefined;
  /** The key the holder must prove, stated as `cnf` (RFC 7800); undefined for a bearer JWT. */
  confirmation?: Confirmation | undefined;
}

/**
 * RFC 7800 §3.1 `cnf`: a public key as `jwk` (public members only), a DPoP key by its
 * thumbprint as `jkt` (RFC 9449 §6.1). A JWT cannot carry a symmetric proof key for its
 * audience (that would need a JWE per key), so the engine never asks for one.
 */
function cnfClaim(c: Confirmation): Record<string, unknown> {
  switch (c.method) {
    case "public-key":
      return c.jwk.kty === "RSA" ? { jwk: { kty: "RSA", n: c.jwk.n, e: c.jwk.e } } : { jwk: { kty: c.jwk.kty, crv: c.jwk.crv, x: c.jwk.x, y: c.jwk.y } };
    case "dpop":
      return { jkt: c.jkt };
    case "symmetric":
      throw new TypeError("a JWT cannot carry a symmetric proof key");
  }
}

/** Claims that are single-valued in JWTs by convention (OIDC Core §5.1). */
const SINGLE_VALUED = new Set(["email", "given_name", "family_name", "name", "upn", "preferred_username"]);

/** A fresh `jti`: 128 random bits, base64url. */
export function newJti(): string {
  return toBase64Url(randomBytes(16));
}

const secs = (d: Date) => Math.floor(d.getTime() / 1000);

/** Builds and signs a JWT with the current key for the algorithm; `kid` always set. */
export async function buildJwt(keys: KeyRing, j: JwtInput): Promise<{ id: string; value: string }> {
  const key = keys.current(j.alg.startsWith("ES") ? "EC" : "RSA");
  const jti = j.notRenewable ? notRenewableId(newJti()) : newJti();
  const payload: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(j.claims)) {
    if (values.length === 0) continue;
    payload[name] = SINGLE_VALUED.has(name) && values.length === 1 ? values[0] : values.slice();
  }
  if (j.scope.length > 0) payload.scope = j.scope.join(" ");
  if (j.clientId) payload.client_id = j.clientId;
  if (j.actor) payload.act = j.actor;
  payload.auth_time = secs(j.authnInstant);
  if (j.confirmation) payload.cnf = cnfClaim(j.confirmation);
  // The registered claims after the others, as jose's SignJWT would place them; signed with
  // jose's CompactSign over our own JSON (SignJWT's claim builder re-copies and re-validates
  // values that are typed here, ~5 % of a token exchange in profiles).
  payload.iss = j.issuer;
  payload.sub = j.subject;
  payload.aud = j.audience;
  payload.iat = secs(j.issuedAt);
  payload.nbf = secs(j.notBefore);
  payload.exp = secs(j.expires);
  payload.jti = jti;
  const value = await new CompactSign(utf8(JSON.stringify(payload)))
    .setProtectedHeader({ alg: j.alg, typ: j.typ, kid: key.kid })
    .sign(await key.privateKeyFor(j.alg));
  return { id: jti, value };
}
