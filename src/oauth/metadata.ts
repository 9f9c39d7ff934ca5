/** RFC 8414 authorization server metadata, built from the request context. */
import type { StsContext } from "../engine/types.ts";
import { CLIENT_ASSERTION_ALGS } from "../config/validate-jwks.ts";
import { DPOP_ALGS } from "./dpop.ts";
import { TOKEN_EXCHANGE_GRANT } from "./token-types.ts";

/** Our endpoint paths; absolute URLs are made on the request origin. */
export const OAUTH_PATHS = {
  token: "/oauth2/token",
  introspect: "/oauth2/introspect",
  revoke: "/oauth2/revoke",
  jwks: "/oauth2/jwks",
} as const;

/** RFC 8414 §3: the well-known name of this metadata. */
export const METADATA_PATH = "/.well-known/oauth-authorization-server";

/**
 * The path an http(s) issuer's metadata address gets after the well-known name (RFC 8414 §3.1:
 * the issuer's path without a terminating "/"); undefined for an issuer without one, or one that
 * is not a URL (a URN), which RFC 8414 has no address for.
 */
export function issuerPath(issuer: string): string | undefined {
  if (!/^https?:\/\//i.test(issuer)) return undefined;
  const path = new URL(issuer).pathname.replace(/\/$/, "");
  return path === "" ? undefined : path;
}

const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"];

/** The absolute URL of one of our endpoints. */
export function endpointUrl(ctx: StsContext, path: string): string {
  return ctx.origin + path;
}

/**
 * RFC 8414 §2 metadata. `issuer` is exactly the `iss` of our tokens (§3.3 requires the
 * match); signing algorithms are the ones our relying parties are configured with.
 */
export function buildMetadata(ctx: StsContext): Record<string, unknown> {
  const algs = [...new Set(ctx.config.relyingParties.map((rp) => rp.jwtSignatureAlgorithm))];
  const scopes = [...new Set(ctx.config.relyingParties.flatMap((rp) => rp.scopes))];
  const m: Record<string, unknown> = {
    issuer: ctx.issuer,
    token_endpoint: endpointUrl(ctx, OAUTH_PATHS.token),
    introspection_endpoint: endpointUrl(ctx, OAUTH_PATHS.introspect),
    revocation_endpoint: endpointUrl(ctx, OAUTH_PATHS.revoke),
    jwks_uri: endpointUrl(ctx, OAUTH_PATHS.jwks),
    grant_types_supported: [TOKEN_EXCHANGE_GRANT],
    // REQUIRED by RFC 8414 §2; empty because there is no authorization endpoint.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    // Not an RFC 8414 name: the JWS algorithms of the tokens we issue (RFC 9068 access tokens
    // and plain JWTs), for verifiers that want to pin them.
    token_signing_alg_values_supported: algs,
    // RFC 9449 §5.1: the token endpoint binds tokens to DPoP proofs made with these.
    dpop_signing_alg_values_supported: DPOP_ALGS,
  };
  if (scopes.length > 0) m.scopes_supported = scopes;
  return m;
}
