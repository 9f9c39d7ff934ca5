import { CompactSign } from "jose";
import { randomBytes, toBase64Url, utf8 } from "../bytes.ts";
import type { JwtSignatureAlg } from "../config/types.ts";
import type { KeyRing } from "../keys/keyring.ts";
import { type RenewingMarks, markedId } from "../token/renewability.ts";
import { type Actor, actClaim } from "../token/actor.ts";
import type { Confirmation } from "../token/confirmation.ts";
import { cnfClaim } from "./cnf.ts";
import { numericDateOf } from "../token/time.ts";

export interface JwtInput extends RenewingMarks {
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
  /** RFC 8693 §4.4: the one party that may act for the subject (`sub`, and `iss` when not ours). */
  mayAct?: Actor | undefined;
  clientId: string | undefined;
  authnInstant: Date;
  /** The key the holder must prove (RFC 7800 `cnf`); undefined for a bearer token. */
  confirmation?: Confirmation | undefined;
  /** The `jti`'s random part, when the caller has one (a pairwise token's sealed subject). */
  jtiPart?: string | undefined;
}

/** Claims that are single-valued in JWTs by convention (OIDC Core §5.1). */
const SINGLE_VALUED = new Set(["email", "given_name", "family_name", "name", "upn", "preferred_username"]);

/** A fresh `jti`: 128 random bits, base64url. */
export function newJti(): string {
  return toBase64Url(randomBytes(16));
}


/** Builds and signs a JWT with the current key for the algorithm; `kid` always set. */
export async function buildJwt(keys: KeyRing, j: JwtInput): Promise<{ id: string; value: string }> {
  const key = keys.currentFor(j.alg);
  const random = j.jtiPart ?? newJti();
  const jti = markedId(random, j, false);
  // No prototype: a claim name comes from outside (a partner's attribute may be `__proto__`),
  // and on a plain object that name would set the prototype instead of stating the claim.
  const payload = Object.create(null) as Record<string, unknown>;
  for (const [name, values] of Object.entries(j.claims)) {
    if (values.length === 0) continue;
    payload[name] = SINGLE_VALUED.has(name) && values.length === 1 ? values[0] : values.slice();
  }
  if (j.scope.length > 0) payload.scope = j.scope.join(" ");
  if (j.clientId) payload.client_id = j.clientId;
  if (j.actor) payload.act = actClaim(j.actor);
  if (j.mayAct) payload.may_act = j.mayAct;
  if (j.confirmation) payload.cnf = cnfClaim(j.confirmation);
  payload.auth_time = numericDateOf(j.authnInstant);
  // The registered claims after the others, as jose's SignJWT would place them; signed with
  // jose's CompactSign over our own JSON (SignJWT's claim builder re-copies and re-validates
  // values that are typed here, ~5 % of a token exchange in profiles).
  payload.iss = j.issuer;
  payload.sub = j.subject;
  payload.aud = j.audience;
  payload.iat = numericDateOf(j.issuedAt);
  payload.nbf = numericDateOf(j.notBefore);
  payload.exp = numericDateOf(j.expires);
  payload.jti = jti;
  const value = await new CompactSign(utf8(JSON.stringify(payload)))
    .setProtectedHeader({ alg: j.alg, typ: j.typ, kid: key.kid })
    .sign(await key.privateKeyFor(j.alg));
  return { id: jti, value };
}
