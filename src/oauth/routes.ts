/**
 * The OAuth front door: RFC 8414 metadata, JWKS, RFC 8693 token exchange, RFC 7662
 * introspection and RFC 7009 revocation. Each handler reads the form, authenticates the
 * client, calls one operation and answers JSON; every OAuth or engine error becomes an OAuth
 * JSON error here, so client input never reaches the generic 500.
 */
import type { Context, Env as HonoEnv, Hono } from "hono";
import type { RequestServices, StsContext } from "../engine/types.ts";
import { writeAudit } from "../web/audit.ts";
import { publicDocument } from "../web/cors.ts";
import { NO_STORE_PRAGMA, PUBLIC_DOCUMENT, noStoreHeaders } from "../web/headers.ts";
import type { StateClient } from "../state/client.ts";
import { withFailureLimit } from "../abuse/guard.ts";
import { failureKeys } from "../abuse/limits.ts";
import { type AuthenticatedClient, authenticateClient, claimedClientId, readAuthorization } from "./client-auth.ts";
import { OAuthError, oauthErrorResponse, toOAuthError } from "./errors.ts";
import { type FormParams, readForm } from "./form.ts";
import { currentDpopNonce } from "./dpop-nonce.ts";
import { introspectToken } from "./introspect.ts";
import { buildJwks } from "./jwks.ts";
import { METADATA_PATH, OAUTH_PATHS, buildMetadata, endpointUrl, issuerPath } from "./metadata.ts";
import { revokeToken } from "./revoke.ts";
import { exchangeToken } from "./token-exchange.ts";

type Operation = (ctx: StsContext, state: StateClient, client: AuthenticatedClient, params: FormParams, req: Request) => Promise<unknown>;

/** Headers an endpoint adds to every answer, success or error, once the realm is known. */
type ExtraHeaders = (ctx: StsContext) => Promise<Record<string, string> | undefined>;

/**
 * One POST endpoint: form → client auth → operation → JSON (or empty 200 for `null`), and the
 * one audit line per operation (the engine fills subject, target and token ID as it learns them).
 */
function endpoint<E extends HonoEnv>(services: (c: Context<E>) => RequestServices, path: string, operation: string, op: Operation, extraHeaders?: ExtraHeaders) {
  return async (c: Context<E>): Promise<Response> => {
    const started = Date.now();
    let ctx: StsContext | undefined;
    try {
      const svc = services(c);
      ctx = await svc.context();
      ctx.audit.operation = operation;
      const params = await readForm(c.req.raw, ctx.config.limits.maxBodyBytes);
      const state = svc.state(ctx);
      const authorization = readAuthorization(c.req.header("authorization") ?? null);
      const authCtx = ctx;
      // Failed client authentications are limited per claimed client and per address, like
      // WS-Trust UsernameTokens (src/abuse/guard.ts): counted only on failure.
      const claimed = claimedClientId(authorization, params, (id) => authCtx.config.oauthClients.has(id));
      // docs/audit.md: the requestor as presented, also when its authentication fails — when a
      // client has that id. Any other "id" authenticates nobody, and may be a secret pasted
      // into the wrong field: the log must not hold it.
      ctx.audit.requestor = claimed !== undefined && ctx.config.oauthClients.has(claimed) ? claimed : undefined;
      const keys = failureKeys(claimed ?? "-", svc.clientAddress, "client");
      const client = await withFailureLimit(
        ctx,
        state,
        keys,
        () =>
          authenticateClient(authCtx, authorization, params, {
            rememberNonce: (k, exp) => state.rememberNonce(k, exp),
            // RFC 7523 §3 item 3: the token endpoint URL or the issuer identify us; the endpoint
            // actually called is accepted too (introspection / revocation).
            audiences: () => [...new Set([endpointUrl(authCtx, OAUTH_PATHS.token), authCtx.issuer, endpointUrl(authCtx, path)])],
          }),
        (e) => e instanceof OAuthError && e.code === "invalid_client",
      );
      ctx.audit.requestor = client.client.clientId;
      const result = await op(ctx, state, client, params, c.req.raw);
      await writeAudit(ctx.audit, { ok: true, status: 200 }, started);
      const extra = await extraHeaders?.(ctx);
      if (result === null) return new Response(null, { status: 200, headers: { ...NO_STORE_PRAGMA, ...extra } });
      const headers = noStoreHeaders("application/json", true);
      return new Response(JSON.stringify(result), { status: 200, headers: extra ? { ...Object.fromEntries(headers), ...extra } : headers });
    } catch (e) {
      const o = toOAuthError(e);
      if (!o) {
        // A failure of ours: app.onError answers the generic 500 and logs the detail. The
        // operation still gets its audit line (docs/audit.md: one per operation), with what it
        // had learnt (which client, whose token) before it failed.
        if (ctx) await writeAudit(ctx.audit, { ok: false, status: 500, error: "server_error", reason: "An internal error occurred." }, started);
        throw e;
      }
      if (ctx) await writeAudit(ctx.audit, { ok: false, status: o.status, error: o.code, reason: o.message }, started);
      return oauthErrorResponse(o, ctx && (await extraHeaders?.(ctx)), ctx?.config.realm);
    }
  };
}

