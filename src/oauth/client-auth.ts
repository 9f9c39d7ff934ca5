/**
 * Client authentication at the token, introspection and revocation endpoints: exactly one of
 * client_secret_basic (RFC 6749 §2.3.1), client_secret_post (same section) and private_key_jwt
 * (RFC 7523 §2.2 and §3, OIDC Core §9). Every failure is the same `invalid_client`, whatever
 * went wrong, so a caller learns nothing about which clients exist.
 */
import { constantTimeEqualText } from "../bytes.ts";
import { parseBasicAuthorization } from "../web/basic-auth.ts";
import type { OAuthClient } from "../config/types.ts";
import type { StsContext } from "../engine/types.ts";
import { verifySecret } from "../identity/secret.ts";
import { clientKeys, peekJwt, verifyJwt } from "../jwt/verify.ts";
import { oauthInvalidClient, oauthInvalidRequest } from "./errors.ts";
import { formDecode } from "../web/form-urlencoded.ts";
import type { FormParams } from "./form.ts";

export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Longest accepted client-assertion lifetime from now; bounds the jti replay cache. */
const MAX_ASSERTION_LIFETIME_S = 600;
/** RFC 7523 §3: an expiry, and a jti for single use. */
const ASSERTION_REQUIRED = ["exp", "jti"];

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

export interface AuthenticatedClient {
  client: OAuthClient;
  method: ClientAuthMethod;
}

export interface ClientAuthDeps {
  /** Replay cache (Durable Object): true the first time a key is seen before `expiresAt`. */
  rememberNonce(key: string, expiresAt: number): Promise<boolean>;
  /**
   * Audiences a client assertion may name: our token endpoint URL, our issuer, this endpoint.
   * A function: only private_key_jwt needs them, so secret-based requests never build them.
   */
  audiences(): string[];
}

/** Decodes one half of a Basic credential: RFC 6749 §2.3.1 form-urlencodes id and secret. */
function basicDecode(s: string): string | undefined {
  try {
    return formDecode(s);
  } catch {
    return undefined;
  }
}

function parseBasic(header: string): { id: string; secret: string } | undefined {
  const basic = parseBasicAuthorization(header);
  if (!basic) return undefined;
  // RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
  const id = basicDecode(basic.user);
  const secret = basicDecode(basic.secret);
  return id === undefined || secret === undefined ? undefined : { id, secret };
}

/** The Authorization header as client authentication reads it, decoded once per request. */
export interface PresentedAuthorization {
  /** The header uses the Basic scheme. */
  readonly basic: boolean;
  /** Its id and secret; undefined when not Basic or malformed. */
  readonly credentials: Readonly<{ id: string; secret: string }> | undefined;
}

/**
 * The last header read and what it said. A client sends the same header on every call, and
 * decoding it (a regex, base64, strict UTF-8, two form-decodes) showed in exchange profiles;
 * the result is a pure function of the exact header text, frozen, so it can be handed out again.
 */
let lastAuthorization: { header: string; value: PresentedAuthorization } | undefined;
const NO_AUTHORIZATION: PresentedAuthorization = Object.freeze({ basic: false, credentials: undefined });

/** Reads the Authorization header (or null). The result is frozen. */
export function readAuthorization(header: string | null): PresentedAuthorization {
  if (header === null) return NO_AUTHORIZATION;
  // Constant time, as secrets are compared (src/identity/secret.ts): the remembered header
  // carries another request's credentials, and `===` stops at the first differing character.
  if (lastAuthorization !== undefined && constantTimeEqualText(header, lastAuthorization.header)) return lastAuthorization.value;
  const h = header.trim();
  const basic = /^basic\b/i.test(h);
  const credentials = basic ? parseBasic(h) : undefined;
  const value: PresentedAuthorization = Object.freeze({ basic, credentials: credentials && Object.freeze(credentials) });
  lastAuthorization = { header, value };
  return value;
}

/**
 * The client a request claims to be (Basic user, or the client_id parameter), before any
 * verification — only for keying abuse counters.
 */
export function claimedClientId(authorization: PresentedAuthorization, params: FormParams): string | undefined {
  return authorization.basic ? authorization.credentials?.id : params.get("client_id");
}

