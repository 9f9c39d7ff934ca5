/** The JWKS (RFC 7517 §5): current, next and still-trusted previous public keys. */
import type { StsContext } from "../engine/types.ts";

/** Public JWKs with kid, use and x5c; private members never appear (built from certificates). */
export function buildJwks(ctx: StsContext): { keys: JsonWebKey[] } {
  return { keys: ctx.keys.published().map((k) => ({ ...k.publicJwk })) };
}
