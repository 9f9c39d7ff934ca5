/** Validation of inline JWKS: trusted issuers' `jwks` and OAuth clients' `jwks` (see `validate.ts`). */
import { publicJwkProblem } from "../keys/public-jwk.ts";
import { type Issues, arr, obj } from "./check.ts";

/** RFC 7523 client assertions: asymmetric algorithms only (a client's JWKS holds public keys). */
export const CLIENT_ASSERTION_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/**
 * Checks a public JWKS (RFC 7517 §5): a non-empty `keys` array of public keys, each one that
 * verifies signatures of at least one of `algorithms` (its type and curve, well-formed members,
 * an EC point on its curve, an RSA key of at least 2048 bits: src/keys/public-jwk.ts). A key
 * that could verify nothing is a mistake made here, reported here, not a token refused later.
 */
export function validateJwks(x: Issues, v: unknown, path: string, algorithms: readonly string[]): { keys: JsonWebKey[] } | undefined {
  const j = obj(x, v, path, ["keys"]);
  const keys = j && arr(x, j, "keys", path, { required: true, nonEmpty: true });
  if (!keys) return undefined;
  let ok = true;
  keys.forEach((k, i) => {
    const kp = `${path}.keys[${i}]`;
    const problem = publicJwkProblem(k, algorithms);
    if (problem !== undefined) {
      x.add(kp, problem);
      ok = false;
    }
  });
  return ok ? { keys: keys as JsonWebKey[] } : undefined;
}