/**
 * Authenticates the calling client from its Authorization header ({@link readAuthorization})
 * and form parameters.
 * @throws OAuthError invalid_client (401) or invalid_request when more than one method is used (RFC 6749 §2.3).
 */
export async function authenticateClient(
  ctx: StsContext,
  authorization: PresentedAuthorization,
  params: FormParams,
  deps: ClientAuthDeps,
): Promise<AuthenticatedClient> {
  const basic = authorization.basic;
  const post = params.has("client_secret");
  const jwt = params.has("client_assertion") || params.has("client_assertion_type");
  if (Number(basic) + Number(post) + Number(jwt) > 1) {
    throw oauthInvalidRequest("Use exactly one client authentication method (RFC 6749 §2.3).");
  }
  const paramId = params.get("client_id");
  if (basic) {
    const cred = authorization.credentials;
    if (!cred) throw oauthInvalidClient("The Basic authorization header is malformed.");
    if (paramId !== undefined && paramId !== cred.id) throw oauthInvalidRequest("client_id does not match the authenticated client.");
    return { client: await bySecret(ctx, cred.id, cred.secret), method: "client_secret_basic" };
  }
  if (post) {
    if (paramId === undefined) throw oauthInvalidClient("client_secret needs client_id.");
    return { client: await bySecret(ctx, paramId, params.get("client_secret")!), method: "client_secret_post" };
  }
  if (jwt) return { client: await byAssertion(ctx, params, paramId, deps), method: "private_key_jwt" };
  throw oauthInvalidClient("Client authentication is required.");
}

async function bySecret(ctx: StsContext, id: string, secret: string): Promise<OAuthClient> {
  const client = ctx.config.oauthClients.get(id);
  // verifySecret hashes the presented secret even for unknown clients (no timing oracle); only
  // the secret that last verified for this client's hash skips the hash (docs/security.md).
  const ok = await verifySecret(secret, client?.secretHash);
  if (!client || !ok) throw oauthInvalidClient();
  return client;
}

/** RFC 7523 §3 checks on a client assertion, then single use of its jti. */
async function byAssertion(ctx: StsContext, params: FormParams, paramId: string | undefined, deps: ClientAuthDeps): Promise<OAuthClient> {
  if (params.get("client_assertion_type") !== JWT_BEARER_ASSERTION) {
    throw oauthInvalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
  }
  const assertion = params.get("client_assertion");
  if (assertion === undefined) throw oauthInvalidRequest("client_assertion is missing.");
  const fail = (why: string) => oauthInvalidClient(`The client assertion is not acceptable: ${why}.`);
  // Unverified: only to find the client whose keys then verify everything. A key-choosing
  // header (RFC 8725 §3.10) is refused before any client is looked up.
  const peek = peekJwt(assertion);
  if (!peek.ok) throw fail(peek.refusal === "key-choosing-header" ? "key-choosing header" : "not a well-formed JWT");
  const claimedId = peek.iss;
  if (typeof claimedId !== "string") throw fail("no iss");
  if (paramId !== undefined && paramId !== claimedId) throw oauthInvalidRequest("client_id does not match the client assertion.");
  const client = ctx.config.oauthClients.get(claimedId);
  const keys = client && clientKeys(client);
  if (!client || !keys) throw oauthInvalidClient();
  const now = ctx.now();
  const skew = ctx.config.limits.clockSkewSeconds;
  // The client's registered keys with CLIENT_ASSERTION_ALGS (src/config/validate-jwks.ts).
  const r = await verifyJwt(assertion, keys, {
    issuer: client.clientId,
    subject: client.clientId,
    audience: deps.audiences(),
    requiredClaims: ASSERTION_REQUIRED,
    now,
    skewSeconds: skew,
  });
  if (!r.ok) throw fail("signature, issuer, subject, audience or time window");
  const payload = r.payload;
  const exp = payload.exp!;
  if (exp * 1000 > now.getTime() + (MAX_ASSERTION_LIFETIME_S + skew) * 1000) throw fail("exp is too far in the future");
  if (typeof payload.jti !== "string" || payload.jti.length > 256) throw fail("bad jti");
  // RFC 7523 §3 item 7: the jti may be used once; remember it until the assertion expires.
  const first = await deps.rememberNonce(`pkjwt:${client.clientId}:${payload.jti}`, (exp + skew) * 1000);
  if (!first) throw fail("jti already used");
  return client;
}