/** RFC 9449 §8.2: where nonces are handed out, every token endpoint answer names the current one. */
async function dpopNonceHeader(ctx: StsContext): Promise<Record<string, string> | undefined> {
  const secret = ctx.config.dpopNonceSecret;
  return secret === undefined ? undefined : { "DPoP-Nonce": await currentDpopNonce(secret, ctx.now().getTime()) };
}

/**
 * Whether `url` is the RFC 8414 §3.1 address of this issuer's metadata with its path
 * (`/.well-known/oauth-authorization-server/<issuer path>`), the one address under the
 * well-known name's wildcard route that is served. Compared with the address as sent, not the
 * router's decoded path: `oauth%2Dauthorization-server` is not the name, and the realm was
 * chosen from the address as sent too.
 */
export function isIssuerMetadataAddress(ctx: StsContext, url: string): boolean {
  const path = issuerPath(ctx.issuer);
  return path !== undefined && new URL(url).pathname === METADATA_PATH + path;
}

/** Registers the OAuth routes on the app (call before the notFound handler). */
export function registerOAuthRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  app.get(METADATA_PATH, publicDocument(async (c: Context<E>) => {
    const ctx = await services(c).context();
    return c.json(buildMetadata(ctx), 200, PUBLIC_DOCUMENT);
  }));
  // RFC 8414 §3.1: an issuer with a path (AD FS's identifier `…/adfs/services/trust`, say) has
  // its metadata at the well-known name followed by that path, where a client that starts from
  // the issuer looks, and §3.3 then finds the `issuer` it built the address from.
  app.get(`${METADATA_PATH}/*`, publicDocument(async (c: Context<E>) => {
    const ctx = await services(c).context();
    if (!isIssuerMetadataAddress(ctx, c.req.url)) return c.notFound();
    return c.json(buildMetadata(ctx), 200, PUBLIC_DOCUMENT);
  }));
  app.get(OAUTH_PATHS.jwks, publicDocument(async (c: Context<E>) => {
    const ctx = await services(c).context();
    return c.body(JSON.stringify(buildJwks(ctx)), 200, { "Content-Type": "application/jwk-set+json", ...PUBLIC_DOCUMENT });
  }));
  app.post(OAUTH_PATHS.token, endpoint(services, OAUTH_PATHS.token, "oauth.token_exchange", (ctx, state, a, p, req) =>
    // RFC 9449 §4.3: htu may name the endpoint as the client knows it (the configured origin).
    exchangeToken(ctx, state, a.client, p, { method: req.method, url: req.url, headers: req.headers, alsoKnownAs: [endpointUrl(ctx, OAUTH_PATHS.token)] }),
  dpopNonceHeader));
  app.post(OAUTH_PATHS.introspect, endpoint(services, OAUTH_PATHS.introspect, "oauth.introspect", (ctx, state, a, p) => introspectToken(ctx, state, a.client, p)));
  app.post(OAUTH_PATHS.revoke, endpoint(services, OAUTH_PATHS.revoke, "oauth.revoke", async (ctx, state, a, p) => {
    await revokeToken(ctx, state, a.client, p);
    return null;
  }));
}
